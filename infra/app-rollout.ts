/**
 * `AppRollout`: the releases of one app and its route. Releases are named `<app>@<version>`,
 * so promoting the canary keeps its resource (it only changes role) and retires the old
 * stable; dropping the canary retires it. Pulumi deletes retired releases at the end of the
 * update, after the route has moved; an edge that still holds the previous route for its
 * cache's lifetime may ask for a removed release's file, and it then reads the route again and
 * serves the live release (docs/edge.md, "Retired releases").
 */
import * as path from "node:path";
import { local } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { CanaryWeight } from "../providers/canary-weight";
import { type ReleaseResource, releaseClassFor } from "../providers/release";
import { digestDir } from "../providers/targets/bundle";
import { trimRoot } from "../providers/targets/local";
import type { RemoteTarget } from "../providers/targets/remote";
import { buildCommand } from "./build-command";
import { parseBuildReport } from "./build-report";

/** One release of the app: its version and the absolute directory of its bundle. */
export interface ReleaseSpec {
  /** Version tag. */
  version: string;
  /** Absolute directory of the bundle. */
  source: string;
}

/** Arguments of {@link AppRollout}. */
export interface AppRolloutArgs {
  /** App name. */
  app: string;
  /** Project directory (holds `dist/apps/build` and `artifacts/`). */
  projectDir: string;
  /** The stable release. */
  stable: ReleaseSpec;
  /** The canary release. @default - none: no ramp is on */
  canary?: ReleaseSpec;
  /** Canary weight 0–100. @default 0 */
  weight?: number;
  /** Generation of the desired state (`glidepath:generation`). @default 0 */
  generation?: number;
  /** Absolute root directory of the `local` target (also where builds are written). */
  root: string;
  /** The app's remote target, as a secret. @default - none: the `local` target at `root` */
  target?: pulumi.Input<RemoteTarget>;
}

/** Version, digest and location of a published release. */
export interface PublishedRelease {
  version: string;
  digest: string;
  path: string;
}

/** The releases and route of one app. */
export class AppRollout extends pulumi.ComponentResource {
  /** The stable release. */
  readonly stable: pulumi.Output<PublishedRelease>;
  /** The canary release, if any. */
  readonly canary: pulumi.Output<PublishedRelease | null>;
  /** The canary weight. */
  readonly weight: pulumi.Output<number>;
  /** The route document's revision. */
  readonly revision: pulumi.Output<string>;
  /** Version → id of the build that produced it. */
  readonly builds: pulumi.Output<Record<string, string>>;

  /**
   * @param name - logical name (the app); children are `<app>@<version>` and `<app>-weight`
   * @param args - releases, weight and target
   * @param opts - Pulumi component options
   */
  constructor(name: string, args: AppRolloutArgs, opts?: pulumi.ComponentResourceOptions) {
    super("glidepath:index:AppRollout", name, {}, opts);
    const Release = releaseClassFor(args.app);
    const buildIds: pulumi.Output<[string, string]>[] = [];
    const publish = (spec: ReleaseSpec): ReleaseResource => {
      const what = `${args.app}@${spec.version}`;
      const sourceDigest = pulumi.output(digestDir(spec.source)).apply((d) => d.digest);
      // The output is named by the build's trigger, so a build that runs again for new
      // sources writes elsewhere and the old build's delete never removes the new output.
      const out = sourceDigest.apply(
        (d) => `${trimRoot(args.root)}/builds/${args.app}/${spec.version}-${d.slice(0, 16)}`,
      );
      const script = path.join(args.projectDir, "dist", "apps", "build", "static-bundle.js");
      const report = path.join(args.projectDir, "artifacts", `${args.app}-build.json`);
      // The build re-runs only when the sources change (triggers); it is deterministic, so the
      // same sources give the same bundle digest and the release stays as it is.
      const build = new local.Command(
        `build:${what}`,
        {
          ...buildCommand(
            script,
            { app: args.app, version: spec.version, source: spec.source, out, report },
            "dir",
          ),
          triggers: [sourceDigest],
        },
        { parent: this },
      );
      const built = build.stdout.apply((text) => parseBuildReport(text, what));
      buildIds.push(build.id.apply((id) => [spec.version, id] as [string, string]));
      return new Release(
        what,
        {
          app: args.app,
          version: spec.version,
          digest: built.bundleDigest,
          source: built.outDir,
          ...(args.target === undefined ? { root: args.root } : { target: args.target }),
        },
        { parent: this },
      );
    };
    const stable = publish(args.stable);
    const canary = args.canary ? publish(args.canary) : undefined;
    const route = new CanaryWeight(
      `${args.app}-weight`,
      {
        app: args.app,
        stable: stable.version,
        stableDigest: stable.digest,
        canary: canary?.version,
        canaryDigest: canary?.digest,
        weight: args.weight ?? 0,
        generation: args.generation ?? 0,
        // Only remote releases have an origin output: a local release's state has none, and a
        // declared but absent output reads as unknown in a preview (a no-op would show an update).
        ...(args.target === undefined
          ? { root: args.root }
          : { target: args.target, stableOrigin: stable.origin, canaryOrigin: canary?.origin }),
      },
      { parent: this },
    );
    const described = (r: ReleaseResource) =>
      pulumi
        .all([r.version, r.digest, r.path])
        .apply(([version, digest, path]) => ({ version, digest, path }));
    this.stable = described(stable);
    this.canary = canary ? described(canary) : pulumi.output(null);
    this.weight = route.weight;
    this.revision = route.revision;
    this.builds = pulumi.all(buildIds).apply((pairs) => Object.fromEntries(pairs));
    this.registerOutputs({
      stable: this.stable,
      canary: this.canary,
      weight: this.weight,
      revision: this.revision,
      builds: this.builds,
    });
  }
}

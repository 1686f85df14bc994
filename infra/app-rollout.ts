/**
 * `AppRollout`: the releases of one app and its route. Releases are named `<app>@<version>`,
 * so promoting the canary keeps its resource (it only changes role) and retires the old
 * stable; dropping the canary retires it. Pulumi deletes retired releases after the route
 * has moved, so the edge never points at a removed release.
 */
import * as pulumi from "@pulumi/pulumi";
import { CanaryWeight } from "../providers/canary-weight";
import { type ReleaseResource, releaseClassFor } from "../providers/release";
import { digestDir } from "../providers/targets/bundle";

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
  /** The stable release. */
  stable: ReleaseSpec;
  /** The canary release. @default - none: no ramp is on */
  canary?: ReleaseSpec;
  /** Canary weight 0–100. @default 0 */
  weight?: number;
  /** Absolute root directory of the `local` target. */
  root: string;
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

  /**
   * @param name - logical name (the app); children are `<app>@<version>` and `<app>-weight`
   * @param args - releases, weight and target
   * @param opts - Pulumi component options
   */
  constructor(name: string, args: AppRolloutArgs, opts?: pulumi.ComponentResourceOptions) {
    super("glidepath:index:AppRollout", name, {}, opts);
    const Release = releaseClassFor(args.app);
    const publish = (spec: ReleaseSpec): ReleaseResource =>
      new Release(
        `${args.app}@${spec.version}`,
        {
          app: args.app,
          version: spec.version,
          digest: pulumi.output(digestDir(spec.source)).apply((d) => d.digest),
          source: spec.source,
          root: args.root,
        },
        { parent: this },
      );
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
        root: args.root,
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
    this.registerOutputs({ stable: this.stable, canary: this.canary, weight: this.weight });
  }
}

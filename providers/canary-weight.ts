/**
 * `CanaryWeight`: the route of one app — its stable release, its canary release if any, and
 * the canary's share of traffic (an integer 0–100). On the `local` target it is the file
 * `<root>/routes/<app>.json`, which the local edge reads.
 */
import * as pulumi from "@pulumi/pulumi";
import { toCheckResult, withoutProvider } from "./check-result";
import { judgeGeneration } from "./desired-generation";
import { readJsonFile, removeFile, trimRoot, writeJsonAtomic } from "./targets/local";

/** Inputs of a canary weight, resolved. */
export interface CanaryWeightInputs {
  /** App, e.g. `wix`. */
  app: string;
  /** Version of the stable release. */
  stable: string;
  /** Digest of the stable release. */
  stableDigest: string;
  /** Version of the canary release; absent when no ramp is on. */
  canary?: string;
  /** Digest of the canary release; absent when no ramp is on. */
  canaryDigest?: string;
  /** Canary share of traffic, integer 0–100; 0 without a canary. */
  weight: number;
  /**
   * Generation of the desired state (`glidepath:generation`); a lower one than in state is a
   * stale stack file. @default 0 (routes deployed before generations)
   */
  generation?: number;
  /** Absolute root directory of the `local` target. */
  root: string;
}

/** Outputs of a canary weight. */
export interface CanaryWeightOutputs extends CanaryWeightInputs {
  /** The route file. */
  path: string;
}

/** The route document the edge reads. */
export interface RouteDocument {
  app: string;
  stable: { version: string; digest: string };
  canary: { version: string; digest: string } | null;
  weight: number;
}

/** Where an app's route lives on the local target. */
export function routeFile(root: string, app: string): string {
  return `${trimRoot(root)}/routes/${app}.json`;
}

/** The route document for some inputs. */
export function routeOf(i: CanaryWeightInputs): RouteDocument {
  return {
    app: i.app,
    stable: { version: i.stable, digest: i.stableDigest },
    canary:
      i.canary !== undefined && i.canaryDigest !== undefined
        ? { version: i.canary, digest: i.canaryDigest }
        : null,
    weight: i.weight,
  };
}

async function validate(news: unknown): Promise<pulumi.dynamic.CheckResult<CanaryWeightInputs>> {
  const { z } = await import("zod");
  const version = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: "expected a version tag" });
  const digest = z.string().regex(/^[0-9a-f]{64}$/, { error: "expected a sha-256 hex digest" });
  const schema = z
    .strictObject({
      app: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, { error: "expected a lower-case app name" }),
      stable: version,
      stableDigest: digest,
      canary: version.optional(),
      canaryDigest: digest.optional(),
      weight: z.number().int({ error: "expected an integer" }).min(0).max(100),
      generation: z.number().int({ error: "expected an integer" }).min(0).optional(),
      root: z.string().startsWith("/", { error: "expected an absolute path" }),
    })
    .superRefine((v, ctx) => {
      if ((v.canary === undefined) !== (v.canaryDigest === undefined)) {
        ctx.addIssue({
          code: "custom",
          path: ["canaryDigest"],
          message: "expected canary and canaryDigest together",
        });
      }
      if (v.weight > 0 && v.canary === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["weight"],
          message: `expected 0 without a canary release, got ${v.weight}`,
        });
      }
      if (v.canary !== undefined && v.canary === v.stable) {
        ctx.addIssue({
          code: "custom",
          path: ["canary"],
          message: "expected the canary to differ from the stable release",
        });
      }
    });
  return toCheckResult(news, schema.safeParse(withoutProvider(news)));
}

/** The provider object; one instance shared by every canary weight. */
export const canaryWeightProvider: pulumi.dynamic.ResourceProvider<CanaryWeightInputs, CanaryWeightOutputs> =
  {
    async check(olds, news) {
      const checked = await validate(news);
      if (checked.failures?.length || checked.inputs === undefined) return checked;
      // olds are the route's inputs in state ({} for a new route).
      const deployed = olds && typeof olds.app === "string" ? olds : undefined;
      const judged = judgeGeneration(deployed, checked.inputs);
      if (!judged.ok) return { inputs: news, failures: [{ property: "generation", reason: judged.reason }] };
      return { inputs: { ...checked.inputs, generation: judged.generation } };
    },

    async diff(_id, olds, news) {
      // The same root spelled with or without a trailing slash is the same target.
      const replaces = (["app", "root"] as const).filter((k) =>
        k === "root" ? trimRoot(olds.root) !== trimRoot(news.root) : olds[k] !== news[k],
      );
      const changed = JSON.stringify(routeOf(olds)) !== JSON.stringify(routeOf(news));
      // A new generation alone is recorded in state (an update that leaves the route file be).
      const generation = (olds.generation ?? 0) !== (news.generation ?? 0);
      return { changes: replaces.length > 0 || changed || generation, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
      const path = routeFile(inputs.root, inputs.app);
      await writeJsonAtomic(path, routeOf(inputs));
      return { id: inputs.app, outs: { ...inputs, path } };
    },

    async read(id, props) {
      if (props === undefined) return { id, props };
      const path = routeFile(props.root, props.app);
      const found = await readJsonFile(path);
      if (!found.found) return { id: "", props: undefined };
      const doc = "value" in found ? (found.value as Partial<RouteDocument>) : {};
      // What the file says is the live state; a hand edit shows up as drift in `pulumi refresh`.
      const live: CanaryWeightOutputs = {
        app: props.app,
        root: props.root,
        path,
        stable: String(doc.stable?.version ?? ""),
        stableDigest: String(doc.stable?.digest ?? ""),
        weight: typeof doc.weight === "number" ? doc.weight : -1,
      };
      // The generation is state's bookkeeping, not part of the target: a refresh keeps it.
      if (props.generation !== undefined) live.generation = props.generation;
      if (doc.canary) {
        live.canary = String(doc.canary.version);
        live.canaryDigest = String(doc.canary.digest);
      }
      return { id, props: live };
    },

    async update(_id, olds, news) {
      const path = routeFile(news.root, news.app);
      if (JSON.stringify(routeOf(olds)) !== JSON.stringify(routeOf(news)) || olds.path !== path)
        await writeJsonAtomic(path, routeOf(news));
      return { outs: { ...news, path } };
    },

    async delete(_id, props) {
      await removeFile(routeFile(props.root, props.app));
    },
  };

/** Arguments of a {@link CanaryWeight}. */
export interface CanaryWeightArgs {
  /** App, e.g. `wix`. */
  app: pulumi.Input<string>;
  /** Version of the stable release. */
  stable: pulumi.Input<string>;
  /** Digest of the stable release. */
  stableDigest: pulumi.Input<string>;
  /** Version of the canary release. @default - none: no ramp is on */
  canary?: pulumi.Input<string>;
  /** Digest of the canary release. @default - none: no ramp is on */
  canaryDigest?: pulumi.Input<string>;
  /** Canary share of traffic, integer 0–100. */
  weight: pulumi.Input<number>;
  /** Generation of the desired state (`glidepath:generation`). @default 0 */
  generation?: pulumi.Input<number>;
  /** Absolute root directory of the `local` target. */
  root: pulumi.Input<string>;
}

/** The route of one app (`glidepath:CanaryWeight`). */
export class CanaryWeight extends pulumi.dynamic.Resource {
  declare readonly app: pulumi.Output<string>;
  declare readonly stable: pulumi.Output<string>;
  declare readonly canary: pulumi.Output<string | undefined>;
  declare readonly weight: pulumi.Output<number>;
  declare readonly path: pulumi.Output<string>;

  /**
   * @param name - logical name, `<app>-weight`
   * @param args - the route
   * @param opts - Pulumi resource options
   */
  constructor(name: string, args: CanaryWeightArgs, opts?: pulumi.CustomResourceOptions) {
    super(canaryWeightProvider, name, { ...args, path: undefined }, opts, "glidepath", "CanaryWeight");
  }
}

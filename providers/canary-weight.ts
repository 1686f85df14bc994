/**
 * `CanaryWeight`: the route of one app — its stable release, its canary release if any, and
 * the canary's share of traffic (an integer 0–100). It is the edge store's `routes/<app>.json`:
 * a file under the `local` target's root, which the local edge reads, or a Workers KV entry the
 * Cloudflare edge reads; on the Wix target also a record of the site's routes collection, and a
 * change of the stable release publishes the site. Each document carries its `revision`, which
 * the edge names in every answer, so the driver can tell when the edge serves it.
 */
import * as pulumi from "@pulumi/pulumi";
import { toCheckResult, withoutProvider } from "./check-result";
import { judgeGeneration } from "./desired-generation";
import { edgeStoreOf } from "./targets/edge-store";
import { trimRoot } from "./targets/local";
import { ONE_TARGET, type RemoteTarget, remoteTargetSchema, targetChange } from "./targets/remote";
import { removeWixRoute, saveWixRoute } from "./targets/wix-release";

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
  /** The origin the edge proxies the stable release to; "" or absent: files in the edge store. @default - none */
  stableOrigin?: string;
  /** The origin the edge proxies the canary release to; "" or absent: files in the edge store. @default - none */
  canaryOrigin?: string;
  /** Absolute root directory of the `local` target. @default - none: `target` says where */
  root?: string;
  /** The remote target (a secret input: it carries credentials). @default - none: the `local` target at `root` */
  target?: RemoteTarget;
}

/** Outputs of a canary weight. */
export interface CanaryWeightOutputs extends CanaryWeightInputs {
  /** The route file, or `kv://<namespace>/routes/<app>.json`. */
  path: string;
  /** The route document's revision (what the edge names in `x-glidepath-route-revision`). @default - none before revisions */
  revision?: string;
}

/** A release a route points at. */
export interface RouteSide {
  version: string;
  digest: string;
  /** The origin the edge proxies this release to. @default - none: files in the edge store */
  origin?: string;
}

/** The route document the edge reads. */
export interface RouteDocument {
  app: string;
  stable: RouteSide;
  canary: RouteSide | null;
  weight: number;
  /** First 16 hex of sha-256 over the document without it. @default - none (routes written before revisions) */
  revision?: string;
}

/** The edge store key of an app's route. */
export function routeKey(app: string): string {
  return `routes/${app}.json`;
}

/** Where an app's route lives on the local target. */
export function routeFile(root: string, app: string): string {
  return `${trimRoot(root)}/${routeKey(app)}`;
}

/** A route document's revision: first 16 hex of sha-256 over its JSON without `revision`. */
export function routeRevision(doc: RouteDocument): string {
  const crypto = require("node:crypto") as typeof import("node:crypto");
  const { revision: _, ...rest } = doc;
  return crypto.createHash("sha256").update(JSON.stringify(rest)).digest("hex").slice(0, 16);
}

/** The route document for some inputs, with its revision. */
export function routeOf(i: CanaryWeightInputs): RouteDocument {
  const side = (version: string, digest: string, origin?: string): RouteSide =>
    origin === undefined || origin === "" ? { version, digest } : { version, digest, origin };
  const doc: RouteDocument = {
    app: i.app,
    stable: side(i.stable, i.stableDigest, i.stableOrigin),
    canary:
      i.canary !== undefined && i.canaryDigest !== undefined
        ? side(i.canary, i.canaryDigest, i.canaryOrigin)
        : null,
    weight: i.weight,
  };
  return { ...doc, revision: routeRevision(doc) };
}

/** Where a route lives, for the outputs and for comparing locations. */
function routePath(i: CanaryWeightInputs): string {
  return i.target === undefined
    ? routeFile(i.root ?? "", i.app)
    : `kv://${i.target.cloudflare.namespaceId}/${routeKey(i.app)}`;
}

/** Writes a route to the edge store (and, on the Wix target, the site's route record). */
async function writeRoute(news: CanaryWeightInputs, olds?: CanaryWeightInputs): Promise<void> {
  const doc = routeOf(news);
  await edgeStoreOf(news).writeJson(routeKey(news.app), doc);
  if (news.target?.kind === "wix") {
    const stableChanged =
      olds === undefined || olds.stable !== news.stable || olds.stableDigest !== news.stableDigest;
    await saveWixRoute(news.target, { ...doc }, stableChanged);
  }
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
      stableOrigin: z.union([z.literal(""), z.url({ protocol: /^https?$/ })]).optional(),
      canaryOrigin: z.union([z.literal(""), z.url({ protocol: /^https?$/ })]).optional(),
      root: z.string().startsWith("/", { error: "expected an absolute path" }).optional(),
      target: remoteTargetSchema(z).optional(),
    })
    .superRefine((v, ctx) => {
      if ((v.root === undefined) === (v.target === undefined)) {
        ctx.addIssue({
          code: "custom",
          path: ["root"],
          message: ONE_TARGET,
        });
      }
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
      const replaces = (["app", "root", "target"] as const).filter((k) => {
        if (k === "root") return trimRoot(olds.root ?? "") !== trimRoot(news.root ?? "");
        if (k === "target") return targetChange(olds, news).moved;
        return olds[k] !== news[k];
      });
      const changed = JSON.stringify(routeOf(olds)) !== JSON.stringify(routeOf(news));
      // A new generation alone, or new credentials for the same scope, is recorded in state (an
      // update that leaves the route be).
      const generation = (olds.generation ?? 0) !== (news.generation ?? 0);
      const { rotated } = targetChange(olds, news);
      return {
        changes: replaces.length > 0 || changed || generation || rotated,
        replaces,
        deleteBeforeReplace: false,
      };
    },

    async create(inputs) {
      await writeRoute(inputs);
      const doc = routeOf(inputs);
      return { id: inputs.app, outs: { ...inputs, path: routePath(inputs), revision: doc.revision } };
    },

    async read(id, props) {
      if (props === undefined) return { id, props };
      const found = await edgeStoreOf(props).readJson(routeKey(props.app));
      if (!found.found) return { id: "", props: undefined };
      const doc = "value" in found ? (found.value as Partial<RouteDocument>) : {};
      // What the store says is the live state; a hand edit shows up as drift in `pulumi refresh`.
      const live: CanaryWeightOutputs = {
        app: props.app,
        path: routePath(props),
        stable: String(doc.stable?.version ?? ""),
        stableDigest: String(doc.stable?.digest ?? ""),
        weight: typeof doc.weight === "number" ? doc.weight : -1,
      };
      if (props.root !== undefined) live.root = props.root;
      if (props.target !== undefined) live.target = props.target;
      if (typeof doc.revision === "string") live.revision = doc.revision;
      // An origin is part of the route; "" in state (no origin) stays "" when the route has none.
      if (typeof doc.stable?.origin === "string") live.stableOrigin = doc.stable.origin;
      else if (props.stableOrigin !== undefined) live.stableOrigin = "";
      // The generation is state's bookkeeping, not part of the target: a refresh keeps it.
      if (props.generation !== undefined) live.generation = props.generation;
      if (doc.canary) {
        live.canary = String(doc.canary.version);
        live.canaryDigest = String(doc.canary.digest);
        if (typeof doc.canary.origin === "string") live.canaryOrigin = doc.canary.origin;
        else if (props.canaryOrigin !== undefined) live.canaryOrigin = "";
      }
      return { id, props: live };
    },

    async update(_id, olds, news) {
      const path = routePath(news);
      const doc = routeOf(news);
      if (JSON.stringify(routeOf(olds)) !== JSON.stringify(doc) || olds.path !== path)
        await writeRoute(news, olds);
      return { outs: { ...news, path, revision: doc.revision } };
    },

    async delete(_id, props) {
      await edgeStoreOf(props).remove(routeKey(props.app));
      if (props.target?.kind === "wix") await removeWixRoute(props.target, props.app);
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
  /** The origin the edge proxies the stable release to. @default - none: files in the edge store */
  stableOrigin?: pulumi.Input<string | undefined>;
  /** The origin the edge proxies the canary release to. @default - none: files in the edge store */
  canaryOrigin?: pulumi.Input<string | undefined>;
  /** Absolute root directory of the `local` target. @default - none: `target` says where */
  root?: pulumi.Input<string>;
  /** The remote target; pass it as a secret (it carries credentials). @default - none: the `local` target */
  target?: pulumi.Input<RemoteTarget>;
}

/** The route of one app (`glidepath:CanaryWeight`). */
export class CanaryWeight extends pulumi.dynamic.Resource {
  declare readonly app: pulumi.Output<string>;
  declare readonly stable: pulumi.Output<string>;
  declare readonly canary: pulumi.Output<string | undefined>;
  declare readonly weight: pulumi.Output<number>;
  declare readonly path: pulumi.Output<string>;
  declare readonly revision: pulumi.Output<string>;

  /**
   * @param name - logical name, `<app>-weight`
   * @param args - the route
   * @param opts - Pulumi resource options
   */
  constructor(name: string, args: CanaryWeightArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      canaryWeightProvider,
      name,
      { ...args, path: undefined, revision: undefined },
      { ...opts, additionalSecretOutputs: ["target"] },
      "glidepath",
      "CanaryWeight",
    );
  }
}

/**
 * `FeatureFlag`: one flag (`{ app, key, value }`) of one app, published to a release target.
 * It is the edge store's `flags/<app>/<key>.json`: a file under the `local` target's root, or a
 * Workers KV entry behind the Cloudflare edge; on the Wix target also a record of the site's
 * flags collection.
 *
 * Follows the dynamic-provider rules of docs/architecture.md: zod-based `check` whose failures carry property paths, a real `diff`
 * (never "unknown"), `read` that reports drift to `pulumi refresh`, `update` that returns the
 * full outputs. Everything the provider needs is imported inside its methods, because Pulumi
 * serializes this object's code into state.
 */
import * as pulumi from "@pulumi/pulumi";
import { toCheckResult, withoutProvider } from "./check-result";
import { edgeStoreOf } from "./targets/edge-store";
import { flagFile, trimRoot } from "./targets/local";
import { ONE_TARGET, type RemoteTarget, remoteTargetSchema, targetChange } from "./targets/remote";
import { saveWixFlag } from "./targets/wix-release";

/** A flag value as stored on the target. */
export type FlagValue = boolean | number | string;

/** Inputs of a {@link FeatureFlag}, resolved. */
export interface FeatureFlagInputs {
  /** App the flag belongs to, e.g. `wix`. */
  app: string;
  /** Flag key, e.g. `CanaryEnabled`. */
  key: string;
  /** Flag value. */
  value: FlagValue;
  /** Absolute root directory of the `local` target. @default - none: `target` says where */
  root?: string;
  /** The remote target (a secret input: it carries credentials). @default - none: the `local` target at `root` */
  target?: RemoteTarget;
}

/** Outputs of a {@link FeatureFlag}: its inputs plus where it was published. */
export interface FeatureFlagOutputs extends FeatureFlagInputs {
  /** Absolute path of the flag file on the local target, or `kv://<namespace>/flags/<app>/<key>.json`. */
  path: string;
}

/** The content of a flag file. */
interface FlagDocument {
  app: string;
  key: string;
  value: FlagValue | null;
}

async function validate(news: unknown): Promise<pulumi.dynamic.CheckResult<FeatureFlagInputs>> {
  const { z } = await import("zod");
  const schema = z
    .strictObject({
      app: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, { error: "expected a lower-case app name" }),
      key: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, { error: "expected a flag key" }),
      value: z.union([z.boolean(), z.number().finite(), z.string().max(1024)], {
        error: "expected a boolean, a finite number or a string",
      }),
      root: z.string().startsWith("/", { error: "expected an absolute path" }).optional(),
      target: remoteTargetSchema(z).optional(),
    })
    .refine((v) => (v.root === undefined) !== (v.target === undefined), {
      error: ONE_TARGET,
      path: ["root"],
    });
  return toCheckResult(news, schema.safeParse(withoutProvider(news)));
}

/** The edge store key of a flag. */
export function flagKey(app: string, key: string): string {
  return `flags/${app}/${key}.json`;
}

function pathOf(i: Pick<FeatureFlagInputs, "app" | "key" | "root" | "target">): string {
  return i.target === undefined
    ? flagFile(i.root ?? "", i.app, i.key)
    : `kv://${i.target.cloudflare.namespaceId}/${flagKey(i.app, i.key)}`;
}

function outputsOf(inputs: FeatureFlagInputs): FeatureFlagOutputs {
  const outs: FeatureFlagOutputs = {
    app: inputs.app,
    key: inputs.key,
    value: inputs.value,
    path: pathOf(inputs),
  };
  if (inputs.root !== undefined) outs.root = inputs.root;
  if (inputs.target !== undefined) outs.target = inputs.target;
  return outs;
}

async function writeFlag(inputs: FeatureFlagInputs): Promise<void> {
  await edgeStoreOf(inputs).writeJson(flagKey(inputs.app, inputs.key), documentOf(inputs));
  if (inputs.target?.kind === "wix") await saveWixFlag(inputs.target, inputs.app, inputs.key, inputs.value);
}

function documentOf(inputs: FeatureFlagInputs): FlagDocument {
  return { app: inputs.app, key: inputs.key, value: inputs.value };
}

/** The provider object; one instance shared by every FeatureFlag. */
export const featureFlagProvider: pulumi.dynamic.ResourceProvider<FeatureFlagInputs, FeatureFlagOutputs> = {
  async check(_olds, news) {
    return validate(news);
  },

  async diff(_id, olds, news) {
    // The same root spelled with or without a trailing slash is the same target.
    const replaces = (["app", "key", "root", "target"] as const).filter((k) => {
      if (k === "root") return trimRoot(olds.root ?? "") !== trimRoot(news.root ?? "");
      if (k === "target") return targetChange(olds, news).moved;
      return olds[k] !== news[k];
    });
    // New credentials for the same scope are recorded too (an update that rewrites the flag).
    const { rotated } = targetChange(olds, news);
    const updates = olds.value !== news.value || olds.path !== pathOf(news) || rotated;
    return {
      changes: replaces.length > 0 || updates,
      replaces: [...replaces],
      deleteBeforeReplace: false,
    };
  },

  async create(inputs) {
    await writeFlag(inputs);
    return { id: `${inputs.app}/${inputs.key}`, outs: outputsOf(inputs) };
  },

  async read(id, props) {
    if (props === undefined) return { id, props };
    const file = pathOf(props);
    const found = await edgeStoreOf(props).readJson(flagKey(props.app, props.key));
    if (!found.found) return { id: "", props: undefined };
    const live =
      "value" in found && found.value !== null && typeof found.value === "object"
        ? (found.value as Partial<FlagDocument>).value
        : undefined;
    const value =
      typeof live === "boolean" || typeof live === "number" || typeof live === "string" ? live : null;
    // A corrupt or hand-mangled file reads as value null: the next `up` rewrites it.
    return { id, props: { ...props, path: file, value: value as FlagValue } };
  },

  async update(_id, _olds, news) {
    await writeFlag(news);
    return { outs: outputsOf(news) };
  },

  async delete(_id, props) {
    await edgeStoreOf(props).remove(flagKey(props.app, props.key));
    if (props.target?.kind === "wix") await saveWixFlag(props.target, props.app, props.key);
  },
};

/** Arguments of a {@link FeatureFlag}. */
export interface FeatureFlagArgs {
  /** App the flag belongs to (must be declared under `glidepath:apps`). */
  app: pulumi.Input<string>;
  /** Flag key, e.g. `CanaryEnabled`. */
  key: pulumi.Input<string>;
  /** Flag value: boolean, finite number or string. */
  value: pulumi.Input<FlagValue>;
  /** Absolute root directory of the `local` target. @default - none: `target` says where */
  root?: pulumi.Input<string>;
  /** The remote target; pass it as a secret (it carries credentials). @default - none: the `local` target */
  target?: pulumi.Input<RemoteTarget>;
}

/** A feature flag of one app, as a Pulumi resource (`pulumi-nodejs:dynamic/glidepath:FeatureFlag`). */
export class FeatureFlag extends pulumi.dynamic.Resource {
  declare readonly app: pulumi.Output<string>;
  declare readonly key: pulumi.Output<string>;
  declare readonly value: pulumi.Output<FlagValue>;
  declare readonly root: pulumi.Output<string>;
  declare readonly path: pulumi.Output<string>;

  /**
   * @param name - logical name, unique in the stack (the program uses `<app>.<key>`)
   * @param args - the flag
   * @param opts - Pulumi resource options
   */
  constructor(name: string, args: FeatureFlagArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      featureFlagProvider,
      name,
      { ...args, path: undefined },
      { ...opts, additionalSecretOutputs: ["target"] },
      "glidepath",
      "FeatureFlag",
    );
  }
}

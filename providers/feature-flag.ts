/**
 * `FeatureFlag`: one flag (`{ app, key, value }`) of one app, published to a release target.
 * On the `local` target the flag is the file `<root>/flags/<app>/<key>.json`.
 *
 * Follows the dynamic-provider rules of docs/architecture.md: zod-based `check` whose failures carry property paths, a real `diff`
 * (never "unknown"), `read` that reports drift to `pulumi refresh`, `update` that returns the
 * full outputs. Everything the provider needs is imported inside its methods, because Pulumi
 * serializes this object's code into state.
 */
import * as pulumi from "@pulumi/pulumi";
import { toCheckResult, withoutProvider } from "./check-result";
import { flagFile, readJsonFile, removeFile, trimRoot, writeJsonAtomic } from "./targets/local";

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
  /** Absolute root directory of the `local` target. */
  root: string;
}

/** Outputs of a {@link FeatureFlag}: its inputs plus where it was published. */
export interface FeatureFlagOutputs extends FeatureFlagInputs {
  /** Absolute path of the flag file on the target. */
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
  const schema = z.strictObject({
    app: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, { error: "expected a lower-case app name" }),
    key: z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, { error: "expected a flag key" }),
    value: z.union([z.boolean(), z.number().finite(), z.string().max(1024)], {
      error: "expected a boolean, a finite number or a string",
    }),
    root: z.string().startsWith("/", { error: "expected an absolute path" }),
  });
  return toCheckResult(news, schema.safeParse(withoutProvider(news)));
}

function outputsOf(inputs: FeatureFlagInputs): FeatureFlagOutputs {
  return {
    app: inputs.app,
    key: inputs.key,
    value: inputs.value,
    root: inputs.root,
    path: flagFile(inputs.root, inputs.app, inputs.key),
  };
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
    const replaces = (["app", "key", "root"] as const).filter((k) =>
      k === "root" ? trimRoot(olds.root) !== trimRoot(news.root) : olds[k] !== news[k],
    );
    const updates = olds.value !== news.value || olds.path !== flagFile(news.root, news.app, news.key);
    return {
      changes: replaces.length > 0 || updates,
      replaces: [...replaces],
      deleteBeforeReplace: false,
    };
  },

  async create(inputs) {
    const outs = outputsOf(inputs);
    await writeJsonAtomic(outs.path, documentOf(inputs));
    return { id: `${inputs.app}/${inputs.key}`, outs };
  },

  async read(id, props) {
    if (props === undefined) return { id, props };
    const file = flagFile(props.root, props.app, props.key);
    const found = await readJsonFile(file);
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
    const outs = outputsOf(news);
    await writeJsonAtomic(outs.path, documentOf(news));
    return { outs };
  },

  async delete(_id, props) {
    await removeFile(flagFile(props.root, props.app, props.key));
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
  /** Absolute root directory of the `local` target. */
  root: pulumi.Input<string>;
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
    super(featureFlagProvider, name, { ...args, path: undefined }, opts, "glidepath", "FeatureFlag");
  }
}

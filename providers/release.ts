/**
 * `Release`: one immutable, content-addressed release of an app (`app@version`, bundle
 * sha-256) published to a target. On the `local` target it is the directory
 * `<root>/releases/<app>/<version>@<digest16>/` with the bundle's files and `.release.json`.
 *
 * Any change of app, version, digest or root replaces the release (a new directory; the old
 * one is removed after the route has moved). A change of `source` alone changes nothing:
 * the same content is the same release. Exported as `WixRelease` and `GammaRelease` for the
 * two apps the runbook names, and as `Release` for any other app.
 */
import * as pulumi from "@pulumi/pulumi";
import { toCheckResult, withoutProvider } from "./check-result";
import { copyDirAtomic, digestDir, RELEASE_MANIFEST, removeDir } from "./targets/bundle";

/** Inputs of a release, resolved. */
export interface ReleaseInputs {
  /** App, e.g. `wix`. */
  app: string;
  /** Version tag, e.g. `v2`. */
  version: string;
  /** sha-256 (hex) of the bundle's content. */
  digest: string;
  /** Absolute directory of the built bundle. */
  source: string;
  /** Absolute root directory of the `local` target. */
  root: string;
}

/** Outputs of a release. */
export interface ReleaseOutputs extends ReleaseInputs {
  /** Where the release is published. */
  path: string;
  /** Number of files in the bundle. */
  files: number;
}

/** Directory of a release on the local target. */
export function releaseDir(root: string, app: string, version: string, digest: string): string {
  return `${root.replace(/\/+$/, "")}/releases/${app}/${version}@${digest.slice(0, 16)}`;
}

async function validate(news: unknown): Promise<pulumi.dynamic.CheckResult<ReleaseInputs>> {
  const { z } = await import("zod");
  const schema = z.strictObject({
    app: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, { error: "expected a lower-case app name" }),
    version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: "expected a version tag" }),
    digest: z.string().regex(/^[0-9a-f]{64}$/, { error: "expected a sha-256 hex digest" }),
    source: z.string().startsWith("/", { error: "expected an absolute path" }),
    root: z.string().startsWith("/", { error: "expected an absolute path" }),
  });
  return toCheckResult(news, schema.safeParse(withoutProvider(news)));
}

async function publish(inputs: ReleaseInputs): Promise<ReleaseOutputs> {
  const dir = releaseDir(inputs.root, inputs.app, inputs.version, inputs.digest);
  const source = await digestDir(inputs.source);
  if (source.digest !== inputs.digest) {
    throw new Error(
      `release ${inputs.app}@${inputs.version}: the bundle at ${inputs.source} has digest ${source.digest}, ` +
        `not ${inputs.digest}; it changed after the program read it. Run the update again.`,
    );
  }
  const fs = await import("node:fs/promises");
  const existing = await fs.stat(dir).then(
    () => true,
    () => false,
  );
  if (existing) {
    const there = await digestDir(dir, [RELEASE_MANIFEST]);
    if (there.digest === inputs.digest) return { ...inputs, path: dir, files: there.files };
    await removeDir(dir);
  }
  const manifest = { app: inputs.app, version: inputs.version, digest: inputs.digest, files: source.files };
  await copyDirAtomic(inputs.source, dir, { [RELEASE_MANIFEST]: `${JSON.stringify(manifest, null, 2)}\n` });
  return { ...inputs, path: dir, files: source.files };
}

/** The provider object; one instance shared by every release. */
export const releaseProvider: pulumi.dynamic.ResourceProvider<ReleaseInputs, ReleaseOutputs> = {
  async check(_olds, news) {
    return validate(news);
  },

  async diff(_id, olds, news) {
    const replaces = (["app", "version", "digest", "root"] as const).filter((k) => olds[k] !== news[k]);
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const outs = await publish(inputs);
    return { id: `${inputs.app}@${inputs.version}@${inputs.digest.slice(0, 16)}`, outs };
  },

  async read(id, props) {
    if (props === undefined) return { id, props };
    const dir = props.path ?? releaseDir(props.root, props.app, props.version, props.digest);
    const fs = await import("node:fs/promises");
    const present = await fs.stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!present) return { id: "", props: undefined };
    // A tampered release reads with the digest of what is there: the next `up` replaces it.
    const there = await digestDir(dir, [RELEASE_MANIFEST]);
    return { id, props: { ...props, path: dir, digest: there.digest, files: there.files } };
  },

  async update(_id, olds, news) {
    // Only `source` can change without a replacement: the published release stays as it is.
    return { outs: { ...news, path: olds.path, files: olds.files } };
  },

  async delete(_id, props) {
    await removeDir(props.path ?? releaseDir(props.root, props.app, props.version, props.digest));
  },
};

/** Arguments of a release. */
export interface ReleaseArgs {
  /** App, e.g. `wix`. */
  app: pulumi.Input<string>;
  /** Version tag, e.g. `v2`. */
  version: pulumi.Input<string>;
  /** sha-256 (hex) of the bundle's content. */
  digest: pulumi.Input<string>;
  /** Absolute directory of the built bundle. */
  source: pulumi.Input<string>;
  /** Absolute root directory of the `local` target. */
  root: pulumi.Input<string>;
}

function releaseClass(typeName: string) {
  return class extends pulumi.dynamic.Resource {
    declare readonly app: pulumi.Output<string>;
    declare readonly version: pulumi.Output<string>;
    declare readonly digest: pulumi.Output<string>;
    declare readonly source: pulumi.Output<string>;
    declare readonly root: pulumi.Output<string>;
    declare readonly path: pulumi.Output<string>;
    declare readonly files: pulumi.Output<number>;

    /**
     * @param name - logical name, `<app>@<version>`
     * @param args - the release
     * @param opts - Pulumi resource options
     */
    constructor(name: string, args: ReleaseArgs, opts?: pulumi.CustomResourceOptions) {
      super(
        releaseProvider,
        name,
        { ...args, path: undefined, files: undefined },
        opts,
        "glidepath",
        typeName,
      );
    }
  };
}

/** A release of any app (`glidepath:Release`). */
export const Release = releaseClass("Release");
/** A release of the Wix site (`glidepath:WixRelease`). */
export const WixRelease = releaseClass("WixRelease");
/** A release of the Gamma investor panel (`glidepath:GammaRelease`). */
export const GammaRelease = releaseClass("GammaRelease");
/** Any of the release classes. */
export type ReleaseResource = InstanceType<typeof Release>;

/** The release class for an app: `WixRelease`, `GammaRelease`, or `Release`. */
export function releaseClassFor(app: string): typeof Release {
  if (app === "wix") return WixRelease;
  if (app === "gamma") return GammaRelease;
  return Release;
}

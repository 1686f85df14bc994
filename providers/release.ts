/**
 * `Release`: one immutable, content-addressed release of an app (`app@version`, bundle
 * sha-256) published to a target. On the `local` target it is the directory
 * `<root>/releases/<app>/<version>@<digest16>/` with the bundle's files and `.release.json`.
 *
 * A change that moves the release to another directory (app, version, digest, or a root that
 * is not just the same one spelled differently) replaces it: a new directory, the old one
 * removed once the route has moved. A change that keeps the directory — a drifted digest that
 * `pulumi refresh` read back from a tampered copy, a root that gained or lost a trailing
 * slash — is an update that republishes in place. A change of `source` alone changes nothing:
 * the same content is the same release.
 *
 * Every publication carries an owner token (random, in the outputs and in `.release.json`);
 * `delete` removes a directory only while its `.release.json` names the deleted resource as
 * owner, so deleting a release never removes a copy another resource published or adopted at
 * the same path. Links in a bundle are published as links, and a link that leaves the bundle
 * is refused. Exported as `WixRelease` and `GammaRelease` for the two apps the runbook names,
 * and as `Release` for any other app.
 */
import * as pulumi from "@pulumi/pulumi";
import { toCheckResult, withoutProvider } from "./check-result";
import { copyDirAtomic, digestDir, escapingLinks, RELEASE_MANIFEST, removeDir } from "./targets/bundle";
import { readJsonFile, trimRoot, writeJsonAtomic } from "./targets/local";

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
  /**
   * The publication's owner token, also in the directory's `.release.json`.
   * @default - none for a release published before owner tokens; its delete then removes a directory whose manifest has none either
   */
  owner?: string;
}

/** What `.release.json` says about a published release. */
interface ReleaseManifest {
  app: string;
  version: string;
  digest: string;
  files: number;
  owner?: string;
}

/** Directory of a release on the local target. */
export function releaseDir(root: string, app: string, version: string, digest: string): string {
  return `${trimRoot(root)}/releases/${app}/${version}@${digest.slice(0, 16)}`;
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

/** The manifest in a release directory, or undefined when it is missing or unreadable. */
async function manifestIn(dir: string): Promise<Partial<ReleaseManifest> | undefined> {
  const found = await readJsonFile(`${dir}/${RELEASE_MANIFEST}`);
  if (!found.found || !("value" in found)) return undefined;
  const v = found.value;
  return v !== null && typeof v === "object" ? (v as Partial<ReleaseManifest>) : undefined;
}

/**
 * Publishes a release into its directory, owned by `owner`: an identical copy already there is
 * kept (its manifest rewritten if it names another owner), a different one is swapped for a
 * fresh copy.
 */
async function publish(inputs: ReleaseInputs, owner: string): Promise<ReleaseOutputs> {
  const dir = releaseDir(inputs.root, inputs.app, inputs.version, inputs.digest);
  const escaping = await escapingLinks(inputs.source);
  if (escaping.length > 0) {
    const list = escaping.map((l) => `${l.rel} -> ${l.target} (${l.resolved})`).join(", ");
    throw new Error(
      `release ${inputs.app}@${inputs.version}: the bundle at ${inputs.source} has links that leave it: ${list}; ` +
        "replace each link by the file it stands for, or point it inside the bundle",
    );
  }
  const source = await digestDir(inputs.source);
  if (source.digest !== inputs.digest) {
    throw new Error(
      `release ${inputs.app}@${inputs.version}: the bundle at ${inputs.source} has digest ${source.digest}, ` +
        `not ${inputs.digest}; it changed after the program read it. Run the update again.`,
    );
  }
  const manifest: ReleaseManifest = {
    app: inputs.app,
    version: inputs.version,
    digest: inputs.digest,
    files: source.files,
    owner,
  };
  const outs: ReleaseOutputs = { ...inputs, path: dir, files: source.files, owner };
  const there = await digestDir(dir, [RELEASE_MANIFEST]).catch(() => undefined);
  if (there?.digest === inputs.digest) {
    const current = await manifestIn(dir);
    if (JSON.stringify(current) !== JSON.stringify(manifest)) {
      await writeJsonAtomic(`${dir}/${RELEASE_MANIFEST}`, manifest);
    }
    return outs;
  }
  await copyDirAtomic(inputs.source, dir, { [RELEASE_MANIFEST]: `${JSON.stringify(manifest, null, 2)}\n` });
  return outs;
}

/** The provider object; one instance shared by every release. */
export const releaseProvider: pulumi.dynamic.ResourceProvider<ReleaseInputs, ReleaseOutputs> = {
  async check(_olds, news) {
    return validate(news);
  },

  async diff(_id, olds, news) {
    const before = olds.path ?? releaseDir(olds.root, olds.app, olds.version, olds.digest);
    const after = releaseDir(news.root, news.app, news.version, news.digest);
    const differs = (["app", "version", "digest", "root"] as const).filter((k) =>
      k === "root" ? trimRoot(olds.root) !== trimRoot(news.root) : olds[k] !== news[k],
    );
    // Another directory is another release; the same directory is republished in place,
    // because a replacement there would end with the old copy's delete removing the new one.
    if (before !== after) return { changes: true, replaces: differs, deleteBeforeReplace: false };
    return { changes: differs.length > 0, replaces: [], deleteBeforeReplace: false };
  },

  async create(inputs) {
    const crypto = await import("node:crypto");
    const outs = await publish(inputs, crypto.randomUUID());
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
    // A tampered release reads with the digest of what is there: the next `up` republishes it.
    const there = await digestDir(dir, [RELEASE_MANIFEST]);
    return { id, props: { ...props, path: dir, digest: there.digest, files: there.files } };
  },

  async update(_id, olds, news) {
    // Same directory (diff replaces otherwise): republish there, keeping the owner.
    const crypto = await import("node:crypto");
    return { outs: await publish(news, olds.owner ?? crypto.randomUUID()) };
  },

  async delete(_id, props) {
    const dir = props.path ?? releaseDir(props.root, props.app, props.version, props.digest);
    const manifest = await manifestIn(dir);
    // Only what this resource published: a copy another publication owns (or one without a
    // readable manifest) stays.
    if (manifest === undefined || manifest.owner !== props.owner) return;
    await removeDir(dir);
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

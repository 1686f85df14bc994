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
import { publishGammaRelease, readGammaRelease, removeGammaRelease } from "./targets/gamma-release";
import { kvManifestKey, publishKvRelease, readKvRelease, removeKvRelease } from "./targets/kv-release";
import { readJsonFile, trimRoot, writeJsonAtomic } from "./targets/local";
import { ONE_TARGET, type RemoteTarget, remoteTargetSchema, scopeOf, targetChange } from "./targets/remote";
import { publishWixRelease, readWixRelease, removeWixRelease } from "./targets/wix-release";

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
  /** Absolute root directory of the `local` target. @default - none: `target` says where */
  root?: string;
  /** The remote target (a secret input: it carries credentials). @default - none: the `local` target at `root` */
  target?: RemoteTarget;
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
  /** The origin the edge proxies this release to (the Wix site, the Gamma page); "" on `cloudflare`. @default - none on `local`: files in the edge store */
  origin?: string;
  /** The Gamma page's id (target `gamma`). @default - none */
  gammaId?: string;
  /** The Gamma page's URL (target `gamma`). @default - none */
  gammaUrl?: string;
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
  const schema = z
    .strictObject({
      app: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, { error: "expected a lower-case app name" }),
      version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: "expected a version tag" }),
      digest: z.string().regex(/^[0-9a-f]{64}$/, { error: "expected a sha-256 hex digest" }),
      source: z.string().startsWith("/", { error: "expected an absolute path" }),
      root: z.string().startsWith("/", { error: "expected an absolute path" }).optional(),
      target: remoteTargetSchema(z).optional(),
    })
    .refine((v) => (v.root === undefined) !== (v.target === undefined), {
      error: ONE_TARGET,
      path: ["root"],
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
 * Where a release lives: its directory on the `local` target; on a remote target the target's
 * kind and scope with the release's manifest key. Another location is another release.
 */
export function releaseLocation(
  i: Pick<ReleaseInputs, "app" | "version" | "digest" | "root" | "target">,
): string {
  if (i.target === undefined) return releaseDir(i.root ?? "", i.app, i.version, i.digest);
  return `${i.target.kind}:${scopeOf(i.target)}/${kvManifestKey(i.app, i.version, i.digest)}`;
}

/** Refuses a bundle with links that leave it, or whose digest is not the one the program read. */
async function checkSource(inputs: ReleaseInputs): Promise<number> {
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
  return source.files;
}

/**
 * Publishes a release on the `local` target into its directory, owned by `owner`: an identical
 * copy already there is kept (its manifest rewritten if it names another owner), a different one
 * is swapped for a fresh copy.
 */
async function publishLocal(
  inputs: ReleaseInputs,
  root: string,
  files: number,
  owner: string,
): Promise<ReleaseOutputs> {
  const dir = releaseDir(root, inputs.app, inputs.version, inputs.digest);
  const manifest: ReleaseManifest = {
    app: inputs.app,
    version: inputs.version,
    digest: inputs.digest,
    files,
    owner,
  };
  const outs: ReleaseOutputs = { ...inputs, path: dir, files, owner };
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

/** Publishes a release on its target, owned by `owner`. */
async function publish(inputs: ReleaseInputs, owner: string): Promise<ReleaseOutputs> {
  const files = await checkSource(inputs);
  const t = inputs.target;
  if (t === undefined) return publishLocal(inputs, inputs.root ?? "", files, owner);
  const path = releaseLocation(inputs);
  if (t.kind === "wix") {
    const done = await publishWixRelease(t, inputs, inputs.source, owner);
    return { ...inputs, path, files: done.files, owner, origin: done.origin };
  }
  if (t.kind === "gamma") {
    const done = await publishGammaRelease(t, inputs, inputs.source, owner);
    return {
      ...inputs,
      path,
      files,
      owner,
      origin: done.origin,
      gammaId: done.gammaId,
      gammaUrl: done.gammaUrl,
    };
  }
  const done = await publishKvRelease(t, inputs, inputs.source, owner);
  // "" (no origin: the edge serves the files) rather than absent, so the output is always known.
  return { ...inputs, path, files: done.files, owner, origin: "" };
}

/** What the target holds for a release now: its digest and file count, or undefined when gone. */
async function readLive(props: ReleaseOutputs): Promise<{ digest: string; files: number } | undefined> {
  const t = props.target;
  if (t === undefined) {
    const dir = props.path ?? releaseDir(props.root ?? "", props.app, props.version, props.digest);
    const fs = await import("node:fs/promises");
    const present = await fs.stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    return present ? digestDir(dir, [RELEASE_MANIFEST]) : undefined;
  }
  if (t.kind === "wix") return readWixRelease(t, props);
  if (t.kind === "gamma") {
    const live = await readGammaRelease(t, props, props.gammaId);
    return live === undefined ? undefined : { digest: live.digest, files: props.files };
  }
  return readKvRelease(t, props);
}

/** The provider object; one instance shared by every release. */
export const releaseProvider: pulumi.dynamic.ResourceProvider<ReleaseInputs, ReleaseOutputs> = {
  async check(_olds, news) {
    return validate(news);
  },

  async diff(_id, olds, news) {
    const before = olds.path ?? releaseLocation(olds);
    const after = releaseLocation(news);
    const differs = (["app", "version", "digest", "root", "target"] as const).filter((k) => {
      if (k === "root") return trimRoot(olds.root ?? "") !== trimRoot(news.root ?? "");
      if (k === "target") return targetChange(olds, news).moved;
      return olds[k] !== news[k];
    });
    // Another location is another release; the same one is republished in place, because a
    // replacement there would end with the old copy's delete removing the new one.
    if (before !== after) return { changes: true, replaces: differs, deleteBeforeReplace: false };
    // New credentials or API URLs for the same scope are recorded (an update that writes nothing).
    const { rotated } = targetChange(olds, news);
    return { changes: differs.length > 0 || rotated, replaces: [], deleteBeforeReplace: false };
  },

  async create(inputs) {
    const crypto = await import("node:crypto");
    const outs = await publish(inputs, crypto.randomUUID());
    return { id: `${inputs.app}@${inputs.version}@${inputs.digest.slice(0, 16)}`, outs };
  },

  async read(id, props) {
    if (props === undefined) return { id, props };
    const live = await readLive(props);
    if (live === undefined) return { id: "", props: undefined };
    // A tampered release reads with the digest of what is there: the next `up` republishes it.
    return {
      id,
      props: { ...props, path: props.path ?? releaseLocation(props), digest: live.digest, files: live.files },
    };
  },

  async update(_id, olds, news) {
    // Only the target's credentials or API URL changed: nothing to publish again.
    if (news.target !== undefined && olds.digest === news.digest && olds.path === releaseLocation(news)) {
      return { outs: { ...olds, ...news, path: olds.path } };
    }
    // Same location (diff replaces otherwise): republish there, keeping the owner.
    const crypto = await import("node:crypto");
    return { outs: await publish(news, olds.owner ?? crypto.randomUUID()) };
  },

  async delete(_id, props) {
    const t = props.target;
    if (t?.kind === "wix") return removeWixRelease(t, props, props.owner);
    if (t?.kind === "gamma") return removeGammaRelease(t, props, props.owner, props.gammaId);
    if (t !== undefined) return removeKvRelease(t, props, props.owner);
    const dir = props.path ?? releaseDir(props.root ?? "", props.app, props.version, props.digest);
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
  /** Absolute root directory of the `local` target. @default - none: `target` says where */
  root?: pulumi.Input<string>;
  /** The remote target; pass it as a secret (it carries credentials). @default - none: the `local` target */
  target?: pulumi.Input<RemoteTarget>;
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
    declare readonly origin: pulumi.Output<string | undefined>;
    declare readonly gammaUrl: pulumi.Output<string | undefined>;

    /**
     * @param name - logical name, `<app>@<version>`
     * @param args - the release
     * @param opts - Pulumi resource options
     */
    constructor(name: string, args: ReleaseArgs, opts?: pulumi.CustomResourceOptions) {
      super(
        releaseProvider,
        name,
        {
          ...args,
          path: undefined,
          files: undefined,
          origin: undefined,
          gammaId: undefined,
          gammaUrl: undefined,
        },
        { ...opts, additionalSecretOutputs: ["target"] },
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

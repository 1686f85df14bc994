/**
 * A static release on the Cloudflare edge: each file once in Workers KV under `files/<sha256>`
 * (content-addressed, shared by every release that has it), then the release manifest
 * `releases/<app>/<version>@<digest16>/.release.json` with the bundle's index. The manifest is
 * written last, so the edge can route to a release only once all its files are there. Runs
 * inside serialized providers.
 */
import { type BundleIndex, digestIndex, indexBundle, isBundleIndex } from "./bundle-index";
import { kvClient } from "./cloudflare-kv";
import { ensureScope, type RemoteTarget } from "./remote";

/** The release manifest in KV. */
export interface KvReleaseManifest {
  app: string;
  version: string;
  digest: string;
  files: number;
  owner: string;
  /** Path → sha-256 of the content the edge serves for it. */
  index: Record<string, string>;
  /** Links inside the bundle (path → target), kept for the digest. */
  links: Record<string, string>;
}

/** The manifest key of a release. */
export function kvManifestKey(app: string, version: string, digest: string): string {
  return `releases/${app}/${version}@${digest.slice(0, 16)}/.release.json`;
}

/** What a release resource needs to name its release. */
interface Named {
  app: string;
  version: string;
  digest: string;
}

async function readManifest(target: RemoteTarget, key: string): Promise<KvReleaseManifest | undefined> {
  const bytes = await kvClient(target.cloudflare).get(key);
  if (bytes === undefined) return undefined;
  try {
    const v = JSON.parse(new TextDecoder().decode(bytes)) as KvReleaseManifest;
    return v !== null && typeof v === "object" ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Publishes a bundle: its files (one bulk write), then its manifest.
 *
 * @param target - the remote target
 * @param r - the release
 * @param source - absolute directory of the built bundle (its digest already checked)
 * @param owner - the publication's owner token
 */
export async function publishKvRelease(
  target: RemoteTarget,
  r: Named,
  source: string,
  owner: string,
): Promise<{ path: string; files: number }> {
  await ensureScope(target);
  const kv = kvClient(target.cloudflare);
  const { index, blobs } = await indexBundle(source);
  await kv.putMany([...blobs].map(([sha, bytes]) => ({ key: `files/${sha}`, value: new Uint8Array(bytes) })));
  const { files } = await digestIndex(index);
  const manifest: KvReleaseManifest = {
    app: r.app,
    version: r.version,
    digest: r.digest,
    files,
    owner,
    index: index.files,
    links: index.links,
  };
  const key = kvManifestKey(r.app, r.version, r.digest);
  await kv.put(key, `${JSON.stringify(manifest, null, 2)}\n`);
  return { path: `kv://${target.cloudflare.namespaceId}/${key}`, files };
}

/**
 * What KV holds for a release: the digest recomputed from its manifest's index (a hand-edited
 * index reads as another digest), or undefined when the manifest is gone.
 *
 * @param target - the remote target
 * @param r - the release
 */
export async function readKvRelease(
  target: RemoteTarget,
  r: Named,
): Promise<{ digest: string; files: number } | undefined> {
  const m = await readManifest(target, kvManifestKey(r.app, r.version, r.digest));
  if (m === undefined) return undefined;
  const index: BundleIndex = { files: m.index, links: m.links ?? {} };
  if (!isBundleIndex(index)) return { digest: "", files: 0 };
  return digestIndex(index);
}

/**
 * Removes a release this owner published: its manifest, then the files no other release's
 * manifest still names. A manifest another publication owns stays.
 *
 * @param target - the remote target
 * @param r - the release
 * @param owner - the owner token the resource holds
 */
export async function removeKvRelease(
  target: RemoteTarget,
  r: Named,
  owner: string | undefined,
): Promise<void> {
  const key = kvManifestKey(r.app, r.version, r.digest);
  const mine = await readManifest(target, key);
  if (mine === undefined || mine.owner !== owner) return;
  await ensureScope(target);
  const kv = kvClient(target.cloudflare);
  await kv.delete(key);
  const others = (await kv.list("releases/")).filter((k) => k.endsWith("/.release.json") && k !== key);
  const kept = new Set<string>();
  for (const k of others) {
    for (const sha of Object.values((await readManifest(target, k))?.index ?? {})) kept.add(sha);
  }
  const unused = [...new Set(Object.values(mine.index))].filter((sha) => !kept.has(sha));
  if (unused.length > 0) await kv.deleteMany(unused.map((sha) => `files/${sha}`));
}

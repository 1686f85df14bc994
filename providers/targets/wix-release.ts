/**
 * A release on the Wix target: one record in the site's releases collection (Data Items v2
 * `save`, deterministic `_id` from app, version and digest) carrying the bundle's index, which
 * the site's code reads for the release the edge chose. Routes and flags are records too (the
 * site reads them), written beside the edge's KV entries; the site is published when the stable
 * release changes. Runs inside serialized providers.
 */
import { digestIndex, indexBundle, isBundleIndex } from "./bundle-index";
import { ensureScope, type RemoteTarget } from "./remote";
import { wixClient } from "./wix-data";
import { flagRecordId, releaseRecordId, routeRecordId } from "./wix-records";

type WixTarget = Extract<RemoteTarget, { kind: "wix" }>;

/** What a release resource needs to name its release. */
interface Named {
  app: string;
  version: string;
  digest: string;
}

/**
 * Saves a release's record.
 *
 * @param target - the wix target
 * @param r - the release
 * @param source - absolute directory of the built bundle (its digest already checked)
 * @param owner - the publication's owner token
 */
export async function publishWixRelease(
  target: WixTarget,
  r: Named,
  source: string,
  owner: string,
): Promise<{ path: string; files: number; origin: string }> {
  await ensureScope(target);
  const { index } = await indexBundle(source);
  const { files } = await digestIndex(index);
  const id = await releaseRecordId(r.app, r.version, r.digest);
  await wixClient(target.wix).save(target.wix.collections.releases, id, {
    app: r.app,
    version: r.version,
    digest: r.digest,
    files,
    index: index.files,
    links: index.links,
    owner,
  });
  return {
    path: `wix://${target.wix.siteId}/${target.wix.collections.releases}/${id}`,
    files,
    origin: target.siteUrl,
  };
}

/**
 * What the CMS holds for a release: the digest recomputed from the record's index (a hand edit
 * reads as another digest), or undefined when the record is gone.
 *
 * @param target - the wix target
 * @param r - the release
 */
export async function readWixRelease(
  target: WixTarget,
  r: Named,
): Promise<{ digest: string; files: number } | undefined> {
  const id = await releaseRecordId(r.app, r.version, r.digest);
  const item = await wixClient(target.wix).get(target.wix.collections.releases, id);
  if (item === undefined) return undefined;
  const index = { files: item.index, links: item.links ?? {} };
  if (!isBundleIndex(index) || item.digest !== r.digest)
    return { digest: String(item.digest ?? ""), files: 0 };
  return digestIndex(index);
}

/**
 * Removes a release's record if this owner saved it.
 *
 * @param target - the wix target
 * @param r - the release
 * @param owner - the owner token the resource holds
 */
export async function removeWixRelease(
  target: WixTarget,
  r: Named,
  owner: string | undefined,
): Promise<void> {
  const client = wixClient(target.wix);
  const id = await releaseRecordId(r.app, r.version, r.digest);
  const item = await client.get(target.wix.collections.releases, id);
  if (item === undefined || item.owner !== owner) return;
  await ensureScope(target);
  await client.remove(target.wix.collections.releases, id);
}

/**
 * Saves an app's route record, and publishes the site when the stable release changed (the
 * site's published code then reads the new stable release).
 *
 * @param target - the wix target
 * @param route - the route document
 * @param stableChanged - whether the stable release differs from the one deployed before
 */
export async function saveWixRoute(
  target: WixTarget,
  route: { app: string } & Record<string, unknown>,
  stableChanged: boolean,
): Promise<void> {
  await ensureScope(target);
  const client = wixClient(target.wix);
  await client.save(target.wix.collections.routes, await routeRecordId(route.app), route);
  if (stableChanged) await client.publish();
}

/**
 * Removes an app's route record.
 *
 * @param target - the wix target
 * @param app - the app
 */
export async function removeWixRoute(target: WixTarget, app: string): Promise<void> {
  await ensureScope(target);
  await wixClient(target.wix).remove(target.wix.collections.routes, await routeRecordId(app));
}

/**
 * Saves or removes a flag record (`value` undefined removes it).
 *
 * @param target - the wix target
 * @param app - the app
 * @param key - the flag key
 * @param value - the flag value @default - none: remove the record
 */
export async function saveWixFlag(
  target: WixTarget,
  app: string,
  key: string,
  value?: boolean | number | string,
): Promise<void> {
  await ensureScope(target);
  const client = wixClient(target.wix);
  const id = await flagRecordId(app, key);
  if (value === undefined) await client.remove(target.wix.collections.flags, id);
  else await client.save(target.wix.collections.flags, id, { app, key, value });
}

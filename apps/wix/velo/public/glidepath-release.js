/**
 * glidepath's reader for a Wix site (Velo, plain ES module, no build step).
 *
 * glidepath writes three CMS collections: one record per release (`GlidepathReleases`), one
 * route record per app (`GlidepathRoutes`, id `route-<app>`) and one record per flag
 * (`GlidepathFlags`, id `flag-<app>-<key>`). The edge picks the release for each visitor and
 * adds `gp_release=<version>@<first 16 hex of the digest>` to the query when it proxies to the
 * site; this module finds that release's record (falling back to the route's stable release
 * when the parameter is absent or names neither release of the route) and the app's flags.
 *
 * The `wix-data` API is a parameter (`masterPage.js` passes the real one), so the logic runs
 * under test with a stand-in. Release record ids need sha-256: `crypto.subtle`, present in
 * browsers on https (and on localhost) and in Node.
 */

/** Collection names glidepath writes by default. */
export const COLLECTIONS = Object.freeze({
  releases: "GlidepathReleases",
  routes: "GlidepathRoutes",
  flags: "GlidepathFlags",
});

/**
 * The item id of a release record: `rel-` and the first 24 hex of sha-256 over
 * `<app>\0<version>\0<digest>` (UTF-8).
 *
 * @param {string} app - the app name
 * @param {string} version - the release's version tag
 * @param {string} digest - the bundle's full sha-256 hex digest
 * @returns {Promise<string>}
 */
export async function releaseRecordId(app, version, digest) {
  const bytes = new TextEncoder().encode(`${app}\0${version}\0${digest}`);
  const hash = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes));
  let hex = "";
  for (const b of hash.subarray(0, 12)) hex += b.toString(16).padStart(2, "0");
  return `rel-${hex}`;
}

/**
 * The item id of an app's route record.
 *
 * @param {string} app - the app name
 */
export function routeRecordId(app) {
  return `route-${app}`;
}

/**
 * The item id of a flag record.
 *
 * @param {string} app - the app name
 * @param {string} key - the flag key
 */
export function flagRecordId(app, key) {
  return `flag-${app}-${key}`;
}

/**
 * The release a `gp_release` query value names, or undefined when it is absent or malformed.
 *
 * @param {Record<string, string | string[] | undefined>} query - the page's query parameters
 * @returns {{version: string, digest16: string} | undefined}
 */
export function requestedRelease(query) {
  const raw = query?.gp_release;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== "string") return undefined;
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})@([0-9a-f]{16})$/.exec(value);
  return m ? { version: m[1], digest16: m[2] } : undefined;
}

/**
 * Which release of a route serves this visitor: the one `gp_release` names when it is the
 * route's stable or canary release, else the stable one.
 *
 * @param {{stable: {version: string, digest: string}, canary: {version: string, digest: string} | null}} route - the route record
 * @param {Record<string, string | string[] | undefined>} query - the page's query parameters
 * @returns {{side: "stable" | "canary", ref: {version: string, digest: string}, fallback: boolean}}
 *   `fallback` is true when the query named no release of the route
 */
export function chooseRelease(route, query) {
  const asked = requestedRelease(query);
  const is = (ref) =>
    ref != null &&
    asked !== undefined &&
    ref.version === asked.version &&
    ref.digest.slice(0, 16) === asked.digest16;
  if (is(route.canary)) return { side: "canary", ref: route.canary, fallback: false };
  if (is(route.stable)) return { side: "stable", ref: route.stable, fallback: false };
  return { side: "stable", ref: route.stable, fallback: true };
}

/**
 * Every item a query finds, across pages.
 *
 * @param {any} wixData - the `wix-data` API
 * @param {string} collection - the collection
 * @param {string} field - the field to match
 * @param {unknown} value - the value it must equal
 */
async function findAll(wixData, collection, field, value) {
  let page = await wixData.query(collection).eq(field, value).limit(1000).find();
  const items = [...page.items];
  while (page.hasNext()) {
    page = await page.next();
    items.push(...page.items);
  }
  return items;
}

/**
 * The release record that serves this visitor. When the chosen release has no record (not
 * published yet, or removed), the stable release's record serves instead.
 *
 * @param {any} wixData - the `wix-data` API (`get`, `query`)
 * @param {string} app - the app name
 * @param {Record<string, string | string[] | undefined>} query - the page's query parameters
 * @param {{releases: string, routes: string}} [collections] - collection names @default COLLECTIONS
 * @returns {Promise<{side: "stable" | "canary", fallback: boolean, release: Record<string, unknown>} | undefined>}
 *   undefined when the app has no route record or its stable release has no record
 */
export async function readRelease(wixData, app, query, collections = COLLECTIONS) {
  const route = await wixData.get(collections.routes, routeRecordId(app));
  if (route == null || route.stable == null) return undefined;
  const chosen = chooseRelease(route, query);
  const record = async (ref) =>
    wixData.get(collections.releases, await releaseRecordId(app, ref.version, ref.digest));
  const release = await record(chosen.ref);
  if (release != null) return { side: chosen.side, fallback: chosen.fallback, release };
  if (chosen.side === "stable") return undefined;
  const stable = await record(route.stable);
  return stable == null ? undefined : { side: "stable", fallback: true, release: stable };
}

/**
 * The app's flags, key → value.
 *
 * @param {any} wixData - the `wix-data` API (`query`)
 * @param {string} app - the app name
 * @param {{flags: string}} [collections] - collection names @default COLLECTIONS
 * @returns {Promise<Record<string, unknown>>}
 */
export async function readFlags(wixData, app, collections = COLLECTIONS) {
  const flags = {};
  for (const item of await findAll(wixData, collections.flags, "app", app)) {
    if (typeof item.key === "string") flags[item.key] = item.value;
  }
  return flags;
}

/**
 * The release serving this visitor and the app's flags.
 *
 * @param {{wixData: any, location: {query: Record<string, string | string[] | undefined>}, app: string, collections?: {releases: string, routes: string, flags: string}}} deps
 *   the `wix-data` API, the `wix-location-frontend` API, the app name, and collection names
 *   (@default COLLECTIONS)
 */
export async function readGlidepath({ wixData, location, app, collections = COLLECTIONS }) {
  const [release, flags] = await Promise.all([
    readRelease(wixData, app, location.query ?? {}, collections),
    readFlags(wixData, app, collections),
  ]);
  return { release, flags };
}

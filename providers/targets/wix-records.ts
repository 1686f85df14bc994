/**
 * The Wix target's CMS records: which item id each record has and what it holds. The site-side
 * reader (`apps/wix/velo/public/glidepath-release.js`) computes the same ids in plain
 * JavaScript; a property test keeps the two rules equal.
 *
 * Runs inside serialized dynamic providers: Node built-ins are imported inside function bodies.
 */

/** A release a route points at; `origin` is set when an origin (the Wix site) serves it. */
export interface WixReleaseRef {
  version: string;
  /** sha-256 hex of the bundle. */
  digest: string;
  /** Absolute http(s) URL of the origin that serves this release. */
  origin?: string;
}

/** The route record of an app (collection `routes`, id {@link routeRecordId}): the route document. */
export interface WixRouteRecord {
  app: string;
  stable: WixReleaseRef;
  canary: WixReleaseRef | null;
  /** Canary share of traffic, integer 0–100. */
  weight: number;
  /** First 16 hex of sha-256 over the JSON of the route without `revision`. */
  revision: string;
}

/** The release record (collection `releases`, id {@link releaseRecordId}). */
export interface WixReleaseRecord {
  app: string;
  version: string;
  /** sha-256 hex of the bundle. */
  digest: string;
  /** Number of files in the bundle. */
  files: number;
  /** `<posix path>` → sha-256 hex of the file's content. */
  index: Record<string, string>;
  /** The resource that published it. */
  owner: string;
}

/** A flag record (collection `flags`, id {@link flagRecordId}). */
export interface WixFlagRecord {
  app: string;
  key: string;
  value: unknown;
}

/**
 * The item id of a release record: `rel-` and the first 24 hex of sha-256 over
 * `<app>\0<version>\0<digest>` (UTF-8).
 *
 * @param app - the app name
 * @param version - the release's version tag
 * @param digest - the bundle's full sha-256 hex digest
 */
export async function releaseRecordId(app: string, version: string, digest: string): Promise<string> {
  const crypto = await import("node:crypto");
  const hex = crypto.createHash("sha256").update(`${app}\0${version}\0${digest}`, "utf8").digest("hex");
  return `rel-${hex.slice(0, 24)}`;
}

/**
 * The item id of an app's route record: `route-<app>`.
 *
 * @param app - the app name
 */
export function routeRecordId(app: string): string {
  return `route-${app}`;
}

/**
 * The item id of a flag record: `flag-<app>-<key>`.
 *
 * @param app - the app name
 * @param key - the flag key
 */
export function flagRecordId(app: string, key: string): string {
  return `flag-${app}-${key}`;
}

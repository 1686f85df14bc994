/**
 * Traffic splitting, pure: a visitor key hashed into a bucket 0–99, and the side of a route a
 * bucket lands on. A visitor stays on one side while the weight does not change, and a visitor
 * on the canary at weight w stays on it at every weight above w (buckets below the weight go to
 * the canary), so raising the weight only moves stable visitors over.
 */

/** A release a route points at. */
export interface ReleaseRef {
  version: string;
  digest: string;
  /**
   * Absolute http(s) URL of the origin that serves this release (a Wix site, a Gamma page);
   * absent when the release's files are in the edge's store.
   */
  origin?: string;
}

/** The route document of one app, as the targets write it (`routes/<app>.json`). */
export interface Route {
  app: string;
  stable: ReleaseRef;
  canary: ReleaseRef | null;
  /** Canary share of traffic, integer 0–100. */
  weight: number;
  /** Names this version of the route (sent as `x-glidepath-route-revision`); absent on older routes. */
  revision?: string;
}

/** A revision fits a response header as it is. */
const REVISION = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Whether a text is an origin a route may name: an absolute http(s) URL without credentials.
 *
 * @param text - the route's `origin` field
 */
export function isOrigin(text: unknown): text is string {
  if (typeof text !== "string" || !URL.canParse(text)) return false;
  const u = new URL(text);
  return (u.protocol === "http:" || u.protocol === "https:") && u.username === "" && u.password === "";
}

/** Which release of a route serves a request. */
export type Side = "stable" | "canary";

/**
 * 32-bit FNV-1a of the UTF-16 code units of `text`.
 *
 * @param text - any text
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The bucket (0–99) of a visitor for an app. The app is part of the key, so one visitor's
 * buckets in two apps are independent.
 *
 * @param app - the app, e.g. `wix`
 * @param visitor - the visitor key (cookie value or header)
 */
export function bucketOf(app: string, visitor: string): number {
  // A final avalanche step (murmur3's fmix32) spreads similar keys such as `v1`, `v2`, … evenly.
  let h = fnv1a(`${app}:${visitor}`);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) % 100;
}

/**
 * The side a bucket lands on: the canary when there is one, it is enabled, and the bucket is
 * below the weight.
 *
 * @param route - the app's route
 * @param bucket - the visitor's bucket, 0–99
 * @param canaryEnabled - the app's `CanaryEnabled` flag @default true
 */
export function pickSide(route: Route, bucket: number, canaryEnabled = true): Side {
  return route.canary !== null && canaryEnabled && bucket < route.weight ? "canary" : "stable";
}

/**
 * The directory name of a release on the `local` target: `<version>@<first 16 hex of digest>`.
 *
 * @param ref - the release
 */
export function releaseKey(ref: ReleaseRef): string {
  return `${ref.version}@${ref.digest.slice(0, 16)}`;
}

/**
 * Whether a JSON value is a route document for `app`.
 *
 * @param value - parsed JSON
 * @param app - the app the file was read for
 */
export function isRoute(value: unknown, app: string): value is Route {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Partial<Route>;
  const ref = (x: unknown): boolean =>
    typeof x === "object" &&
    x !== null &&
    typeof (x as ReleaseRef).version === "string" &&
    typeof (x as ReleaseRef).digest === "string" &&
    /^[0-9a-f]{16,64}$/.test((x as ReleaseRef).digest) &&
    (!("origin" in x) || isOrigin((x as ReleaseRef).origin));
  return (
    r.app === app &&
    ref(r.stable) &&
    (r.canary === null || ref(r.canary)) &&
    Number.isInteger(r.weight) &&
    (r.weight as number) >= 0 &&
    (r.weight as number) <= 100 &&
    (!("revision" in r) || (typeof r.revision === "string" && REVISION.test(r.revision)))
  );
}

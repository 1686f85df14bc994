/**
 * Releases served by an origin (a Wix site, a Gamma page) instead of files in the edge's
 * store, pure: the origin URL a request under the app maps to. The release rides along in the
 * `gp_release` query parameter, so the origin (and whoever reads its logs) can tell which
 * release of the route the edge sent the visitor to.
 */
import { type ReleaseRef, releaseKey } from "./bucket.js";

/** The query parameter naming the release, `<version>@<digest16>`. */
export const RELEASE_PARAM = "gp_release";

/**
 * The origin URL of a request: `rest` resolved under the origin (read as a directory, with a
 * trailing slash), the request's query kept (the origin's own query and fragment dropped) and
 * `gp_release` set; null when the path would leave the origin's base path (dot segments,
 * backslashes).
 *
 * @param ref - the release, with its `origin`
 * @param rest - the path after `/<app>/`, still percent-encoded
 * @param search - the request's query, `""` or `?…`
 */
export function originUrl(ref: ReleaseRef & { origin: string }, rest: string, search: string): URL | null {
  const base = new URL(ref.origin.endsWith("/") ? ref.origin : `${ref.origin}/`);
  base.search = "";
  base.hash = "";
  // A backslash is a path separator in http(s) URLs; `./` keeps `//host` and `scheme:` relative.
  if (rest.includes("\\")) return null;
  const url = new URL(`./${rest}`, base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) return null;
  url.search = search;
  url.searchParams.set(RELEASE_PARAM, releaseKey(ref));
  return url;
}

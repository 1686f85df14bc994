/**
 * Proxying a request to the origin that serves a release (see `origin.ts` for the URL): the
 * visitor's method, headers and body go on, with the release (`x-glidepath-release`) and the
 * app's flags (`x-glidepath-flags`) set by the edge; the origin's answer comes back with the
 * router's own headers on top. An origin that cannot be reached is a 502, which the SLO counts
 * like an origin's own 5xx.
 */
import type { ReleaseRef } from "./bucket.js";
import { originUrl } from "./origin.js";

/** What the proxy needs to know about the request's route. */
export interface OriginPick {
  app: string;
  ref: ReleaseRef & { origin: string };
  /** `x-glidepath-flags` ("" when the app has none). */
  flagText: string;
}

/**
 * The origin's answer to a request.
 *
 * @param req - the visitor's request
 * @param pick - the app, its release and flags
 * @param rest - the path after `/<app>/`, still percent-encoded
 * @param search - the request's query, `""` or `?…`
 * @param routerHeaders - the headers the router adds to every app response
 */
export async function fromOrigin(
  req: Request,
  pick: OriginPick,
  rest: string,
  search: string,
  routerHeaders: Readonly<Record<string, string>>,
): Promise<Response> {
  const url = originUrl(pick.ref, rest, search);
  if (url === null) return new Response("not found\n", { status: 404, headers: routerHeaders });
  const headers = new Headers(req.headers);
  headers.delete("host");
  headers.set("x-glidepath-release", `${pick.app}@${pick.ref.version}`);
  if (pick.flagText === "") headers.delete("x-glidepath-flags");
  else headers.set("x-glidepath-flags", pick.flagText);
  const withBody = req.method !== "GET" && req.method !== "HEAD";
  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method,
      headers,
      body: withBody ? req.body : null,
      redirect: "manual",
    });
  } catch {
    return new Response("origin unreachable\n", { status: 502, headers: routerHeaders });
  }
  const out = new Headers(res.headers);
  for (const [k, v] of Object.entries(routerHeaders)) {
    if (k === "set-cookie") out.append(k, v);
    else out.set(k, v);
  }
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: out });
}

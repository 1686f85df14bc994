/**
 * The HTTP SLO source: GET a URL that answers JSON (shapes and their reading in
 * `http-shapes.ts`). Every failure is a miss: connection errors, non-2xx and aborts (`error`),
 * past the timeout (`timeout`), a body that is not JSON (`not_json`), JSON of another shape
 * (`bad_shape`), impossible figures (`out_of_range`).
 *
 * The URL may carry credentials: userinfo is sent as HTTP Basic auth (fetch refuses URLs with
 * userinfo), and neither it nor query values ever appear in `describe()` or a miss's detail.
 * Details quote at most 60 characters of a body.
 *
 * Redirects: at most {@link MAX_REDIRECTS} to the same origin (scheme, host and port) are
 * followed, with the same headers (the auth header too: it only ever goes to the origin the
 * URL names). A redirect to another origin is not followed: it is an `error` miss whose detail
 * names the refused target (redacted), so the gate never judges data the configured source did
 * not serve, and credentials never travel to a host nobody configured.
 */
import { redactUrl } from "../redact";

/** The one URL redaction (`automation/lib/redact.ts`), as the SLO sources use it. */
export { redactUrl };

import { readSloBody } from "./http-shapes";
import { clip, type MissKind, missSample, type SloSample, type SloSource } from "./sample";

export {
  readSloBody,
  type SloFigures,
  sloCountsSchema,
  sloFiguresSchema,
  sloPerAppSchema,
  sloScoreSchema,
} from "./http-shapes";

/** Same-origin redirects followed per sample; one more is an `error` miss. */
export const MAX_REDIRECTS = 3;

/** Statuses that redirect (with a `Location`). */
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Options of {@link httpSloSource}. */
export interface HttpSloOptions {
  /** The endpoint, `http(s)://[user:password@]host[:port]/path[?query]`. */
  url: string;
  /** Per-request timeout (ms), covering connection, headers and body. */
  timeoutMs: number;
  /** Clock for the samples' `at`. @default Date.now */
  now?: () => number;
}

/** What a request needs: the URL without userinfo, headers, and the secrets to keep out of text. */
interface Target {
  href: string;
  headers: Record<string, string>;
  secrets: string[];
}

/** Percent-decodes, keeping malformed text as it is. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The request to make for `url`: userinfo moved into a Basic auth header; undefined for an invalid URL. */
function targetOf(url: string): Target | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const headers: Record<string, string> = { accept: "application/json" };
  const secrets = [u.username, u.password, ...u.searchParams.values()]
    .flatMap((s) => [s, decode(s), encodeURIComponent(s)])
    .filter((s) => s.length >= 3);
  if (u.username || u.password) {
    const pair = `${decode(u.username)}:${decode(u.password)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString("base64")}`;
    u.username = "";
    u.password = "";
  }
  return { href: u.toString(), headers, secrets };
}

/** Text with every secret replaced by `***`. */
function mask(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => t.split(s).join("***"), text);
}

/**
 * Where a redirect leads (pure): the next URL to fetch, or why it is refused.
 *
 * @param from - the URL that answered (no userinfo)
 * @param status - its status, one of the redirect statuses
 * @param location - its `Location` header, if any
 * @param hops - redirects already followed for this sample
 * @returns `{ next }` (userinfo removed) or `{ refused }`, a detail without query values or userinfo
 */
export function followRedirect(
  from: string,
  status: number,
  location: string | null,
  hops: number,
): { next: string } | { refused: string } {
  if (location === null || location.trim() === "")
    return { refused: `HTTP ${status} without a Location header` };
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return { refused: `HTTP ${status} to an invalid Location` };
  }
  if (next.origin !== new URL(from).origin) {
    return {
      refused: `HTTP ${status}: the redirect to another origin (${redactUrl(next.href)}) was refused`,
    };
  }
  if (hops >= MAX_REDIRECTS) return { refused: `HTTP ${status}: more than ${MAX_REDIRECTS} redirects` };
  next.username = "";
  next.password = "";
  next.hash = "";
  return { next: next.href };
}

/** Why fetch failed, as a short code (`ECONNREFUSED`) or message with the secrets masked. */
function failureReason(e: unknown, secrets: readonly string[]): string {
  const cause = e instanceof Error ? e.cause : undefined;
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (typeof code === "string") return code;
  const text = cause instanceof Error ? cause.message : e instanceof Error ? e.message : String(e);
  return clip(mask(text, secrets), 60);
}

/**
 * An HTTP SLO source.
 *
 * @param opts - URL, timeout and clock
 */
export function httpSloSource(opts: HttpSloOptions): SloSource {
  const now = opts.now ?? Date.now;
  const where = redactUrl(opts.url);
  const target = targetOf(opts.url);
  return {
    describe: () => `http ${where}`,
    async sample(app, signal) {
      const at = now();
      const miss = (kind: MissKind, detail: string): SloSample => missSample(at, kind, detail);
      if (target === undefined) return miss("error", "the SLO URL is not a valid URL");
      const timeout = AbortSignal.timeout(opts.timeoutMs);
      let text: string;
      try {
        let href = target.href;
        let res: Response;
        for (let hops = 0; ; hops++) {
          res = await fetch(href, {
            headers: target.headers,
            redirect: "manual",
            signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
          });
          if (!REDIRECTS.has(res.status)) break;
          await res.body?.cancel().catch(() => undefined);
          const hop = followRedirect(href, res.status, res.headers.get("location"), hops);
          if ("refused" in hop) return miss("error", mask(hop.refused, target.secrets));
          href = hop.next;
        }
        if (!res.ok) {
          await res.body?.cancel().catch(() => undefined);
          return miss("error", `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
        }
        text = await res.text();
      } catch (e) {
        if (timeout.aborted) return miss("timeout", `no answer within ${opts.timeoutMs} ms`);
        if (signal?.aborted) return miss("error", "sampling aborted");
        return miss("error", `cannot reach the source (${failureReason(e, target.secrets)})`);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return miss("not_json", `not JSON: ${JSON.stringify(clip(text.trim(), 60))}`);
      }
      return readSloBody(body, app, at);
    },
  };
}

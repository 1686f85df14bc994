/**
 * The HTTP SLO source: GET a URL that answers JSON (shapes and their reading in
 * `http-shapes.ts`). Every failure is a miss: connection errors, non-2xx and aborts (`error`),
 * past the timeout (`timeout`), a body that is not JSON (`not_json`), JSON of another shape
 * (`bad_shape`), impossible figures (`out_of_range`).
 *
 * The URL may carry credentials: userinfo is sent as HTTP Basic auth (fetch refuses URLs with
 * userinfo), and neither it nor query values ever appear in `describe()` or a miss's detail.
 * Details quote at most 60 characters of a body.
 */
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

/** Options of {@link httpSloSource}. */
export interface HttpSloOptions {
  /** The endpoint, `http(s)://[user:password@]host[:port]/path[?query]`. */
  url: string;
  /** Per-request timeout (ms), covering connection, headers and body. */
  timeoutMs: number;
  /** Clock for the samples' `at`. @default Date.now */
  now?: () => number;
}

/**
 * The URL for people: no userinfo, no fragment, query values replaced by `***`.
 *
 * @param url - the URL, possibly with credentials
 * @returns the redacted URL, or `(invalid URL)`
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.hash = "";
    for (const k of new Set(u.searchParams.keys())) u.searchParams.set(k, "***");
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
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

/** Why fetch failed, as a short code (`ECONNREFUSED`) or message with the secrets masked. */
function failureReason(e: unknown, secrets: readonly string[]): string {
  const cause = e instanceof Error ? e.cause : undefined;
  const code = typeof cause === "object" && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (typeof code === "string") return code;
  const text = cause instanceof Error ? cause.message : e instanceof Error ? e.message : String(e);
  return clip(
    secrets.reduce((t, s) => t.split(s).join("***"), text),
    60,
  );
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
        const res = await fetch(target.href, {
          headers: target.headers,
          signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
        });
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

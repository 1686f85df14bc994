/**
 * One GET of an SLO source over HTTP, as the HTTP and Prometheus sources make it. Every failure
 * is a miss kind with a detail, never an exception: connection errors, aborts and refused
 * redirects are `error`, past the timeout `timeout`. A non-2xx answer is returned with its body
 * (the Prometheus API explains its errors in one); the caller decides.
 *
 * The URL may carry credentials: userinfo is sent as HTTP Basic auth (fetch refuses URLs with
 * userinfo), and neither it nor query values ever appear in a detail.
 *
 * Redirects: at most {@link MAX_REDIRECTS} to the same origin (scheme, host and port) are
 * followed, with the same headers (the auth header too: it only ever goes to the origin the
 * URL names). A redirect to another origin is not followed: it is an `error` whose detail
 * names the refused target (redacted), so the gate never judges data the configured source did
 * not serve, and credentials never travel to a host nobody configured.
 */
import { redactUrl } from "../redact";
import { clip, type MissKind } from "./sample";

/** Same-origin redirects followed per request; one more is an `error` miss. */
export const MAX_REDIRECTS = 3;

/** Statuses that redirect (with a `Location`). */
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** What a request needs: the URL without userinfo, headers, and the secrets to keep out of text. */
export interface Target {
  /** The URL without userinfo. */
  href: string;
  /** Headers to send (`accept`, and `authorization` from userinfo). */
  headers: Record<string, string>;
  /** Userinfo and query values (raw, decoded and encoded) to mask in any text shown. */
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

/**
 * The request to make for `url`: userinfo moved into a Basic auth header.
 *
 * @param url - the URL, possibly with credentials
 * @returns the target, or undefined for an invalid URL
 */
export function targetOf(url: string): Target | undefined {
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

/**
 * Text with every secret replaced by `***`.
 *
 * @param text - the text
 * @param secrets - what to mask
 */
export function mask(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => t.split(s).join("***"), text);
}

/**
 * Where a redirect leads (pure): the next URL to fetch, or why it is refused.
 *
 * @param from - the URL that answered (no userinfo)
 * @param status - its status, one of the redirect statuses
 * @param location - its `Location` header, if any
 * @param hops - redirects already followed for this request
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

/** An answer: its status and body text. */
export interface Answer {
  ok: true;
  status: number;
  statusText: string;
  text: string;
}

/** A request that got no answer to judge. */
export interface NoAnswer {
  ok: false;
  kind: Extract<MissKind, "error" | "timeout">;
  detail: string;
}

/**
 * GETs `href` (a URL of `target`'s origin, without userinfo) with `target`'s headers.
 *
 * @param target - headers and secrets ({@link targetOf})
 * @param href - the URL to get @default - target.href
 * @param timeoutMs - bound of the whole request, body included
 * @param signal - aborts it @default - none
 */
export async function getText(
  target: Target,
  href: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Answer | NoAnswer> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    let at = href;
    for (let hops = 0; ; hops++) {
      const res = await fetch(at, {
        headers: target.headers,
        redirect: "manual",
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      if (!REDIRECTS.has(res.status)) {
        return { ok: true, status: res.status, statusText: res.statusText, text: await res.text() };
      }
      await res.body?.cancel().catch(() => undefined);
      const hop = followRedirect(at, res.status, res.headers.get("location"), hops);
      if ("refused" in hop) return { ok: false, kind: "error", detail: mask(hop.refused, target.secrets) };
      at = hop.next;
    }
  } catch (e) {
    if (timeout.aborted) return { ok: false, kind: "timeout", detail: `no answer within ${timeoutMs} ms` };
    if (signal?.aborted) return { ok: false, kind: "error", detail: "sampling aborted" };
    return {
      ok: false,
      kind: "error",
      detail: `cannot reach the source (${failureReason(e, target.secrets)})`,
    };
  }
}

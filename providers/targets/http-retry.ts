/**
 * One HTTP request with the retry rule every remote target uses (Cloudflare, Wix, Gamma):
 * 408, 429 and 5xx answers, timeouts and connection errors are retried with exponential backoff
 * (0.5 s × 2ⁿ, at most 8 s, less up to 25 % jitter), a `Retry-After` (seconds or an HTTP date)
 * or `retry-after-ms` is honoured instead of the backoff, and the number of attempts and the
 * longest wait are bounded, so a target that keeps failing fails the request with a clear
 * error instead of hanging an update.
 *
 * Runs inside serialized dynamic providers: it uses only globals (`fetch`, `AbortSignal`) and
 * captures nothing but the pure helpers below.
 */

/** How a request is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. @default 5 */
  attempts?: number;
  /** First backoff (ms); doubles each retry. @default 500 */
  baseMs?: number;
  /** Longest backoff (ms). @default 8000 */
  maxBackoffMs?: number;
  /** A `Retry-After` longer than this (ms) is not waited for: the request fails. @default 60000 */
  maxRetryAfterMs?: number;
  /** One attempt's timeout (ms). @default 30000 */
  timeoutMs?: number;
  /**
   * Whether sending the request twice is harmless. A request that is not (Gamma's
   * `POST /generations`: each one makes a gamma and uses credits) is retried only when the
   * service cannot have acted on it: a 429, or a connection that was refused. A 5xx or a timeout
   * then fails at once, since the first attempt may have done its work.
   * @default true
   */
  idempotent?: boolean;
}

/**
 * Makes an instance of an Error subclass whole when its class runs from the provider text Pulumi
 * serializes into state: the serializer turns `super(message)` into `Error.call(this, message)`,
 * which sets neither the message nor a stack, and leaves the class's prototype outside Error's (so
 * `instanceof Error` is false and the error reaches the engine without its text). A no-op in
 * ordinary code.
 *
 * @param self - the instance, right after `super(message)`
 * @param message - the message given to `super`
 * @param cls - the class itself (not `new.target`: a subclass must keep its parent)
 */
export function wholeError(
  self: Error,
  message: string,
  cls: abstract new (...args: never[]) => Error,
): void {
  if (!(self instanceof Error)) Object.setPrototypeOf(cls.prototype, Error.prototype);
  if (self.message !== message) {
    Object.defineProperty(self, "message", { value: message, writable: true, configurable: true });
    Error.captureStackTrace(self, cls);
  }
}

/** A request that failed for good: the last answer's status (0 without one) and why. */
export class TargetHttpError extends Error {
  /**
   * @param message - what failed, with the remedy
   * @param status - the last HTTP status, 0 when no answer came
   * @param body - the last answer's body text (at most 500 characters), "" without one
   */
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(message);
    wholeError(this, message, TargetHttpError);
    this.name = "TargetHttpError";
  }
}

/**
 * Whether a status is worth another attempt.
 *
 * @param status - HTTP status
 */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The wait an answer asks for (ms), from `retry-after-ms`, then `retry-after` as seconds or as an
 * HTTP date; undefined when it asks for none.
 *
 * @param headers - the answer's headers
 * @param now - the current time (ms since the epoch) @default Date.now()
 */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get("retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const text = headers.get("retry-after");
  if (text === null || text.trim() === "") return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * The backoff before retry `n` (0 for the first retry), jittered down by up to 25 %.
 *
 * @param n - retry number, from 0
 * @param policy - the retry policy
 * @param random - a number in [0, 1) @default Math.random()
 */
export function backoffMs(n: number, policy: RetryPolicy = {}, random = Math.random()): number {
  const base = policy.baseMs ?? 500;
  const full = Math.min(base * 2 ** n, policy.maxBackoffMs ?? 8000);
  return Math.round(full * (1 - 0.25 * random));
}

/** The error of a request that is not idempotent and may have reached the service. */
function notRetried(what: string, last: string, status: number, body: string): TargetHttpError {
  return new TargetHttpError(
    `${what}: ${last}, not retried: the request may have reached the service and is not safe to send twice; ` +
      "check the service for what it did, then run the command again",
    status,
    body,
  );
}

/**
 * Sends a request, retrying as {@link RetryPolicy} says. Resolves with the first answer that is
 * not retryable (a 2xx, or a 4xx other than 408/429: the caller reads it); rejects with
 * {@link TargetHttpError} when the attempts run out, a `Retry-After` is too long, or the last
 * attempt could not connect.
 *
 * @param what - what the request does, for errors (`cloudflare: PUT KV key routes/wix.json`); never a secret
 * @param url - the URL
 * @param init - method, headers, body (a body must be re-sendable: a string or bytes); or a
 *   function called before each attempt, for a request that must differ per attempt (a signed
 *   one carries a new nonce and timestamp each time)
 * @param policy - retries @default - the defaults of {@link RetryPolicy}
 */
export async function fetchWithRetry(
  what: string,
  url: string,
  init: RequestInit | (() => RequestInit),
  policy: RetryPolicy = {},
): Promise<Response> {
  const attempts = Math.max(1, policy.attempts ?? 5);
  let last = "";
  let lastStatus = 0;
  let lastBody = "";
  for (let n = 0; n < attempts; n++) {
    let wait: number | undefined;
    try {
      const attempt = typeof init === "function" ? init() : init;
      const res = await fetch(url, { ...attempt, signal: AbortSignal.timeout(policy.timeoutMs ?? 30_000) });
      if (!retryableStatus(res.status)) return res;
      lastStatus = res.status;
      lastBody = (await res.text().catch(() => "")).slice(0, 500);
      last = `HTTP ${res.status}`;
      if (policy.idempotent === false && res.status !== 429)
        throw notRetried(what, last, res.status, lastBody);
      wait = retryAfterMs(res.headers);
      if (wait !== undefined && wait > (policy.maxRetryAfterMs ?? 60_000)) {
        throw new TargetHttpError(
          `${what}: the API asked to wait ${Math.ceil(wait / 1000)} s (HTTP ${res.status}), longer than ` +
            `${Math.ceil((policy.maxRetryAfterMs ?? 60_000) / 1000)} s; run the command again later`,
          res.status,
          lastBody,
        );
      }
    } catch (e) {
      if (e instanceof TargetHttpError) throw e;
      const name = (e as Error).name;
      last = name === "TimeoutError" ? "timed out" : `could not connect (${(e as Error).message})`;
      lastStatus = 0;
      lastBody = "";
      const refused = (e as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED";
      if (policy.idempotent === false && !refused) throw notRetried(what, last, 0, "");
    }
    if (n + 1 < attempts) await new Promise((r) => setTimeout(r, wait ?? backoffMs(n, policy)));
  }
  throw new TargetHttpError(
    `${what}: failed after ${attempts} attempts (last: ${last}); check the service's status and run the command again`,
    lastStatus,
    lastBody,
  );
}

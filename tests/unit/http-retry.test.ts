/**
 * The pure parts of the remote targets' retry rule: which statuses are retried, how long an
 * answer asks to wait, and the jittered exponential backoff.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  backoffMs,
  retryAfterMs,
  retryableStatus,
  TargetHttpError,
  wholeError,
} from "../../providers/targets/http-retry";

describe("retryableStatus", () => {
  it("retries 408, 429 and every 5xx, nothing else", () => {
    expect([408, 429, 500, 502, 503, 504, 599].map(retryableStatus)).toEqual(Array(7).fill(true));
    expect([200, 204, 301, 400, 401, 403, 404, 409, 412, 413, 422, 428].map(retryableStatus)).toEqual(
      Array(12).fill(false),
    );
  });
});

describe("retryAfterMs", () => {
  const now = Date.parse("2026-12-01T12:00:00Z");
  const h = (init: Record<string, string>) => new Headers(init);

  it("reads retry-after-ms first, then retry-after as seconds", () => {
    expect(retryAfterMs(h({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
    expect(retryAfterMs(h({ "retry-after": "7" }), now)).toBe(7000);
    expect(retryAfterMs(h({ "retry-after": "0" }), now)).toBe(0);
    expect(retryAfterMs(h({ "retry-after-ms": "-5", "retry-after": "2" }), now)).toBe(2000);
  });

  it("reads an HTTP date as the time left until it, never negative", () => {
    expect(retryAfterMs(h({ "retry-after": "Tue, 01 Dec 2026 12:00:30 GMT" }), now)).toBe(30_000);
    expect(retryAfterMs(h({ "retry-after": "Tue, 01 Dec 2026 11:59:00 GMT" }), now)).toBe(0);
  });

  it("asks for no wait without a usable header", () => {
    expect(retryAfterMs(h({}), now)).toBeUndefined();
    expect(retryAfterMs(h({ "retry-after": "  " }), now)).toBeUndefined();
    expect(retryAfterMs(h({ "retry-after": "soon" }), now)).toBeUndefined();
  });
});

describe("backoffMs", () => {
  it("doubles from 500 ms up to 8 s without jitter", () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffMs(n, {}, 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });

  it("follows the policy's base and cap", () => {
    expect([0, 1, 2, 3].map((n) => backoffMs(n, { baseMs: 10, maxBackoffMs: 35 }, 0))).toEqual([
      10, 20, 35, 35,
    ]);
  });

  it("jitters down by at most a quarter, never up", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const full = backoffMs(n, {}, 0);
          const jittered = backoffMs(n, {}, r);
          return jittered <= full && jittered >= Math.floor(full * 0.75);
        },
      ),
    );
  });
});

describe("wholeError", () => {
  it("leaves an ordinary Error subclass as it is", () => {
    const e = new TargetHttpError("cloudflare: GET KV key k: failed", 500, "");
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe("cloudflare: GET KV key k: failed");
    expect(Object.keys(e)).toEqual(["status", "body", "name"]);
  });

  it("restores the message, stack and Error prototype that Error.call(this) leaves out", () => {
    // What Pulumi's serializer makes of a class extending Error.
    function Serialized(this: Error, message: string) {
      Error.call(this, message);
      wholeError(this, message, Serialized as unknown as new () => Error);
    }
    const e = new (Serialized as unknown as new (m: string) => Error)("boom");
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe("boom");
    expect(typeof e.stack).toBe("string");
  });
});

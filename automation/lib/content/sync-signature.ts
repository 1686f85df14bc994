/**
 * The signature of a sync request, as glidepath's client writes it. The site's endpoint
 * (`apps/wix/velo/backend/sync-signature.js`, an ES module for Velo that this CommonJS CLI
 * cannot import) verifies the same string; `tests/unit/sync-client.test.ts` checks that the two
 * agree and that a change to the method, path, timestamp, nonce, key id or body breaks it.
 *
 * Headers: `x-wiredchaos-key` (key id), `x-wiredchaos-timestamp` (Unix seconds),
 * `x-wiredchaos-nonce` (new per request: 16 random bytes, base64url), `x-wiredchaos-signature`
 * (`v1=` + hex HMAC-SHA256 with the key's secret over the canonical string):
 *
 *     WIREDCHAOS-SYNC-V1 \n METHOD \n /_functions/<name> \n timestamp \n nonce \n key id \n hex sha256(body)
 */
import { createHash, createHmac, randomBytes } from "node:crypto";

/** The header names. */
export const SYNC_HEADERS = {
  key: "x-wiredchaos-key",
  timestamp: "x-wiredchaos-timestamp",
  nonce: "x-wiredchaos-nonce",
  signature: "x-wiredchaos-signature",
} as const;

/** The first line of the canonical string. */
export const SYNC_SCHEME = "WIREDCHAOS-SYNC-V1";

/** What a request's signature covers. */
export interface SignedParts {
  /** HTTP method. */
  method: string;
  /** The path from `/_functions` on (see {@link signedPath}). */
  path: string;
  /** Unix seconds, decimal. */
  timestamp: string;
  /** The request's nonce. */
  nonce: string;
  /** The key id. */
  keyId: string;
  /** The body text (hashed as UTF-8). */
  body: string;
}

/**
 * The signed part of a URL path: from its `/_functions` (or `/_functions-dev`) segment on.
 *
 * @param pathname - the URL's path as sent
 * @returns the signed path, or undefined when the path has no such segment
 */
export function signedPath(pathname: string): string | undefined {
  return /\/_functions(?:-dev)?(?:\/.*)?$/.exec(pathname)?.[0];
}

/**
 * The canonical string of a request.
 *
 * @param p - what the signature covers
 */
export function canonicalString(p: SignedParts): string {
  const digest = createHash("sha256").update(p.body, "utf8").digest("hex");
  return [SYNC_SCHEME, p.method.toUpperCase(), p.path, p.timestamp, p.nonce, p.keyId, digest].join("\n");
}

/**
 * The signature header's value.
 *
 * @param canonical - {@link canonicalString} of the request
 * @param secret - the key's secret
 */
export function signatureOf(canonical: string, secret: string): string {
  return `v1=${createHmac("sha256", secret).update(canonical, "utf8").digest("hex")}`;
}

/**
 * The four auth headers of one attempt: a new nonce and the current time each call.
 *
 * @param parts - method, path, key id, body
 * @param secret - the key's secret
 * @param nowMs - the current time (ms since the epoch)
 * @param nonce - the nonce @default - 16 random bytes, base64url
 */
export function signedHeaders(
  parts: Omit<SignedParts, "timestamp" | "nonce">,
  secret: string,
  nowMs: number,
  nonce: string = randomBytes(16).toString("base64url"),
): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  const signature = signatureOf(canonicalString({ ...parts, timestamp, nonce }), secret);
  return {
    [SYNC_HEADERS.key]: parts.keyId,
    [SYNC_HEADERS.timestamp]: timestamp,
    [SYNC_HEADERS.nonce]: nonce,
    [SYNC_HEADERS.signature]: signature,
  };
}

/**
 * The signature of a sync request, as the endpoint verifies it (plain ES module, no Wix import;
 * glidepath's client, `automation/lib/content/sync-signature.ts`, writes the same string, and a
 * test checks that the two agree).
 *
 * A request carries four headers: `x-wiredchaos-key` (the key id), `x-wiredchaos-timestamp`
 * (Unix seconds), `x-wiredchaos-nonce` (16 to 128 characters of `A-Z a-z 0-9 _ -`, new for each
 * request) and `x-wiredchaos-signature` (`v1=` and the lower-case hex HMAC-SHA256, keyed with the
 * key's secret as UTF-8, of the canonical string below). The canonical string is these lines,
 * joined by `\n`, without a trailing newline:
 *
 *     WIREDCHAOS-SYNC-V1
 *     <method, upper case>
 *     <path from "/_functions" on, e.g. /_functions/sync>
 *     <timestamp>
 *     <nonce>
 *     <key id>
 *     <lower-case hex SHA-256 of the body's UTF-8 bytes>
 *
 * Crypto comes from Node's `crypto` module (`createHash`, `createHmac`, `timingSafeEqual`), which
 * Velo's backend (Node.js) provides; nothing else is needed.
 */
// biome-ignore lint/style/useNodejsImportProtocol: Velo's backend resolves the bare name; the `node:` scheme is not documented there.
import { createHash, createHmac, timingSafeEqual } from "crypto";

/** The header names (lower case, as Velo gives them). */
export const HEADERS = Object.freeze({
  key: "x-wiredchaos-key",
  timestamp: "x-wiredchaos-timestamp",
  nonce: "x-wiredchaos-nonce",
  signature: "x-wiredchaos-signature",
});

/** The first line of the canonical string: the scheme's version. */
export const SCHEME = "WIREDCHAOS-SYNC-V1";

/** A nonce's syntax. */
export const NONCE = /^[A-Za-z0-9_-]{16,128}$/;

/** A timestamp's syntax: Unix seconds, decimal, no sign. */
export const TIMESTAMP = /^[0-9]{1,12}$/;

/** A signature header's syntax. */
export const SIGNATURE = /^v1=[0-9a-f]{64}$/;

/**
 * The signed part of a URL's path: from its `/_functions` (or `/_functions-dev`) segment on, so
 * a site prefix (`/<site>` on a free site, `/site/<id>` on the loopback fake) is not part of it.
 *
 * @param {string} pathname - the URL's path, percent-encoded as sent
 * @returns {string | null} the signed path, or null when the path has no such segment
 */
export function signedPath(pathname) {
  const m = /\/_functions(?:-dev)?(?:\/.*)?$/.exec(pathname);
  return m === null ? null : m[0];
}

/**
 * The lower-case hex SHA-256 of a body.
 *
 * @param {string} body - the body text (hashed as UTF-8)
 */
export function bodyDigest(body) {
  return createHash("sha256").update(body, "utf8").digest("hex");
}

/**
 * The canonical string of a request.
 *
 * @param {{method: string, path: string, timestamp: string, nonce: string, keyId: string, body: string}} r
 */
export function canonicalString(r) {
  return [SCHEME, r.method.toUpperCase(), r.path, r.timestamp, r.nonce, r.keyId, bodyDigest(r.body)].join(
    "\n",
  );
}

/**
 * The signature header's value for a canonical string and a secret.
 *
 * @param {string} canonical - the canonical string
 * @param {string} secret - the key's secret
 */
export function signatureOf(canonical, secret) {
  return `v1=${createHmac("sha256", secret).update(canonical, "utf8").digest("hex")}`;
}

/**
 * Whether a signature header matches, in constant time for headers of the expected form.
 *
 * @param {string} given - the request's signature header (already checked against {@link SIGNATURE})
 * @param {string} expected - {@link signatureOf} the request
 */
export function sameSignature(given, expected) {
  const a = Buffer.from(given, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

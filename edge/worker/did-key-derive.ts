/**
 * The deterministic `did:key` bootstrap, written once against WebCrypto so the same code runs
 * in Node (`globalThis.crypto.subtle`, the `glidepath did init` CLI), in a browser (the edge
 * serves this function as the ES module `/_glidepath/did-key.js`) and in a Worker on workerd.
 *
 * Derivation (version 1):
 *
 * - `seed = HKDF-SHA256(IKM = UTF-8(entropy), salt = UTF-8("glidepath/did:key/v1"),
 *   info = UTF-8("did:key ed25519\n" + network + "\n" + subject), L = 32)` (RFC 5869);
 * - the seed is the RFC 8032 Ed25519 private key (imported as PKCS#8: the fixed prefix
 *   `302e020100300506032b657004220420` followed by the seed), and its public key `x` gives
 *   `did:key:z` + base58btc(`0xed 0x01` ‖ x) (the multicodec `ed25519-pub`).
 *
 * Identical `(method, network, subject, entropy)` give an identical DID and key; a different
 * network or subject gives an unrelated key from the same entropy. Neither network nor subject
 * may hold a newline, so the `info` string is unambiguous.
 *
 * The module imports nothing and its functions refer only to each other and to their own
 * constants: the edge serves their source text as the browser module ({@link didKeyModuleSource}),
 * so what the browser runs is exactly what the CLI runs.
 */

/** The input of {@link deriveDidKey}. */
export interface DidKeyInput {
  /** The DID method; only `key` is supported. */
  method: string;
  /** The network the identity belongs to (`^[a-z0-9][a-z0-9._-]{0,63}$`), e.g. `mainnet`. */
  network: string;
  /** The subject the identity names (`^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,254}$`), e.g. `operator@example`. */
  subject: string;
  /** The secret entropy, 16 to 1024 UTF-8 bytes (e.g. `openssl rand -hex 32`). Never echoed in an error. */
  entropy: string;
}

/** The derived identity. */
export interface DidKeyIdentity {
  /** `did:key:z6Mk…`. */
  did: string;
  /** The multibase (`z…`) form of the public key, which is also the verification method's fragment. */
  publicKeyMultibase: string;
  /** The Ed25519 key pair as a JWK (`d` is the private key: as secret as the entropy). */
  privateKeyJwk: { kty: "OKP"; crv: "Ed25519"; x: string; d: string };
  /** The KDF and its parameters (no secret), so a reader can re-derive the key. */
  kdf: { name: "HKDF-SHA256"; salt: string; info: string; length: 32 };
}

/** An input {@link deriveDidKey} refuses; `field` names the input, the message never quotes the entropy. */
export interface DidKeyInputError {
  field: "method" | "network" | "subject" | "entropy";
  message: string;
}

/**
 * HKDF-SHA256 (RFC 5869) through WebCrypto.
 *
 * @param ikm - input keying material
 * @param salt - the salt (may be empty)
 * @param info - the context (may be empty)
 * @param length - output bytes (at most 255 × 32)
 */
export async function hkdfSha256(
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number,
): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey("raw", ikm as Uint8Array<ArrayBuffer>, "HKDF", false, ["deriveBits"]);
  const params = {
    name: "HKDF",
    hash: "SHA-256",
    salt: salt as Uint8Array<ArrayBuffer>,
    info: info as Uint8Array<ArrayBuffer>,
  };
  return new Uint8Array(await subtle.deriveBits(params, key, length * 8));
}

/**
 * base58btc (the Bitcoin alphabet; each leading zero byte is one `1`), without the multibase `z`.
 *
 * @param bytes - the bytes
 */
export function base58btc(bytes: Uint8Array): string {
  const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  const digits: number[] = [];
  for (const byte of bytes) {
    let carry = byte;
    for (let i = 0; i < digits.length; i++) {
      carry += (digits[i] as number) << 8;
      digits[i] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  let out = "";
  for (const byte of bytes) {
    if (byte !== 0) break;
    out += ALPHABET[0];
  }
  for (let i = digits.length - 1; i >= 0; i--) out += ALPHABET[digits[i] as number];
  return out;
}

/**
 * The Ed25519 key pair and `did:key` of an RFC 8032 private key (the 32-byte seed), through
 * WebCrypto: the seed is imported as PKCS#8 and its public key read back from the JWK export.
 *
 * @param seed - the 32-byte private key
 */
export async function didKeyOfSeed(
  seed: Uint8Array,
): Promise<Pick<DidKeyIdentity, "did" | "publicKeyMultibase" | "privateKeyJwk">> {
  if (seed.length !== 32) throw new Error(`an Ed25519 private key has 32 bytes, not ${seed.length}`);
  const PKCS8_ED25519 = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
  ];
  const pkcs8 = new Uint8Array(48);
  pkcs8.set(PKCS8_ED25519);
  pkcs8.set(seed, 16);
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  pkcs8.fill(0);
  const jwk = (await subtle.exportKey("jwk", key)) as { x?: string; d?: string };
  if (jwk.x === undefined || jwk.d === undefined)
    throw new Error("WebCrypto exported an Ed25519 JWK without x or d");
  const x = atob(jwk.x.replace(/-/g, "+").replace(/_/g, "/"));
  const multibase = `z${base58btc(Uint8Array.from([0xed, 0x01, ...Array.from(x, (c) => c.charCodeAt(0))]))}`;
  return {
    did: `did:key:${multibase}`,
    publicKeyMultibase: multibase,
    privateKeyJwk: { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d },
  };
}

/**
 * Derives the `did:key` identity of `(method, network, subject, entropy)`.
 *
 * @param input - the method, network, subject and entropy
 * @returns the identity, or `{ error }` naming the refused field (nothing derived)
 */
export async function deriveDidKey(
  input: DidKeyInput,
): Promise<DidKeyIdentity | { error: DidKeyInputError }> {
  const NETWORK = /^[a-z0-9][a-z0-9._-]{0,63}$/;
  const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,254}$/;
  const SALT = "glidepath/did:key/v1";
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const fail = (field: DidKeyInputError["field"], message: string) => ({ error: { field, message } });
  const { method, network, subject, entropy } = input;
  if (method !== "key")
    return fail("method", `method ${JSON.stringify(method)} is not supported: only "key" (did:key) is`);
  if (typeof network !== "string" || !NETWORK.test(network))
    return fail("network", `network ${JSON.stringify(network)} does not match ${NETWORK}`);
  if (typeof subject !== "string" || !SUBJECT.test(subject))
    return fail("subject", `subject ${JSON.stringify(subject)} does not match ${SUBJECT}`);
  const ikm = typeof entropy === "string" ? utf8(entropy) : new Uint8Array();
  if (ikm.length < 16 || ikm.length > 1024)
    return fail("entropy", `the entropy has ${ikm.length} UTF-8 bytes; it needs 16 to 1024`);
  const info = `did:key ed25519\n${network}\n${subject}`;
  const seed = await hkdfSha256(ikm, utf8(SALT), utf8(info), 32);
  try {
    return { ...(await didKeyOfSeed(seed)), kdf: { name: "HKDF-SHA256", salt: SALT, info, length: 32 } };
  } finally {
    seed.fill(0);
    ikm.fill(0);
  }
}

/**
 * The ES module the edge serves at `/_glidepath/did-key.js`: {@link deriveDidKey}'s own source
 * text, exported. A page runs `(await import("/_glidepath/did-key.js")).deriveDidKey({...})`.
 */
export function didKeyModuleSource(): string {
  const parts = [hkdfSha256, base58btc, didKeyOfSeed, deriveDidKey].map((f) => `export ${f.toString()}\n`);
  return `// glidepath did:key bootstrap (HKDF-SHA256 -> Ed25519 -> did:key), WebCrypto only.\n${parts.join("")}`;
}

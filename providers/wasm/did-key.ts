/**
 * `did:key` identifiers for Ed25519 public keys: `did:key:` + multibase base58btc (`z`) of
 * the multicodec `ed25519-pub` prefix (varint 0xed → bytes `0xed 0x01`) and the 32-byte key.
 * Such an identifier always starts with `did:key:z6Mk`. The W3C CCG did:key test vectors
 * (`test-vectors/ed25519-x25519.json`) are the unit tests of this module.
 *
 * base58btc is the Bitcoin alphabet (no `0`, `O`, `I`, `l`); each leading zero byte is one
 * `1`. No base58 library is installed, so the encoder (shared with the did:key bootstrap) and
 * the decoder below are the whole codec; they run inside the serialized WasmDeliverable
 * provider and capture only their alphabets.
 */

import { base58btc } from "../../edge/worker/did-key-derive";

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const ED25519_PUB = [0xed, 0x01] as const;

/**
 * Encodes bytes in base58btc (without the multibase `z`): the did:key bootstrap's encoder
 * (`edge/worker/did-key-derive.ts`, which must stay self-contained for the browser), shared.
 */
export const base58btcEncode: (bytes: Uint8Array) => string = base58btc;

/**
 * Decodes base58btc text (without the multibase `z`).
 *
 * @param text - base58btc characters
 * @returns the bytes, or undefined when a character is outside the alphabet
 */
export function base58btcDecode(text: string): Uint8Array | undefined {
  const bytes: number[] = [];
  for (const ch of text) {
    let carry = ALPHABET.indexOf(ch);
    if (carry < 0) return undefined;
    for (let i = 0; i < bytes.length; i++) {
      carry += (bytes[i] as number) * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  let zeros = 0;
  while (text[zeros] === ALPHABET[0]) zeros++;
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...bytes.reverse()]);
}

/**
 * The `did:key` of an Ed25519 public key.
 *
 * @param publicKey - the raw 32-byte public key
 */
export function didKeyOf(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new Error(`an Ed25519 public key has 32 bytes, not ${publicKey.length}`);
  return `did:key:z${base58btcEncode(Uint8Array.from([...ED25519_PUB, ...publicKey]))}`;
}

/**
 * The raw Ed25519 public key a `did:key` names.
 *
 * @param did - `did:key:z6Mk…`
 * @returns the 32 bytes, or undefined when `did` is not an Ed25519 did:key
 */
export function publicKeyOfDidKey(did: string): Uint8Array | undefined {
  const m = /^did:key:z([1-9A-HJ-NP-Za-km-z]+)$/.exec(did);
  const bytes = m?.[1] === undefined ? undefined : base58btcDecode(m[1]);
  if (bytes?.length !== 34 || bytes[0] !== ED25519_PUB[0] || bytes[1] !== ED25519_PUB[1]) return undefined;
  return bytes.subarray(2);
}

/** An Ed25519 did:key, for zod schemas (`did:key:z6Mk` and 44 more base58btc characters at most). */
export const DID_KEY_ED25519 = /^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{40,46}$/;

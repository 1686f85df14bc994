/**
 * did:key for Ed25519 (multicodec ed25519-pub, multibase base58btc) against the W3C CCG
 * did:key test vectors (test-vectors/ed25519-x25519.json), and the base58btc codec.
 */
import * as crypto from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  base58btcDecode,
  base58btcEncode,
  DID_KEY_ED25519,
  didKeyOf,
  publicKeyOfDidKey,
} from "../../providers/wasm/did-key";
import { signManifest } from "../../providers/wasm/signature";
import { pemOfSeed } from "../helpers/wasm-cli";

/** The public key of a seed, raw. */
function publicKeyOf(seedHex: string): Uint8Array {
  const jwk = crypto.createPublicKey(pemOfSeed(seedHex)).export({ format: "jwk" });
  return new Uint8Array(Buffer.from(jwk.x as string, "base64url"));
}

const VECTORS = [
  {
    seed: "0".repeat(64),
    did: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
    publicKeyBase58: "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS",
  },
  { seed: `${"0".repeat(63)}1`, did: "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG" },
];

describe("did:key (W3C test vectors)", () => {
  for (const v of VECTORS) {
    it(`seed ${v.seed.slice(-2)} gives ${v.did}`, async () => {
      const pub = publicKeyOf(v.seed);
      expect(didKeyOf(pub)).toBe(v.did);
      expect(Buffer.from(publicKeyOfDidKey(v.did) ?? []).equals(Buffer.from(pub))).toBe(true);
      expect(v.did).toMatch(DID_KEY_ED25519);
      if (v.publicKeyBase58) expect(base58btcEncode(pub)).toBe(v.publicKeyBase58);
      // The signer wasm sign names is the vector's did:key.
      expect((await signManifest({ a: 1 }, pemOfSeed(v.seed))).signer).toBe(v.did);
    });
  }

  it("refuses what is not an Ed25519 did:key", () => {
    expect(publicKeyOfDidKey("did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc")).toBeUndefined();
    expect(publicKeyOfDidKey("did:key:zIl0O")).toBeUndefined();
    expect(publicKeyOfDidKey("did:web:example.com")).toBeUndefined();
    expect(() => didKeyOf(new Uint8Array(31))).toThrow(/32 bytes/);
  });
});

describe("base58btc", () => {
  it("keeps leading zero bytes as '1's", () => {
    expect(base58btcEncode(Uint8Array.from([0, 0, 1]))).toBe("112");
    expect(base58btcEncode(new Uint8Array())).toBe("");
    expect([...(base58btcDecode("112") ?? [])]).toEqual([0, 0, 1]);
    expect(base58btcDecode("0OIl")).toBeUndefined();
  });

  it("decodes what it encodes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(Buffer.from(base58btcDecode(base58btcEncode(bytes)) ?? []).equals(Buffer.from(bytes))).toBe(
          true,
        );
      }),
    );
  });
});

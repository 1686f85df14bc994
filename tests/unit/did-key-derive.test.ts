/**
 * The did:key bootstrap derivation (`edge/worker/did-key-derive.ts`), on Node's WebCrypto: the
 * RFC 5869 HKDF-SHA256 test vectors (A.1–A.3), the W3C CCG did:key Ed25519 test vectors, and
 * the derivation's determinism, separation and refusals. The browser and workerd run the same
 * functions (tests/e2e/did-key.test.ts).
 */
import { describe, expect, it } from "vitest";
import {
  base58btc,
  type DidKeyIdentity,
  deriveDidKey,
  didKeyModuleSource,
  didKeyOfSeed,
  hkdfSha256,
} from "../../edge/worker/did-key-derive";
import { base58btcEncode, publicKeyOfDidKey } from "../../providers/wasm/did-key";

const hex = (s: string) => Uint8Array.from(Buffer.from(s, "hex"));
const range = (a: number, b: number) => Uint8Array.from({ length: b - a + 1 }, (_, i) => a + i);
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("HKDF-SHA256: RFC 5869 appendix A test vectors", () => {
  it("A.1 basic test case", async () => {
    const okm = await hkdfSha256(new Uint8Array(22).fill(0x0b), range(0x00, 0x0c), range(0xf0, 0xf9), 42);
    expect(toHex(okm)).toBe(
      "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    );
  });
  it("A.2 longer inputs and outputs", async () => {
    const okm = await hkdfSha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82);
    expect(toHex(okm)).toBe(
      "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c" +
        "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71" +
        "cc30c58179ec3e87c14c01d5c1f3434f1d87",
    );
  });
  it("A.3 zero-length salt and info", async () => {
    const okm = await hkdfSha256(new Uint8Array(22).fill(0x0b), new Uint8Array(), new Uint8Array(), 42);
    expect(toHex(okm)).toBe(
      "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
    );
  });
});

describe("did:key of an Ed25519 seed: W3C CCG test vectors (ed25519-x25519.json)", () => {
  it("the all-zero seed", async () => {
    const id = await didKeyOfSeed(new Uint8Array(32));
    expect(id.did).toBe("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp");
    expect(base58btc(Buffer.from(id.privateKeyJwk.x, "base64url"))).toBe(
      "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS",
    );
  });
  it("the seed 00…01", async () => {
    expect((await didKeyOfSeed(hex(`${"00".repeat(31)}01`))).did).toBe(
      "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG",
    );
  });
  it('HKDF then did:key: ikm "input", salt "glidepath/v1", info "did:key ed25519"', async () => {
    const te = new TextEncoder();
    const seed = await hkdfSha256(
      te.encode("input"),
      te.encode("glidepath/v1"),
      te.encode("did:key ed25519"),
      32,
    );
    expect((await didKeyOfSeed(seed)).did).toBe("did:key:z6Mkepu8chKwmCxzy96WCZyhumboXPBkdqNpzy2SwBVtsG5w");
  });
  it("encodes base58btc as the signature codec does (leading zeros, random bytes)", () => {
    for (const b of [new Uint8Array(), new Uint8Array(3), hex("0000ff01"), range(0, 255)])
      expect(base58btc(b)).toBe(base58btcEncode(b));
  });
});

const input = { method: "key", network: "testnet", subject: "operator@example", entropy: "e".repeat(32) };

describe("deriveDidKey", () => {
  it("is deterministic: identical inputs give the identical DID and key", async () => {
    const a = (await deriveDidKey(input)) as DidKeyIdentity;
    const b = (await deriveDidKey({ ...input })) as DidKeyIdentity;
    expect(a.did).toMatch(/^did:key:z6Mk/);
    expect(b).toEqual(a);
    expect(publicKeyOfDidKey(a.did)).toEqual(Uint8Array.from(Buffer.from(a.privateKeyJwk.x, "base64url")));
    expect(a.kdf).toEqual({
      name: "HKDF-SHA256",
      salt: "glidepath/did:key/v1",
      info: "did:key ed25519\ntestnet\noperator@example",
      length: 32,
    });
  });
  it("is HKDF-SHA256 of the documented salt and info, used as the Ed25519 seed", async () => {
    const te = new TextEncoder();
    const seed = await hkdfSha256(
      te.encode(input.entropy),
      te.encode("glidepath/did:key/v1"),
      te.encode("did:key ed25519\ntestnet\noperator@example"),
      32,
    );
    expect(((await deriveDidKey(input)) as DidKeyIdentity).did).toBe((await didKeyOfSeed(seed)).did);
  });
  it("separates networks, subjects and entropies", async () => {
    const dids = await Promise.all(
      [
        input,
        { ...input, network: "mainnet" },
        { ...input, subject: "operator@other" },
        { ...input, entropy: `${input.entropy}x` },
      ].map(async (i) => ((await deriveDidKey(i)) as DidKeyIdentity).did),
    );
    expect(new Set(dids).size).toBe(4);
  });
  it.each([
    ["method web", { method: "web" }, "method", '"web"'],
    ["a network with a space", { network: "Main Net" }, "network", '"Main Net"'],
    ["a subject with a newline", { subject: "a\nb" }, "subject", '"a\\nb"'],
    ["15 bytes of entropy", { entropy: "x".repeat(15) }, "entropy", "15 UTF-8 bytes"],
    ["1025 bytes of entropy", { entropy: "x".repeat(1025) }, "entropy", "1025 UTF-8 bytes"],
  ])("refuses %s, naming the field", async (_, patch, field, quoted) => {
    const r = await deriveDidKey({ ...input, ...patch });
    expect(r).toEqual({ error: { field, message: expect.stringContaining(quoted) } });
  });
  it("never quotes the entropy in a refusal", async () => {
    const r = (await deriveDidKey({ ...input, entropy: "secret-short" })) as { error: { message: string } };
    expect(r.error.message).not.toContain("secret-short");
  });
});

describe("the module the edge serves", () => {
  it("is the same functions' source, loadable as an ES module, and derives the same DID", async () => {
    const src = didKeyModuleSource();
    expect(src).toContain(`export ${deriveDidKey.toString()}`);
    const m = (await import(`data:text/javascript;base64,${Buffer.from(src).toString("base64")}`)) as {
      deriveDidKey: typeof deriveDidKey;
    };
    expect(await m.deriveDidKey(input)).toEqual(await deriveDidKey(input));
  });
});

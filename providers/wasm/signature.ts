/**
 * Signed WASM manifests. A signature is Ed25519 over the manifest's canonical bytes without
 * its `signature` member: the JSON text with every object's keys sorted by UTF-16 code units
 * and no whitespace, UTF-8 encoded (the manifest holds only strings, integers, booleans,
 * arrays and objects, so this is its RFC 8785 canonical form). The signer is named by its
 * `did:key`, from which a verifier takes the public key: no key travels with the manifest
 * but the public one, and a private key never enters state or the repository.
 *
 * These functions run inside the serialized WasmDeliverable provider: Node built-ins are
 * imported inside their bodies.
 */
import { didKeyOf, publicKeyOfDidKey } from "./did-key";

/** The `signature` member of a signed manifest. */
export interface ManifestSignature {
  /** Always `Ed25519`. */
  algorithm: "Ed25519";
  /** The signer's `did:key` (`did:key:z6Mk…`). */
  signer: string;
  /** The 64-byte signature, base64url without padding. */
  value: string;
}

/** What a signature check found. */
export type SignatureStatus = "valid" | "invalid" | "unsigned";

/**
 * Canonical JSON text: keys sorted, no whitespace.
 *
 * @param value - a JSON value
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The bytes a manifest's signature covers: its canonical JSON without `signature`.
 *
 * @param manifest - a manifest, signed or not
 */
export function signedBytesOf(manifest: object): Uint8Array {
  const { signature: _ignored, ...rest } = manifest as Record<string, unknown>;
  return new TextEncoder().encode(canonicalJson(rest));
}

/**
 * Signs a manifest.
 *
 * @param manifest - the manifest (a `signature` member already there is replaced)
 * @param privateKeyPem - an Ed25519 private key, PKCS#8 PEM
 * @throws Error when the key is not an Ed25519 private key
 */
export async function signManifest(manifest: object, privateKeyPem: string): Promise<ManifestSignature> {
  const crypto = await import("node:crypto");
  const key = crypto.createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== "ed25519") {
    throw new Error(`expected an Ed25519 private key, got ${key.asymmetricKeyType ?? key.type}`);
  }
  const jwk = crypto.createPublicKey(key).export({ format: "jwk" });
  const signer = didKeyOf(new Uint8Array(Buffer.from(jwk.x as string, "base64url")));
  const value = crypto.sign(null, signedBytesOf(manifest), key).toString("base64url");
  return { algorithm: "Ed25519", signer, value };
}

/**
 * Checks a manifest's signature against the key its `did:key` names.
 *
 * @param manifest - a parsed manifest
 * @returns `unsigned` without a `signature` member; `invalid` when it is malformed, names no
 *   Ed25519 did:key, or does not verify over {@link signedBytesOf}; else `valid`
 */
export async function verifyManifest(manifest: object): Promise<SignatureStatus> {
  const sig = (manifest as { signature?: unknown }).signature;
  if (sig === undefined) return "unsigned";
  if (sig === null || typeof sig !== "object") return "invalid";
  const { algorithm, signer, value } = sig as Record<string, unknown>;
  if (algorithm !== "Ed25519" || typeof signer !== "string" || typeof value !== "string") return "invalid";
  const raw = publicKeyOfDidKey(signer);
  const bytes = Buffer.from(value, "base64url");
  if (raw === undefined || bytes.length !== 64 || bytes.toString("base64url") !== value) return "invalid";
  const crypto = await import("node:crypto");
  const key = crypto.createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") },
    format: "jwk",
  });
  return crypto.verify(null, signedBytesOf(manifest), key, bytes) ? "valid" : "invalid";
}

/** What a stack (or `glidepath wasm inspect`) requires of signatures. */
export interface SignaturePolicy {
  /** An unsigned manifest is refused. @default false */
  required?: boolean;
  /** The did:keys whose signatures are accepted. @default - any signer */
  signers?: readonly string[];
}

/** Reason codes of a signature check. */
export type SignatureReasonCode = "signature_invalid" | "signature_missing" | "signer_not_trusted";

/**
 * The reason codes a signature check gives under a policy: an invalid signature always fails;
 * an unsigned manifest fails when signatures are required; a valid one by a signer outside
 * `signers` fails.
 *
 * @param status - what {@link verifyManifest} found
 * @param signer - the signer the manifest names @default - none
 * @param policy - the policy
 */
export function signatureReasonCodes(
  status: SignatureStatus,
  signer: string | undefined,
  policy: SignaturePolicy,
): SignatureReasonCode[] {
  if (status === "invalid") return ["signature_invalid"];
  if (status === "unsigned") return policy.required ? ["signature_missing"] : [];
  const signers = policy.signers ?? [];
  return signers.length > 0 && !signers.includes(signer ?? "") ? ["signer_not_trusted"] : [];
}

/**
 * Why a deliverable's manifest does not meet a stack's signature policy, as one sentence that
 * starts with its reason codes; undefined when it does.
 *
 * @param manifest - the manifest the deliverable writes, with its signature if any
 * @param policy - the stack's policy
 */
export async function signatureIssue(manifest: object, policy: SignaturePolicy): Promise<string | undefined> {
  const status = await verifyManifest(manifest);
  const signer = (manifest as { signature?: { signer?: unknown } }).signature?.signer;
  const codes = signatureReasonCodes(status, typeof signer === "string" ? signer : undefined, policy);
  if (codes.length === 0) return undefined;
  const fix =
    status === "valid"
      ? "sign it with a key of a trusted signer (glidepath:wasmSigning.signers)"
      : "package and sign this module with `glidepath wasm package` and `glidepath wasm sign`, then set the signature it prints";
  return `${codes.join(", ")}: the manifest's signature is ${status === "valid" ? `by ${String(signer)}, not a trusted signer` : status}; ${fix}`;
}

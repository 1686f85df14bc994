/**
 * Ed25519 signatures in OpenSSH's SSHSIG format (the format of `ssh-keygen -Y sign`), made and
 * checked with `node:crypto`. Every signature carries a namespace (`glidepath-audit`, …) that is
 * part of what is signed, so a signature made for one purpose (a git commit, an approval) is never
 * accepted for another. The same signature verifies with
 * `ssh-keygen -Y verify -n <namespace> -f allowed_signers -I <principal> -s <sig>`, and one that
 * `ssh-keygen -Y sign` made (a key kept in ssh-agent or on a token) verifies here. Pure.
 */
import { createHash, type KeyObject, sign, verify } from "node:crypto";
import { ED25519, ed25519Blob, fingerprintOf, keyFromBlob, SshReader, sshString } from "./ssh-wire";

const MAGIC = Buffer.from("SSHSIG");
const VERSION = 1;
/** The message digest SSHSIG signs (`ssh-keygen` uses sha512 by default). */
const HASH = "sha512";

/** The bytes an SSHSIG signature is computed over. */
function signedData(namespace: string, hash: string, message: Buffer): Buffer {
  return Buffer.concat([
    MAGIC,
    sshString(namespace),
    sshString(""),
    sshString(hash),
    sshString(createHash(hash).update(message).digest()),
  ]);
}

/**
 * Signs a message: the SSHSIG blob, base64 (what sits between the armor lines of
 * `ssh-keygen -Y sign` output, on one line).
 *
 * @param message - the bytes signed
 * @param namespace - the purpose, e.g. `glidepath-audit`
 * @param privateKey - an Ed25519 private key
 */
export function sshsigSign(message: Buffer | string, namespace: string, privateKey: KeyObject): string {
  const msg = typeof message === "string" ? Buffer.from(message, "utf8") : message;
  const sig = sign(null, signedData(namespace, HASH, msg), privateKey);
  const blob = Buffer.concat([
    MAGIC,
    Buffer.from([0, 0, 0, VERSION]),
    sshString(ed25519Blob(privateKey)),
    sshString(namespace),
    sshString(""),
    sshString(HASH),
    sshString(Buffer.concat([sshString(ED25519), sshString(sig)])),
  ]);
  return blob.toString("base64");
}

/** What a signature says about itself, once its bytes are checked. */
export interface SshsigParts {
  /** The signer's public-key blob. */
  keyBlob: Buffer;
  /** Its fingerprint (`SHA256:…`). */
  fingerprint: string;
  /** The namespace it was made for. */
  namespace: string;
}

/**
 * Reads an SSHSIG signature (base64 blob, or the armored text `ssh-keygen -Y sign` writes) and
 * checks it over `message`.
 *
 * @param signature - the signature
 * @param message - the bytes it should sign
 * @returns the signer's key and the namespace, with `valid` telling whether the signature holds;
 *   `undefined` when the signature cannot be read at all
 */
export function sshsigVerify(
  signature: string,
  message: Buffer | string,
): (SshsigParts & { valid: boolean }) | undefined {
  const msg = typeof message === "string" ? Buffer.from(message, "utf8") : message;
  const text = signature.replace(/-----(BEGIN|END) SSH SIGNATURE-----/g, "").replace(/\s+/g, "");
  try {
    const r = new SshReader(Buffer.from(text, "base64"));
    if (!r.bytes(6).equals(MAGIC) || r.uint32() !== VERSION) return undefined;
    const keyBlob = Buffer.from(r.string());
    const namespace = r.string().toString("utf8");
    r.string(); // reserved
    const hash = r.string().toString("utf8");
    const sigBlob = new SshReader(r.string());
    if (!r.done() || (hash !== "sha512" && hash !== "sha256")) return undefined;
    if (sigBlob.string().toString("utf8") !== ED25519) return undefined;
    const sig = sigBlob.string();
    const key = keyFromBlob(keyBlob);
    const valid = sigBlob.done() && verify(null, signedData(namespace, hash, msg), key, sig);
    return { keyBlob, fingerprint: fingerprintOf(keyBlob), namespace, valid };
  } catch {
    return undefined;
  }
}

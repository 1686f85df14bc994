/**
 * The SSH wire encoding (RFC 4251 §5) of what an Ed25519 signature needs: length-prefixed
 * strings, the `ssh-ed25519` public-key blob, and its fingerprint as `ssh-keygen -l` prints it
 * (`SHA256:` and unpadded base64). Pure.
 */
import { createHash, createPublicKey, type KeyObject } from "node:crypto";

/** The only key type glidepath signs and verifies with. */
export const ED25519 = "ssh-ed25519";

/** An SSH `string`: a 4-byte big-endian length, then the bytes. */
export function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/** Reads SSH `string`s one after the other from a buffer. */
export class SshReader {
  private at = 0;

  /** @param buf - the bytes to read */
  constructor(private readonly buf: Buffer) {}

  /** The next `string`; throws when the buffer ends inside it. */
  string(): Buffer {
    if (this.at + 4 > this.buf.length) throw new Error("truncated SSH string length");
    const len = this.buf.readUInt32BE(this.at);
    const start = this.at + 4;
    if (start + len > this.buf.length) throw new Error("truncated SSH string");
    this.at = start + len;
    return this.buf.subarray(start, start + len);
  }

  /** The next `n` raw bytes. */
  bytes(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new Error("truncated SSH data");
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  /** The next big-endian `uint32`. */
  uint32(): number {
    return this.bytes(4).readUInt32BE(0);
  }

  /** Whether every byte has been read. */
  done(): boolean {
    return this.at === this.buf.length;
  }
}

/**
 * The `ssh-ed25519` public-key blob of a key (what an `allowed_signers` line carries in base64).
 *
 * @param key - an Ed25519 public (or private) key
 */
export function ed25519Blob(key: KeyObject): Buffer {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== "ed25519") throw new Error(`not an Ed25519 key: ${pub.asymmetricKeyType}`);
  const jwk = pub.export({ format: "jwk" });
  return Buffer.concat([sshString(ED25519), sshString(Buffer.from(String(jwk.x), "base64url"))]);
}

/**
 * The public key a `ssh-ed25519` blob holds.
 *
 * @param blob - the blob
 * @throws Error when the blob is not an Ed25519 key
 */
export function keyFromBlob(blob: Buffer): KeyObject {
  const r = new SshReader(blob);
  const type = r.string().toString("utf8");
  if (type !== ED25519) throw new Error(`key type ${type} is not supported (only ${ED25519})`);
  const raw = r.string();
  if (raw.length !== 32 || !r.done()) throw new Error("malformed ssh-ed25519 key");
  return createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") },
    format: "jwk",
  });
}

/**
 * The fingerprint `ssh-keygen -l` prints for a key: `SHA256:` and the unpadded base64 of the
 * SHA-256 of its blob.
 *
 * @param blob - the key's blob
 */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

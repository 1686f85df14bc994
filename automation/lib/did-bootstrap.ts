/**
 * The DID bootstrap payload `glidepath did init` persists: the derivation's inputs (method,
 * network, subject and the secret entropy), the derived `did:key`, its public key, the KDF's
 * parameters and the DID document. The derivation itself is `edge/worker/did-key-derive.ts`
 * (WebCrypto; the browser and workerd run the same code). The file is created with mode 0600
 * and never replaced: a different DID at the path is refused (`GP_DID_CONFLICT`), the same DID
 * again changes nothing.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { DidKeyIdentity } from "../../edge/worker/did-key-derive";
import { GlidepathError } from "./errors";

/** The payload's `schema` marker. */
export const DID_BOOTSTRAP_SCHEMA = "glidepath.did-bootstrap/v1";

/** The bootstrap payload (one JSON document). */
export interface DidBootstrapPayload {
  schema: typeof DID_BOOTSTRAP_SCHEMA;
  method: "key";
  network: string;
  subject: string;
  did: string;
  public_key_multibase: string;
  kdf: DidKeyIdentity["kdf"];
  /** The secret the key is derived from: whoever reads the file holds the key. */
  entropy: string;
  /** The DID document (Ed25519VerificationKey2020 form, no key agreement). */
  did_document: Record<string, unknown>;
}

/**
 * The payload of a derived identity (pure).
 *
 * @param input - the derivation's network, subject and entropy
 * @param id - the derived identity
 */
export function bootstrapPayload(
  input: { network: string; subject: string; entropy: string },
  id: DidKeyIdentity,
): DidBootstrapPayload {
  const vm = `${id.did}#${id.publicKeyMultibase}`;
  return {
    schema: DID_BOOTSTRAP_SCHEMA,
    method: "key",
    network: input.network,
    subject: input.subject,
    did: id.did,
    public_key_multibase: id.publicKeyMultibase,
    kdf: id.kdf,
    entropy: input.entropy,
    did_document: {
      "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/ed25519-2020/v1"],
      id: id.did,
      verificationMethod: [
        {
          id: vm,
          type: "Ed25519VerificationKey2020",
          controller: id.did,
          publicKeyMultibase: id.publicKeyMultibase,
        },
      ],
      authentication: [vm],
      assertionMethod: [vm],
      capabilityDelegation: [vm],
      capabilityInvocation: [vm],
    },
  };
}

/** What {@link persistBootstrap} did. */
export type PersistOutcome = "created" | "unchanged";

/**
 * Writes the payload to `file`, created with mode 0600, unless the file exists: then the same
 * DID is a no-op and anything else is refused. The content goes to a 0600 temp file beside the
 * target, which is hard-linked into place (the link fails if the target exists, so a
 * concurrent writer or an existing file is never replaced) and then removed.
 *
 * @param file - the output path (`--output`)
 * @param payload - the payload
 * @returns `created`, or `unchanged` when the file already holds this DID
 * @throws GlidepathError `GP_DID_CONFLICT` (exit 2) when the file holds another DID or is not a
 *   bootstrap payload; `GP_ARG_INVALID` when the path cannot be written
 */
export async function persistBootstrap(file: string, payload: DidBootstrapPayload): Promise<PersistOutcome> {
  const existing = await readExisting(file, payload.did);
  if (existing) return "unchanged";
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const cannot = (e: NodeJS.ErrnoException) =>
    new GlidepathError(
      "GP_ARG_INVALID",
      `--output=${JSON.stringify(file)}: cannot write it (${e.code ?? e.message}); nothing was written`,
      "name a file in a writable directory",
    );
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const h = await fs.open(tmp, "wx", 0o600);
    try {
      await h.chmod(0o600);
      await h.writeFile(`${JSON.stringify(payload, null, 2)}\n`);
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.link(tmp, file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EEXIST") {
      // Another writer got there between the read and the link: judge what it wrote.
      if (await readExisting(file, payload.did)) return "unchanged";
    }
    throw cannot(err);
  } finally {
    await fs.rm(tmp, { force: true }).catch(() => {});
  }
  return "created";
}

/**
 * Whether `file` already holds the bootstrap of `did`: false when it does not exist.
 *
 * @throws GlidepathError `GP_DID_CONFLICT` when it exists and holds anything else
 */
async function readExisting(file: string, did: string): Promise<boolean> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return false;
    throw new GlidepathError(
      "GP_DID_CONFLICT",
      `--output=${JSON.stringify(file)} exists and cannot be read as a DID bootstrap (${code}); nothing was written`,
      "name another --output, or remove that path if it is not needed",
    );
  }
  let found: unknown;
  try {
    const doc = JSON.parse(text) as { schema?: unknown; did?: unknown } | null;
    found = doc?.schema === DID_BOOTSTRAP_SCHEMA ? doc.did : undefined;
  } catch {
    found = undefined;
  }
  if (found === did) return true;
  // The existing content is never quoted: it may hold another identity's entropy.
  throw new GlidepathError(
    "GP_DID_CONFLICT",
    typeof found === "string"
      ? `--output=${JSON.stringify(file)} already holds another DID (${found}), not ${did}; nothing was written`
      : `--output=${JSON.stringify(file)} exists and is not a DID bootstrap payload (${DID_BOOTSTRAP_SCHEMA}); nothing was written`,
    "name another --output; a bootstrap is never replaced (remove the file yourself if that identity is retired)",
  );
}

/**
 * `glidepath did init --method key --network N --subject S (--entropy E | --entropy-file F |
 * $GLIDEPATH_DID_ENTROPY) --output FILE [--json]`: derives the did:key of `(method, network,
 * subject, entropy)` with HKDF-SHA256 → Ed25519 (`edge/worker/did-key-derive.ts`, the code the
 * browser and workerd run) and persists the bootstrap payload at FILE (mode 0600). A different
 * DID already at FILE is refused (`GP_DID_CONFLICT`, exit 2); the same DID is a no-op.
 *
 * The entropy is a secret: it is never printed, logged or quoted in an error, and written only
 * into FILE. It is therefore kept out of the zod schema, whose errors quote values.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Argv } from "yargs";
import { z } from "zod";
import { type DidKeyIdentity, deriveDidKey } from "../../edge/worker/did-key-derive";
import { bootstrapPayload, persistBootstrap } from "../lib/did-bootstrap";
import { GlidepathError } from "../lib/errors";
import { emit, parseArgs, progressLine } from "./common";

export const command = "init";
export const describe = "derive a did:key from (method, network, subject, entropy) and persist its bootstrap";

/** The environment variable `did init` reads the entropy from when neither flag is given. */
export const ENTROPY_ENV = "GLIDEPATH_DID_ENTROPY";

export function builder(y: Argv) {
  return y
    .option("method", { type: "string", demandOption: true, describe: "DID method: key" })
    .option("network", { type: "string", demandOption: true, describe: "network, e.g. mainnet or testnet" })
    .option("subject", { type: "string", demandOption: true, describe: "the subject the identity names" })
    .option("entropy", {
      type: "string",
      describe: `the secret entropy (16+ bytes; visible to ps: prefer --entropy-file or $${ENTROPY_ENV})`,
    })
    .option("entropy-file", {
      type: "string",
      describe: "file holding the entropy (one trailing newline dropped)",
    })
    .option("output", {
      type: "string",
      demandOption: true,
      describe: "the bootstrap payload file (created 0600)",
    })
    .option("json", { type: "boolean", default: false, describe: "print one JSON document" });
}

const args = z.object({
  method: z.string(),
  network: z.string(),
  subject: z.string(),
  entropyFile: z.string().min(1).optional(),
  output: z.string().min(1),
  json: z.boolean(),
});

/** What `did init --json` prints (no secret). */
export interface DidInitResult {
  /** The derived did:key. */
  did: string;
  method: "key";
  network: string;
  subject: string;
  /** The public key, multibase (`z6Mk…`). */
  public_key_multibase: string;
  /** Absolute path of the payload. */
  output: string;
  /** True when this run wrote the payload, false when the file already held this DID. */
  created: boolean;
}

/**
 * The entropy, from exactly one of `--entropy` and `--entropy-file`, else `$GLIDEPATH_DID_ENTROPY`.
 * No message names its value.
 */
async function entropyOf(argv: Record<string, unknown>, file: string | undefined): Promise<string> {
  const flag = argv.entropy;
  if (flag !== undefined && typeof flag !== "string")
    throw new GlidepathError(
      "GP_ARG_INVALID",
      "--entropy: given more than once (its values are not shown); nothing was written",
      "give the entropy once",
    );
  if (flag !== undefined && file !== undefined)
    throw new GlidepathError(
      "GP_ARG_INVALID",
      `--entropy and --entropy-file=${JSON.stringify(file)}: both given; nothing was written`,
      "give exactly one of --entropy, --entropy-file",
    );
  if (flag !== undefined) return flag;
  if (file !== undefined) {
    const text = await fs.readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
      throw new GlidepathError(
        "GP_ARG_INVALID",
        `--entropy-file=${JSON.stringify(file)}: cannot read it (${e.code ?? e.message}); nothing was written`,
        "name a readable file holding the entropy (e.g. `openssl rand -hex 32 > FILE; chmod 600 FILE`)",
      );
    });
    return text.replace(/\r?\n$/, "");
  }
  const env = process.env[ENTROPY_ENV];
  if (env !== undefined && env !== "") return env;
  throw new GlidepathError(
    "GP_ARG_INVALID",
    `no entropy: none of --entropy, --entropy-file, $${ENTROPY_ENV} is given; nothing was written`,
    `give the secret entropy with --entropy-file FILE or $${ENTROPY_ENV} (e.g. \`openssl rand -hex 32\`)`,
  );
}

export async function handler(argv: unknown): Promise<void> {
  const raw = argv as Record<string, unknown>;
  const a = parseArgs(args, raw);
  const entropy = await entropyOf(raw, a.entropyFile);
  const derived = await deriveDidKey({ method: a.method, network: a.network, subject: a.subject, entropy });
  if ("error" in derived) {
    const { field, message } = derived.error;
    const named = field === "entropy" ? "the entropy" : `--${field}=${JSON.stringify(a[field as "method"])}`;
    throw new GlidepathError(
      "GP_ARG_INVALID",
      `${named}: ${message}; nothing was written`,
      field === "method"
        ? "use --method key (did:key is the only supported method)"
        : field === "entropy"
          ? "give 16 to 1024 bytes of secret entropy (e.g. `openssl rand -hex 32`)"
          : "correct the value; see `glidepath did init --help`",
    );
  }
  const id: DidKeyIdentity = derived;
  const output = path.resolve(a.output);
  const outcome = await persistBootstrap(
    output,
    bootstrapPayload({ network: a.network, subject: a.subject, entropy }, id),
  );
  if (outcome === "unchanged") {
    const mode = (await fs.stat(output)).mode & 0o777;
    if ((mode & 0o077) !== 0)
      progressLine(
        `warning: ${output} has mode ${mode.toString(8).padStart(4, "0")} and holds the entropy: chmod 600 it`,
      );
  }
  const result: DidInitResult = {
    did: id.did,
    method: "key",
    network: a.network,
    subject: a.subject,
    public_key_multibase: id.publicKeyMultibase,
    output,
    created: outcome === "created",
  };
  emit(a.json, result, () =>
    outcome === "created"
      ? `${id.did}\nbootstrap written to ${output} (mode 0600; it holds the entropy: keep it secret)`
      : `${id.did}\n${output} already holds this DID; nothing changed`,
  );
}

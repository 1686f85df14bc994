/**
 * `glidepath wasm sign --manifest DIR/ID/<sha>.manifest.json (--key KEY.pem | --key-env VAR)
 * [--json]`: signs the manifest with an Ed25519 private key (PKCS#8 PEM, from a file or an
 * environment variable) and writes it back with its `signature` (`algorithm`, the signer's
 * did:key, `value`). A manifest that does not inspect compliant is not signed (exit 1). The
 * key is read, used and dropped: it is never printed, logged or written.
 */
import * as fs from "node:fs/promises";
import type { Argv } from "yargs";
import { z } from "zod";
import { manifestText, type WasmManifest } from "../../providers/wasm/manifest";
import { signManifest } from "../../providers/wasm/signature";
import { writeFileAtomic } from "../lib/atomic-write";
import { GlidepathError } from "../lib/errors";
import { inspectPackage } from "../lib/wasm-inspect";
import { emit, parseArgs } from "./common";
import { readManifestArg } from "./wasm-manifest-arg";

export const command = "sign";
export const describe =
  "sign a packaged deliverable's manifest with an Ed25519 key (signer named as a did:key)";

export function builder(y: Argv) {
  return y
    .option("manifest", { type: "string", demandOption: true, describe: "the <sha>.manifest.json file" })
    .option("key", { type: "string", describe: "file holding the Ed25519 private key (PKCS#8 PEM)" })
    .option("key-env", { type: "string", describe: "environment variable holding the key (PKCS#8 PEM)" })
    .option("json", { type: "boolean", default: false, describe: "print one JSON document" });
}

const args = z
  .object({
    manifest: z.string().min(1),
    key: z.string().min(1).optional(),
    keyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected an environment variable name" })
      .optional(),
    json: z.boolean(),
  })
  .refine((a) => (a.key === undefined) !== (a.keyEnv === undefined), {
    error: "expected exactly one of --key and --key-env",
    path: ["key"],
  });

/** What `wasm sign --json` prints (no key material). */
export interface SignResult {
  /** The manifest signed (`--manifest`). */
  manifest_path: string;
  /** Its blueprint. */
  blueprint_id: string;
  /** The signer's did:key. */
  signer: string;
  /** The signature's value (base64url), for `glidepath:wasm.<id>.signature.value`. */
  signature: string;
}

/** The private key's PEM text, from `--key` or `--key-env`. */
async function keyText(a: { key?: string; keyEnv?: string }): Promise<string> {
  if (a.keyEnv !== undefined) {
    const v = process.env[a.keyEnv];
    if (v === undefined || v.trim() === "") {
      throw new GlidepathError(
        "GP_ARG_INVALID",
        `--key-env=${JSON.stringify(a.keyEnv)}: the variable is not set; nothing was changed`,
        `export ${a.keyEnv} with the Ed25519 private key (PKCS#8 PEM)`,
      );
    }
    return v;
  }
  return fs.readFile(a.key as string, "utf8").catch((e: NodeJS.ErrnoException) => {
    throw new GlidepathError(
      "GP_ARG_INVALID",
      `--key=${JSON.stringify(a.key)}: cannot read it (${e.code ?? e.message}); nothing was changed`,
      "name the file holding the Ed25519 private key (PKCS#8 PEM)",
    );
  });
}

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const { manifest, raw, artifact } = await readManifestArg(a.manifest);
  const report = await inspectPackage(manifest, artifact);
  const blocking = report.reason_codes.filter((c) => c !== "signature_invalid");
  if (blocking.length > 0) {
    throw new GlidepathError(
      "GP_WASM_NON_COMPLIANT",
      `${a.manifest} is not compliant (${blocking.join(", ")}); it was not signed`,
      "inspect it with `glidepath wasm inspect` and repackage the module",
    );
  }
  const pem = await keyText(a);
  const signature = await signManifest(raw, pem).catch((e: unknown) => {
    const why = e instanceof Error && /Ed25519/.test(e.message) ? e.message : "not a PKCS#8 PEM private key";
    throw new GlidepathError(
      "GP_ARG_INVALID",
      `${a.key === undefined ? `--key-env=${JSON.stringify(a.keyEnv)}` : `--key=${JSON.stringify(a.key)}`}: ${why}; nothing was changed`,
      "give an Ed25519 private key in PKCS#8 PEM (openssl genpkey -algorithm ed25519)",
    );
  });
  // The file's member order is kept (the provider writes a signed manifest in the same order).
  const { signature: _old, ...unsigned } = raw;
  await writeFileAtomic(a.manifest, manifestText({ ...unsigned, signature } as unknown as WasmManifest));
  const result: SignResult = {
    manifest_path: a.manifest,
    blueprint_id: manifest.blueprint_id,
    signer: signature.signer,
    signature: signature.value,
  };
  emit(a.json, result, () =>
    [
      `signed ${a.manifest} as ${signature.signer}`,
      "  a stack deploys it signed with:",
      `  pulumi config set --path 'glidepath:wasm.${manifest.blueprint_id}.signature.signer' ${signature.signer}`,
      `  pulumi config set --path 'glidepath:wasm.${manifest.blueprint_id}.signature.value' ${signature.value}`,
    ].join("\n"),
  );
}

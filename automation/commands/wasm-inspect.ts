/**
 * `glidepath wasm inspect --manifest DIR/ID/<sha>.manifest.json [--require-signed]
 * [--signer did:key:…] [--json]`: re-reads the artifact beside the manifest, recomputes its
 * sha-256 and size, re-derives its imports and checks the signature; prints the report
 * (`wasmInspectReportSchema`). Exit 0 when compliant, 1 when not (the reason codes say why),
 * 2 on bad arguments.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { DID_KEY_ED25519 } from "../../providers/wasm/did-key";
import { GlidepathError } from "../lib/errors";
import { inspectPackage, renderInspectReport } from "../lib/wasm-inspect";
import { emit, parseArgs } from "./common";
import { readManifestArg } from "./wasm-manifest-arg";

export const command = "inspect";
export const describe = "check a packaged deliverable against its manifest and the compatibility matrix";

export function builder(y: Argv) {
  return y
    .option("manifest", { type: "string", demandOption: true, describe: "the <sha>.manifest.json file" })
    .option("require-signed", {
      type: "boolean",
      default: false,
      describe: "an unsigned manifest is not compliant",
    })
    .option("signer", {
      type: "string",
      array: true,
      describe: "accept signatures only by this did:key (repeatable)",
    })
    .option("json", { type: "boolean", default: false, describe: "print the report as one JSON document" });
}

const args = z.object({
  manifest: z.string().min(1),
  requireSigned: z.boolean(),
  signer: z
    .array(z.string().regex(DID_KEY_ED25519, { error: "expected an Ed25519 did:key (did:key:z6Mk…)" }))
    .optional(),
  json: z.boolean(),
});

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const { manifest, artifact } = await readManifestArg(a.manifest);
  const report = await inspectPackage(manifest, artifact, { required: a.requireSigned, signers: a.signer });
  const signer = typeof manifest.signature?.signer === "string" ? manifest.signature.signer : undefined;
  emit(a.json, report, () => renderInspectReport(report, a.manifest, signer));
  if (!report.compliant) {
    throw new GlidepathError(
      "GP_WASM_NON_COMPLIANT",
      `${a.manifest} is not compliant: ${report.reason_codes.join(", ")}`,
      "see the reason codes in docs/wasm.md; repackage the module with `glidepath wasm package`",
    );
  }
}

/**
 * The build of a WASM deliverable from its WebAssembly text: assembles `--source` into
 * `--out` (atomically; an identical existing module is kept), then prints the build report
 * as JSON on stdout and writes it to `--report`. Run by the program's `local.Command`
 * resources, triggered by the source's digest and the assembler's identity.
 *
 *   node dist/apps/build/wasm-module.js --id edge --builder ID --source FILE.wat --out FILE.wasm --report FILE
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "../../automation/lib/atomic-write";
import type { WasmBuildReport } from "../../infra/build-report";
import { assembleWat } from "../../infra/wat";

const sha256 = (bytes: Uint8Array | string) => crypto.createHash("sha256").update(bytes).digest("hex");

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      id: { type: "string" },
      builder: { type: "string" },
      source: { type: "string" },
      out: { type: "string" },
      report: { type: "string" },
    },
    strict: true,
  });
  const { id, builder, source, out, report } = values;
  if (!id || !builder || !source || !out || !report) {
    throw new Error("usage: wasm-module --id ID --builder ID --source FILE --out FILE --report FILE");
  }
  const text = await fs.readFile(source, "utf8");
  let bytes: Uint8Array;
  try {
    bytes = await assembleWat(text);
  } catch (e) {
    throw new Error(`cannot assemble ${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const existing = await fs.readFile(out).catch(() => undefined);
  if (existing === undefined || sha256(existing) !== sha256(bytes)) {
    await writeFileAtomic(out, bytes);
  }
  const result: WasmBuildReport = {
    schema: "glidepath.wasm-build-report/v1",
    blueprintId: id,
    builder,
    sourceDigest: sha256(text),
    artifactSha256: sha256(bytes),
    artifactSizeBytes: bytes.length,
    outFile: out,
  };
  await fs.mkdir(path.dirname(report), { recursive: true });
  await fs.writeFile(report, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`wasm-module: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

/**
 * The build of the sample apps: a deterministic static bundle. Copies the source directory
 * into `--out` (atomically; an existing identical bundle is kept), then prints the build
 * report as JSON on stdout and writes it to `--report`. Run by `local.Command` resources of
 * the program, triggered by the sources' digest.
 *
 *   node dist/apps/build/static-bundle.js --app wix --version v2 --source DIR --out DIR --report FILE
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { parseArgs } from "node:util";
import type { BuildReport } from "../../infra/build-report";
import { copyDirAtomic, digestDir } from "../../providers/targets/bundle";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      app: { type: "string" },
      version: { type: "string" },
      source: { type: "string" },
      out: { type: "string" },
      report: { type: "string" },
    },
    strict: true,
  });
  const { app, version, source, out, report } = values;
  if (!app || !version || !source || !out || !report) {
    throw new Error("usage: static-bundle --app A --version V --source DIR --out DIR --report FILE");
  }
  const src = await digestDir(source);
  const existing = await digestDir(out).catch(() => undefined);
  if (existing?.digest !== src.digest) {
    await fs.rm(out, { recursive: true, force: true });
    await copyDirAtomic(source, out, {});
  }
  const bundle = await digestDir(out);
  const result: BuildReport = {
    schema: "glidepath.build-report/v1",
    app,
    version,
    builder: "static-copy",
    sourceDigest: src.digest,
    bundleDigest: bundle.digest,
    files: bundle.files,
    outDir: out,
  };
  const text = JSON.stringify(result);
  await fs.mkdir(path.dirname(report), { recursive: true });
  await fs.writeFile(report, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${text}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`static-bundle: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

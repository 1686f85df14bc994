/**
 * `glidepath smoke --stack S [--output report.json] [--timeout-ms N] [--json]`: loads each
 * packaged WASM deliverable of the stack into the edge runtimes (workerd through Miniflare,
 * and Deno) and calls its entry point; prints the report (`smokeReportSchema`, docs/wasm.md
 * "Smoke") and writes it to `--output`. Exit 0 when every probe passed (skips of a missing
 * runtime allowed outside CI only), 1 when one failed, 2 on bad arguments or a stack without
 * deliverables.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { artifactKind, checkArtifactTarget, writeArtifact } from "../lib/artifacts";
import { packageRoot } from "../lib/context";
import { GlidepathError } from "../lib/errors";
import { isCi, renderSmokeReport } from "../lib/smoke/report";
import { deliverablesOfOutputs, findRuntimes, runSmoke } from "../lib/smoke/run";
import { emit, openExistingStack, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "smoke";
export const describe = "load the stack's WASM deliverables into workerd and Deno and call them";

/** Default timeout of one probe, in milliseconds. */
export const DEFAULT_PROBE_TIMEOUT_MS = 30_000;

export function builder(y: Argv) {
  return withStackOptions(y)
    .option("output", { type: "string", describe: "also write the JSON report to this file" })
    .option("timeout-ms", {
      type: "number",
      default: DEFAULT_PROBE_TIMEOUT_MS,
      describe: "each probe's timeout; a probe still running then is killed and fails",
    });
}

const args = stackArgs.extend({
  output: z.string().min(1).optional(),
  timeoutMs: z
    .number()
    .int({ error: "expected whole milliseconds" })
    .min(100, { error: "expected at least 100" })
    .max(600_000, { error: "expected at most 600000" }),
});

const SCHEMA = "glidepath.smoke-report/v1";

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await openExistingStack(a);
  if (a.output !== undefined) {
    await checkArtifactTarget(ctx.projectDir, a.output, artifactKind({ schema: SCHEMA }), {
      flag: "--output",
    });
  }
  const deliverables = deliverablesOfOutputs(await ctx.stack.outputs());
  if (deliverables.length === 0) {
    throw new GlidepathError(
      "GP_SMOKE_NO_DELIVERABLES",
      `stack ${a.stack} records no packaged WASM deliverable (its \`wasm\` output is empty); nothing was probed`,
      `configure one (pulumi config set --path 'glidepath:wasm.<id>.module' <file.wat|file.wasm> --stack ${a.stack}) and run \`glidepath up --stack ${a.stack}\` first`,
    );
  }
  const ci = isCi(process.env);
  progressLine(`smoke ${a.stack}: ${deliverables.length} deliverable(s) × workerd, deno`);
  const report = await runSmoke(a.stack, deliverables, {
    runtimes: findRuntimes(packageRoot()),
    ci,
    timeoutMs: a.timeoutMs,
  });
  if (a.output !== undefined) {
    const written = await writeArtifact(ctx.projectDir, a.output, report, { flag: "--output" });
    progressLine(`report written to ${written}`);
  }
  emit(a.json, report, () => renderSmokeReport(report));
  if (!report.ok) {
    const failed = report.deliverables.flatMap((d) =>
      d.probes
        .filter((p) => p.status === "fail")
        .map((p) => `${d.blueprint_id}/${p.runtime} ${p.reason_code}`),
    );
    throw new GlidepathError(
      "GP_SMOKE_FAILED",
      `${report.counts.fail} probe(s) failed: ${failed.join(", ")}`,
      'see each probe\'s reason_code and detail (docs/wasm.md, "Smoke"); fix the module and run glidepath up, then smoke again',
    );
  }
}

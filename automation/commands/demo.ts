/**
 * `glidepath demo [--keep] [--port 0] [--rate 120]`: the README's main command. In its own
 * project (`.glidepath/demo`) it runs the local edge with synthetic traffic, deploys v1,
 * ramps v2 through the SLO gate and promotes it, ramps the faulty v3 and shows the gate
 * rolling it back. Exit 0 only if v2 was promoted, v3 rolled back, and the edge serves v2
 * alone afterwards.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { writeArtifact } from "../lib/artifacts";
import { demoReportSchema } from "../lib/demo/report";
import { runDemo } from "../lib/demo/run-demo";
import { renderStepTable } from "../lib/demo/table";
import { GlidepathError } from "../lib/errors";
import { renderHistory } from "../lib/render";
import { emit, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "demo";
export const describe = "run a whole SLO-gated rollout on this machine: v2 promoted, a faulty v3 rolled back";

export function builder(y: Argv) {
  return withStackOptions(y)
    .option("keep", {
      type: "boolean",
      default: false,
      describe: "leave the edge, traffic and panel running",
    })
    .option("port", { type: "number", default: 0, describe: "edge port on 127.0.0.1 (0: any free port)" })
    .option("rate", { type: "number", default: 120, describe: "synthetic requests per second (1–500)" });
}

const args = stackArgs.extend({
  stack: z.literal("local", {
    error: "the demo runs on the local stack only (its own copy, under .glidepath/demo)",
  }),
  keep: z.boolean(),
  port: z
    .number()
    .int({ error: "expected an integer port" })
    .min(0)
    .max(65535, { error: "expected a port 0–65535" }),
  rate: z
    .number()
    .int({ error: "expected an integer" })
    .min(1, { error: "expected 1–500" })
    .max(500, { error: "expected 1–500" }),
});

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const run = await runDemo({ stack: a.stack, port: a.port, rate: a.rate, progress: progressLine });
  const { report } = run;
  const file = await writeArtifact(
    report.projectDir,
    "artifacts/demo-report.json",
    demoReportSchema.parse(report),
  );
  emit(a.json, report, () => {
    const seconds = (n: number | undefined) => `${((n ?? 0) / 1000).toFixed(1)}s`;
    const served = Object.entries(report.servingAfter)
      .map(
        ([app, seen]) =>
          `${app}: ${Object.entries(seen)
            .map(([r, n]) => `${r} ×${n}`)
            .join(", ")}`,
      )
      .join("; ");
    return [
      "",
      "steps (requests as the edge answered them in each bake window; the canary SLO over what the gate judged):",
      renderStepTable(report.rows),
      "",
      renderHistory(run.history),
      "",
      `served after the last ramp: ${served}`,
      "artifacts:",
      ...run.artifacts.map((f) => `  ${f}`),
      "screenshot" in report && "skipped" in report.screenshot
        ? `  (panel screenshot skipped: ${report.screenshot.skipped})`
        : "",
      `investor panel: ${report.panelUrl}${a.keep ? "" : " (stopped; --keep leaves it running)"}`,
      `history: glidepath history --stack ${report.stack} --project-dir ${report.projectDir}`,
      `wall time ${seconds(report.timings.total)} (v2 ramp ${seconds(report.timings["ramp v2"])}, v3 ramp ${seconds(report.timings["ramp v3"])})`,
      report.ok
        ? "result: v2 promoted, v3 rolled back by the SLO gate, the edge serves v2 alone"
        : `result: FAILED\n${report.problems.map((p) => `  - ${p}`).join("\n")}`,
    ]
      .filter((l) => l !== "")
      .join("\n");
  });
  progressLine(`demo report: ${file}`);
  if (a.keep && report.ok) {
    progressLine(`the edge, traffic and panel keep running at ${report.panelUrl}; Ctrl-C stops them`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
  }
  await run.close();
  if (!report.ok) {
    throw new GlidepathError(
      "GP_DEMO_FAILED",
      `the demo did not show what it should: ${report.problems.join("; ")}`,
      `read ${file} and \`glidepath history --stack ${report.stack} --project-dir ${report.projectDir}\``,
    );
  }
}

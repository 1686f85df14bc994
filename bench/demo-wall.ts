/**
 * The demo's wall time, cold and warm: `glidepath demo` run as a user runs it, first with no
 * demo project (`.glidepath/demo` removed: a new backend, first builds of every release, a new
 * stack), then again on what the first run left (warm). Prints each run's total and phases
 * from its demo report. The toolchain and npm dependencies are assumed installed (the fresh
 * machine's one-time cost is measured by the CI run, see docs/benchmarks.md).
 *
 * Run: `npm run bench -- demo-wall` (BENCH_RUNS warm runs, default 1).
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { demoReportSchema } from "../automation/lib/demo/report";
import { ROOT } from "./helpers/scratch-project";

const WARM_RUNS = Number(process.env.BENCH_RUNS ?? 1);

async function demo(): Promise<{ ms: number; code: number }> {
  const t0 = Date.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, "dist/automation/cli.js"), "demo", "--stack", "local"],
      {
        stdio: ["ignore", "ignore", "ignore"],
      },
    );
    child.on("close", (c) => resolve(c ?? 1));
  });
  return { ms: Date.now() - t0, code };
}

async function phases(): Promise<string> {
  const file = path.join(ROOT, ".glidepath/demo/artifacts/demo-report.json");
  const report = demoReportSchema.parse(JSON.parse(await fs.readFile(file, "utf8")));
  return Object.entries(report.timings)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`)
    .join(", ");
}

async function main(): Promise<void> {
  await fs.rm(path.join(ROOT, ".glidepath/demo"), { recursive: true, force: true });
  const cold = await demo();
  console.log(
    `cold (no demo project): ${(cold.ms / 1000).toFixed(1)}s, exit ${cold.code}; ${await phases()}`,
  );
  const warm: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) {
    const w = await demo();
    warm.push(w.ms);
    console.log(`warm run ${i + 1}: ${(w.ms / 1000).toFixed(1)}s, exit ${w.code}; ${await phases()}`);
  }
  const best = Math.min(...warm);
  console.log(
    `cold ${(cold.ms / 1000).toFixed(1)}s vs warm ${(best / 1000).toFixed(1)}s → cold/warm ${(cold.ms / best).toFixed(2)}×`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

/**
 * A vitest reporter that ends every run with one line counting what ran and what was
 * skipped, and why, so that a green local run with the e2e tier skipped (no toolchain, no
 * Chromium, no PostgreSQL) cannot pass for a full one. The counting is {@link summarize} (pure); the
 * reasons are the same checks the skipped files make.
 */
import type { Reporter, TestModule } from "vitest/node" with { "resolution-mode": "import" };
import { findChromium } from "../../automation/lib/demo/panel-shot";
import { postgresProblem } from "../../bench/helpers/postgres";
import { toolchainProblem } from "../e2e/helpers/toolchain";
import { actionlintProblem } from "./actionlint";
import { prometheusProblem } from "./prometheus";

/** One test file as the summary counts it. */
export interface FileCount {
  /** Path relative to the project (`tests/e2e/rollout.test.ts`). */
  file: string;
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * The summary line.
 *
 * @param files - the run's files
 * @param reasonOf - why a file's tests were skipped @default - "skipped by the test itself"
 */
export function summarize(
  files: readonly FileCount[],
  reasonOf: (file: string) => string = () => "skipped by the test itself",
): string {
  const sum = (k: "passed" | "failed" | "skipped") => files.reduce((n, f) => n + f[k], 0);
  const ran = files.filter((f) => f.passed + f.failed > 0).length;
  const head = `run summary: ${sum("passed")} passed, ${sum("failed")} failed, ${sum("skipped")} skipped; ${ran} of ${files.length} files ran`;
  const byReason = new Map<string, { files: number; tests: number }>();
  for (const f of files) {
    if (f.skipped === 0) continue;
    const reason = reasonOf(f.file);
    const r = byReason.get(reason) ?? { files: 0, tests: 0 };
    byReason.set(reason, { files: r.files + 1, tests: r.tests + f.skipped });
  }
  const why = [...byReason].map(
    ([reason, r]) =>
      `${r.tests} test${r.tests === 1 ? "" : "s"} in ${r.files} file${r.files === 1 ? "" : "s"}: ${reason}`,
  );
  return why.length === 0 ? `${head}; nothing skipped` : `${head}; skipped: ${why.join("; ")}`;
}

/** Why a file's tests were skipped on this machine. */
function reasonOf(file: string): string {
  const postgres = file.includes("postgres") ? postgresProblem() : undefined;
  if (file.startsWith("tests/e2e/")) {
    const toolchain = toolchainProblem();
    if (toolchain !== undefined) return toolchain;
    if (file.endsWith("panel.test.ts") && findChromium() === undefined) {
      return "no Chromium (bash scripts/bootstrap.sh installs Debian's chromium)";
    }
  }
  if (file.endsWith("prometheus-slo.test.ts") || file.endsWith("edge-exposition.test.ts")) {
    const prometheus = prometheusProblem();
    if (prometheus !== undefined) return prometheus;
  }
  if (postgres !== undefined) return postgres;
  if (file === "tests/unit/ci-workflow.test.ts") return actionlintProblem() ?? "skipped by the test itself";
  return "skipped by the test itself";
}

/** The reporter: prints {@link summarize}'s line when the run ends. */
export default class RunSummary implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    const files = modules.map((m) => {
      const count: FileCount = { file: m.relativeModuleId, passed: 0, failed: 0, skipped: 0 };
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed") count.passed += 1;
        else if (state === "failed") count.failed += 1;
        else count.skipped += 1;
      }
      return count;
    });
    process.stdout.write(`\n${summarize(files, reasonOf)}\n`);
  }
}

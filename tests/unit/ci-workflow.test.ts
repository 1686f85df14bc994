/**
 * The example CI workflow (.github/workflows/rollout.yml): actionlint accepts it and refuses a
 * broken copy; its shape keeps the promises the README makes (one concurrency group per stack,
 * never cancelled in progress, staging before production, secrets and inputs only through
 * `env:`, actions pinned by commit); and every exit code of glidepath maps to its own job
 * outcome in scripts/ci/rollout-outcome.sh.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ExitCode } from "../../automation/lib/errors";
import { actionlintPath, actionlintProblem } from "../helpers/actionlint";
import { ROOT } from "../helpers/dist";

const WORKFLOW = path.join(ROOT, ".github", "workflows", "rollout.yml");
const OUTCOME = path.join(ROOT, "scripts", "ci", "rollout-outcome.sh");

interface Step {
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  environment?: string;
  needs?: string | string[];
  concurrency?: { group: string; "cancel-in-progress": boolean };
  env: Record<string, string>;
  steps: Step[];
}

function jobs(): Record<string, Job> {
  return (parse(fs.readFileSync(WORKFLOW, "utf8"), { merge: true }) as { jobs: Record<string, Job> }).jobs;
}

/** actionlint on `file`: its exit status and output. */
function actionlint(file: string): { status: number | null; out: string } {
  const r = spawnSync(actionlintPath(), ["-no-color", file], { encoding: "utf8", cwd: path.dirname(file) });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/**
 * An actionlint test. Without actionlint it fails, naming the fix, here as in CI: the project's
 * test command builds it (the toolchain needs Go anyway), so its absence is a broken setup, not
 * a reason to skip.
 */
function lintIt(name: string, fn: () => void): void {
  const problem = actionlintProblem();
  it(
    name,
    problem === undefined
      ? fn
      : () => {
          throw new Error(`workflow lint cannot run: ${problem}`);
        },
  );
}

describe("the example rollout workflow", () => {
  lintIt("passes actionlint", () => {
    const r = actionlint(WORKFLOW);
    expect(r.out).toBe("");
    expect(r.status).toBe(0);
  });

  lintIt("a broken copy fails actionlint, naming each problem", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gp-wf-"));
    fs.mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
    const broken = fs
      .readFileSync(WORKFLOW, "utf8")
      .replace("needs: staging", "needs: stagingg")
      .replace("cancel-in-progress: false", "cancel-in-progress: nope");
    const file = path.join(dir, ".github", "workflows", "rollout.yml");
    fs.writeFileSync(file, broken);
    const r = actionlint(file);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/stagingg/);
    expect(r.out).toMatch(/cancel-in-progress/);
  });

  it("runs staging, then production behind its environment, each in its own never-cancelled group", () => {
    const { staging, production } = jobs();
    expect(staging?.environment).toBe("staging");
    expect(production?.environment).toBe("production");
    expect(production?.needs).toBe("staging");
    expect(staging?.concurrency).toEqual({ group: "glidepath-staging", "cancel-in-progress": false });
    expect(production?.concurrency).toEqual({ group: "glidepath-production", "cancel-in-progress": false });
    for (const job of [staging, production]) {
      expect(job?.env.PULUMI_BACKEND_URL).toMatch(/^\$\{\{ secrets\.PULUMI_BACKEND_URL \}\}$/);
      expect(job?.env.PULUMI_CONFIG_PASSPHRASE).toMatch(/^\$\{\{ secrets\.PULUMI_CONFIG_PASSPHRASE \}\}$/);
    }
  });

  it("verifies a production ramp live after it promoted, and never a staging one", () => {
    const { staging, production } = jobs();
    for (const job of [staging, production]) {
      const names = job?.steps.map((s) => s.name) ?? [];
      const verify = job?.steps.find((s) => s.name === "verify live");
      expect(verify?.if).toMatch(
        /^\$\{\{ env\.GLIDEPATH_STACK == 'production' && steps\.rollout\.outputs\.exit-code == '0' \}\}$/,
      );
      expect(verify?.run).toMatch(/ verify-live --stack "\$GLIDEPATH_STACK" /);
      // After the ramp, before the job's outcome is decided from its exit code.
      expect(names.indexOf("verify live")).toBe(names.indexOf("rollout") + 1);
    }
    expect(staging?.env.GLIDEPATH_STACK).toBe("staging");
    expect(production?.env.GLIDEPATH_STACK).toBe("production");
  });

  it("passes secrets and inputs through env only, and pins every action by commit", () => {
    for (const [name, job] of Object.entries(jobs())) {
      for (const step of job.steps) {
        // An expression inside a script is pasted into it before the shell runs: an injection.
        if (step.run !== undefined) expect(step.run, `${name}: ${step.run}`).not.toMatch(/\$\{\{/);
        if (step.uses !== undefined) expect(step.uses, name).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      }
    }
  });
});

describe("rollout-outcome.sh", () => {
  function outcome(code: number, report?: string): { status: number | null; out: string } {
    const args = [OUTCOME, String(code)];
    if (report !== undefined) args.push(report);
    const r = spawnSync("bash", args, {
      encoding: "utf8",
      env: { ...process.env, GLIDEPATH_STACK: "staging", GITHUB_STEP_SUMMARY: "" },
    });
    return { status: r.status, out: r.stdout };
  }

  it("passes the job on 0 only and fails it with glidepath's own exit code otherwise", () => {
    for (const code of Object.values(ExitCode)) {
      const r = outcome(code);
      expect(r.status).toBe(code);
      // Each documented code has its own text; the fallback is for codes glidepath never uses.
      expect(r.out, String(code)).not.toMatch(/unexpected exit code/);
      expect(r.out).toMatch(code === 0 ? /^::notice / : /^::error /);
    }
    expect(outcome(137).out).toMatch(/unexpected exit code 137/);
  });

  it("says a rollback failure needs a human and a rolled-back ramp left the stack green", () => {
    expect(outcome(ExitCode.rollbackFailed).out).toMatch(/ROLLBACK FAILED: page a human/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gp-outcome-"));
    const report = path.join(dir, "rollout-stdout.json");
    fs.writeFileSync(report, JSON.stringify({ outcome: "rolled_back", error: { code: "GP_GATE_FAILED" } }));
    expect(outcome(ExitCode.failed, report).out).toMatch(
      /rolled back, stack green \(GP_GATE_FAILED, outcome rolled_back\)/,
    );
    fs.writeFileSync(report, JSON.stringify({ outcome: "not_started", error: { code: "GP_STACK_LOCKED" } }));
    expect(outcome(ExitCode.failed, report).out).toMatch(/failed before any canary was live/);
  });

  it("prints nothing of the report but its outcome and error code (no workflow-command injection)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gp-outcome-"));
    const report = path.join(dir, "rollout-stdout.json");
    fs.writeFileSync(
      report,
      JSON.stringify({
        outcome: "x\n::add-mask::y",
        error: { code: "GP_X\n::error::z", message: "::set-output::" },
      }),
    );
    const r = outcome(ExitCode.failed, report);
    expect(r.out.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.out).not.toMatch(/add-mask|set-output|::error::z/);
  });

  it("is valid bash", () => {
    expect(() => execFileSync("bash", ["-n", OUTCOME])).not.toThrow();
  });
});

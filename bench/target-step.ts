/**
 * One ramp step on a stack configured like staging (Cloudflare KV + the Wix CMS + Gamma, each
 * against its loopback fake, the edge Worker on workerd reading KV) against the same step on
 * the local stack, side by side:
 *
 * 1. The step's update (`applyMs` of the rollout report: config write + `pulumi up`), and the
 *    wait until the edge served the new route (KV visibility delay set to 0 here, so the figure
 *    is the probe's own cost), per run; the ratio of medians.
 * 2. The API calls the step's update made, per target and method (from the fakes' request
 *    logs, between the step's "pulumi up" line and its "applied" line): what a step costs
 *    against the real services' rate limits.
 *
 * Run: `npm run bench -- target-step` (BENCH_RUNS ramps of each, default 3).
 */

import * as fs from "node:fs/promises";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { startSloServer } from "../tests/helpers/slo-server";
import { addVersion, rolloutArgs } from "./helpers/ramp";
import { startRemoteWorld } from "./helpers/remote-world";
import { makeProject, must, type ScratchProject } from "./helpers/scratch-project";
import { median } from "./helpers/stats";
import { benchToolchain } from "./helpers/toolchain";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const sec = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

interface StepRun {
  applyMs: number;
  /** ms from "applied" until the propagation line (0 on local). */
  propagationMs: number;
}

/** Runs one 2-step ramp of `version` and returns step 1's figures; `between` sees step 1's update start and end. */
async function stepOf(
  p: ScratchProject,
  args: string[],
  between: { start(): void; end(): void } = { start() {}, end() {} },
): Promise<StepRun> {
  const run = p.start(args);
  let started = false;
  let applied = 0;
  let propagated = 0;
  const timer = setInterval(() => {
    const out = run.output();
    if (!started && out.includes("[step 1/2 5%] pulumi up")) {
      started = true;
      between.start();
    }
    if (applied === 0 && out.includes("[step 1/2 5%] applied")) {
      applied = Date.now();
      between.end();
    }
    if (propagated === 0 && out.includes("[step 1/2 5%] the edge serves")) propagated = Date.now();
  }, 20);
  const done = await run.done;
  clearInterval(timer);
  if (done.code !== 0) throw new Error(`bench: the ramp failed (exit ${done.code}):\n${done.stderr}`);
  const report = JSON.parse(await fs.readFile(path.join(p.dir, "artifacts", "rollout-report.json"), "utf8"));
  const first = report.steps.find((s: { step: number }) => s.step === 0);
  return { applyMs: first.applyMs, propagationMs: propagated > 0 && applied > 0 ? propagated - applied : 0 };
}

async function main(): Promise<void> {
  const tc = await benchToolchain();
  const bin = tc.binDir;
  console.log(`Pulumi ${tc.version}, Node ${process.version}, ${RUNS} ramps of each\n`);
  const slo = await startSloServer(() => ({
    kind: "json",
    body: { apps: { wix: { good: 1000, total: 1000 }, gamma: { good: 1000, total: 1000 } } },
  }));
  const world = await startRemoteWorld({ visibilityDelayMs: 0, completeAfterPolls: 1 });
  try {
    const local = await makeProject(bin);
    const remote = await makeProject(bin);
    const versions = Array.from({ length: RUNS }, (_, i) => `v${i + 2}`);
    for (const v of versions) {
      await addVersion(local.dir, v);
      await addVersion(remote.dir, v);
    }
    await must(local.pulumi(["stack", "init", "local"]));
    await must(local.glidepath(["up", "--stack", "local"]));
    remote.env = { ...remote.env, ...world.env("staging") };
    await must(remote.pulumi(["stack", "init", "staging"]));
    const file = path.join(remote.dir, "Pulumi.staging.yaml");
    const doc = (parse(await fs.readFile(file, "utf8")) ?? {}) as Record<string, unknown>;
    await fs.writeFile(file, stringify({ ...doc, config: world.stackConfig("staging") }));
    await must(remote.glidepath(["up", "--stack", "staging"]));

    const rows: { version: string; local: StepRun; remote: StepRun }[] = [];
    const calls: Record<string, number>[] = [];
    for (const version of versions) {
      const l = await stepOf(local, rolloutArgs(version, slo.url, ["--steps", "5,100"], "300ms", "300ms"));
      const marks = { cf: 0, wix: 0, gamma: 0 };
      const counted: Record<string, number> = {};
      const r = await stepOf(
        remote,
        [
          ...rolloutArgs(version, slo.url, ["--steps", "5,100"], "300ms", "300ms").map((a) =>
            a === "local" ? "staging" : a,
          ),
        ],
        {
          start() {
            marks.cf = world.cf.requests.length;
            marks.wix = world.wix.requests.length;
            marks.gamma = world.gamma.requests.length;
          },
          end() {
            for (const [name, fake] of [
              ["cloudflare", world.cf],
              ["wix", world.wix],
              ["gamma", world.gamma],
            ] as const) {
              const from = marks[name === "cloudflare" ? "cf" : name];
              for (const q of fake.requests.slice(from)) {
                const k = `${name} ${q.method}`;
                counted[k] = (counted[k] ?? 0) + 1;
              }
            }
          },
        },
      );
      rows.push({ version, local: l, remote: r });
      calls.push(counted);
    }
    console.log("one ramp step (5%): the step's update, local target vs staging-shaped targets");
    console.log("run  local apply  staging apply  staging edge-wait");
    for (const row of rows) {
      console.log(
        `${row.version.padEnd(4)} ${sec(row.local.applyMs).padStart(11)}  ${sec(row.remote.applyMs).padStart(13)}  ${sec(row.remote.propagationMs).padStart(17)}`,
      );
    }
    const ml = median(rows.map((x) => x.local.applyMs));
    const mr = median(rows.map((x) => x.remote.applyMs));
    console.log(`median: local ${sec(ml)}, staging ${sec(mr)}; ratio staging/local ${(mr / ml).toFixed(2)}×`);
    console.log("API calls of step 1's update, per target and method (each run):");
    const keys = [...new Set(calls.flatMap((c) => Object.keys(c)))].sort();
    for (const k of keys)
      console.log(`  ${k.padEnd(18)} ${calls.map((c) => String(c[k] ?? 0).padStart(4)).join(" ")}`);
  } finally {
    await world.close();
    await slo.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

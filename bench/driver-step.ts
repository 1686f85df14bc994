/**
 * The driver's cost, measured on the local stack with a loopback SLO endpoint:
 *
 * 1. Step overhead: each ramp step's apply (config write + `pulumi up` + bookkeeping, from
 *    the rollout report's `applyMs`, bake excluded) against a raw `pulumi up` (same flags) of
 *    the same change on a twin scratch project (the same config written beforehand, untimed),
 *    side by side per step; the ratio of medians. Target ≤ 1.2×.
 * 2. Time to rollback: from the failing sample to the target back on the stable release at
 *    weight 0 (the report's `rollback.fromFailureMs`), over several ramps that fail at 5%;
 *    median and max, against a raw `pulumi up --refresh` of the same change (a 5% canary
 *    back to its stable release, the config written beforehand) on the twin project: the
 *    rollback is one such `up` plus its bookkeeping (history read, config read, closing
 *    mark, target check).
 *
 * Run: `npm run bench -- driver-step` (BENCH_RUNS ramps of each kind, default 3).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { stepConfig } from "../automation/lib/driver/ramp-config";
import { writeStackKeys } from "../automation/lib/driver/stack-file";
import { parseStackConfig } from "../infra/config";
import { addVersion, rolloutArgs } from "./helpers/ramp";
import { makeProject, must, type ScratchProject } from "./helpers/scratch-project";
import { median } from "./helpers/stats";
import { benchToolchain } from "./helpers/toolchain";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STEPS = [5, 25, 50, 100];

const sec = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

/** A loopback SLO endpoint whose score the bench sets. */
async function sloServer(): Promise<{ url: string; score: { value: number }; close: () => void }> {
  const score = { value: 99.9 };
  const server = http.createServer((_q, res) => res.end(JSON.stringify({ score: score.value })));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slo`,
    score,
    close: () => server.close(),
  };
}

const rollout = (p: ScratchProject, version: string, url: string) =>
  p.glidepath(rolloutArgs(version, url, ["--json"], "300ms", "300ms"));

/** The scratch stack's validated config, as the CLI reads it. */
async function stackConfigOf(p: ScratchProject) {
  const cfgText = JSON.parse(
    (await must(p.pulumi(["config", "--json", "--stack", "local"]))).stdout,
  ) as Record<string, { value?: string; objectValue?: unknown }>;
  const raw = Object.fromEntries(
    Object.entries(cfgText).map(([k, v]) => [k, v.value ?? JSON.stringify(v.objectValue)]),
  );
  const parsed = parseStackConfig(raw);
  if (!parsed.ok) throw new Error("bench: the scratch stack's config does not parse");
  return parsed.config;
}

/** The raw `pulumi up` both baselines run: the flags the driver's step uses, without its message. */
const RAW_UP = [
  "up",
  "--yes",
  "--skip-preview",
  "--non-interactive",
  "--suppress-progress",
  "--stack",
  "local",
];

/** Raw `pulumi up` of each step's change, the config written beforehand (untimed). */
async function rawSteps(p: ScratchProject, version: string): Promise<number[]> {
  let cfg = await stackConfigOf(p);
  const times: number[] = [];
  for (const [step, weight] of STEPS.entries()) {
    const ramp = {
      id: "bench",
      version,
      apps: ["gamma", "wix"],
      step,
      weight,
      startedAt: new Date().toISOString(),
    };
    const phase = stepConfig(cfg, ramp);
    await writeStackKeys(p.dir, "local", { ...phase });
    cfg = { ...cfg, ...phase };
    const t0 = process.hrtime.bigint();
    await must(p.pulumi(RAW_UP));
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times;
}

/** Raw `pulumi up --refresh` of the rollback's change: a 5% canary back to stable (config written untimed). */
async function rawRollback(p: ScratchProject, version: string): Promise<number> {
  const green = await stackConfigOf(p);
  const ramp = {
    id: "bench",
    version,
    apps: ["gamma", "wix"],
    step: 0,
    weight: 5,
    startedAt: new Date().toISOString(),
  };
  await writeStackKeys(p.dir, "local", { ...stepConfig(green, ramp) });
  await must(p.pulumi(RAW_UP));
  await writeStackKeys(p.dir, "local", {
    releases: green.releases,
    weights: green.weights,
    flags: green.flags,
    ramp: undefined,
  });
  const t0 = process.hrtime.bigint();
  await must(p.pulumi([...RAW_UP, "--refresh"]));
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  const tc = await benchToolchain();
  console.log(`Pulumi ${tc.version}, Node ${process.version}, ${RUNS} ramps of each kind\n`);
  const slo = await sloServer();
  try {
    // 1. Step overhead: driver ramps and raw ups on two scratch projects of the same stack.
    const driver: number[][] = STEPS.map(() => []);
    const raw: number[][] = STEPS.map(() => []);
    const d = await makeProject(tc.binDir);
    const r = await makeProject(tc.binDir);
    for (const p of [d, r]) {
      await must(p.pulumi(["stack", "init", "local"]));
      await must(p.glidepath(["up", "--stack", "local"]));
    }
    for (let i = 0; i < RUNS; i++) {
      const version = `b${i + 2}`;
      await addVersion(d.dir, version);
      await addVersion(r.dir, version);
      const report = JSON.parse((await must(rollout(d, version, slo.url))).stdout) as {
        steps: { applyMs?: number }[];
      };
      for (const [k, s] of report.steps.entries()) driver[k]?.push(s.applyMs ?? Number.NaN);
      for (const [k, ms] of (await rawSteps(r, version)).entries()) raw[k]?.push(ms);
      // Promote the raw stack too, so both start the next run alike.
      await must(r.glidepath(["promote", "--stack", "local"]));
    }
    console.log("step   raw pulumi up (median)   driver step (median)   ratio");
    for (const [k, w] of STEPS.entries()) {
      const a = median(raw[k] ?? []);
      const b = median(driver[k] ?? []);
      console.log(
        `${String(w).padStart(3)}%   ${sec(a).padStart(20)}   ${sec(b).padStart(20)}   ${(b / a).toFixed(2)}x`,
      );
    }
    const allRaw = median(raw.flat());
    const allDriver = median(driver.flat());
    console.log(
      `all    ${sec(allRaw).padStart(20)}   ${sec(allDriver).padStart(20)}   ${(allDriver / allRaw).toFixed(2)}x\n`,
    );

    // 2. Time to rollback: ramps that fail at their first sample.
    slo.score.value = 97;
    const rollbacks: number[] = [];
    const rawRollbacks: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const version = `f${i + 2}`;
      await addVersion(d.dir, version);
      await addVersion(r.dir, version);
      rawRollbacks.push(await rawRollback(r, version));
      const out = await rollout(d, version, slo.url);
      if (out.code !== 1) throw new Error(`expected a rollback (exit 1), got ${out.code}: ${out.stderr}`);
      const report = JSON.parse(out.stdout) as { rollback?: { fromFailureMs: number } };
      rollbacks.push(report.rollback?.fromFailureMs ?? Number.NaN);
    }
    const rb = median(rollbacks);
    const rawRb = median(rawRollbacks);
    console.log(
      "                   raw pulumi up --refresh (median)   glidepath rollback (median, max)   ratio",
    );
    console.log(
      `time to rollback   ${sec(rawRb).padStart(32)}   ${`${sec(rb)}, ${sec(Math.max(...rollbacks))}`.padStart(32)}   ${(rb / rawRb).toFixed(2)}x`,
    );
    console.log(
      `(glidepath: failing sample → target checked on the stable release at weight 0; raw pulumi up of one step: ${sec(allRaw)})`,
    );
  } finally {
    slo.close();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

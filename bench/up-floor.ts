/**
 * The floor every rollout step is compared against: wall time of `pulumi up` on the local
 * stack, no-op and with one flag changed, side by side with
 *   - the same change through `glidepath up` (config validation + Automation API + up), and
 *   - the program run through ts-node (Pulumi's default for TypeScript) instead of tsc output.
 * Prints medians, min/max and ratios against the raw precompiled `pulumi up`.
 *
 * Run: `npm run bench` (or `node dist/bench/up-floor.js` after a build). BENCH_RUNS sets the
 * number of runs per case (default 5).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { makeProject, ROOT, type Run, type ScratchProject } from "./helpers/scratch-project";
import { benchToolchain } from "./helpers/toolchain";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

interface Stat {
  name: string;
  median: number;
  min: number;
  max: number;
}

function stat(name: string, samples: number[]): Stat {
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
  return { name, median, min: s[0] ?? 0, max: s[s.length - 1] ?? 0 };
}

async function timed(f: () => Promise<Run>): Promise<number> {
  const t0 = process.hrtime.bigint();
  const r = await f();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.code !== 0)
    throw new Error(
      `benchmark command failed (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`,
    );
  return ms;
}

async function must(r: Promise<Run>): Promise<Run> {
  const done = await r;
  if (done.code !== 0)
    throw new Error(
      `setup command failed (exit ${done.code}):\n${done.stdout.slice(-3000)}\n${done.stderr.slice(-2000)}`,
    );
  return done;
}

const up = (p: ScratchProject) => () => p.pulumi(["up", "--yes", "--skip-preview", "--stack", "local"]);

async function measure(p: ScratchProject, label: string, runner: (p: ScratchProject) => () => Promise<Run>) {
  const noop: number[] = [];
  const change: number[] = [];
  let value = true;
  for (let i = 0; i < RUNS; i++) {
    noop.push(await timed(runner(p)));
    await must(
      p.pulumi([
        "config",
        "set",
        "--path",
        "glidepath:flags.wix.CanaryEnabled",
        String(value),
        "-s",
        "local",
      ]),
    );
    value = !value;
    change.push(await timed(runner(p)));
  }
  return [stat(`${label}: no-op up`, noop), stat(`${label}: one flag changed`, change)];
}

async function useTsNode(p: ScratchProject): Promise<void> {
  for (const dir of ["infra", "providers"]) {
    await fs.cp(path.join(ROOT, dir), path.join(p.dir, dir), { recursive: true });
  }
  await fs.copyFile(path.join(ROOT, "tsconfig.json"), path.join(p.dir, "tsconfig.json"));
  // The program runs from infra/, where ts-node would not find tsconfig.json by itself.
  p.env = { ...p.env, PULUMI_NODEJS_TSCONFIG_PATH: path.join(p.dir, "tsconfig.json") };
  const yaml = await fs.readFile(path.join(p.dir, "Pulumi.yaml"), "utf8");
  await fs.writeFile(
    path.join(p.dir, "Pulumi.yaml"),
    yaml
      .replace("typescript: false", "typescript: true")
      .replace("main: dist/infra/index.js", "main: infra/index.ts"),
  );
}

async function main(): Promise<void> {
  const tc = await benchToolchain();
  const results: Stat[] = [];

  const pre = await makeProject(tc.binDir);
  await must(pre.pulumi(["stack", "init", "local"]));
  await must(up(pre)());
  const exported = JSON.parse((await must(pre.pulumi(["stack", "export", "--stack", "local"]))).stdout);
  console.log(
    `Pulumi ${tc.version}, Node ${process.version}, ${RUNS} runs per case, ` +
      `local stack of Pulumi.local.yaml (${exported.deployment.resources.length} resources)\n`,
  );
  results.push(...(await measure(pre, "pulumi up (tsc output)", up)));
  results.push(
    ...(await measure(pre, "glidepath up", (p) => () => p.glidepath(["up", "--stack", "local", "--json"]))),
  );

  const tsn = await makeProject(tc.binDir);
  await useTsNode(tsn);
  await must(tsn.pulumi(["stack", "init", "local"]));
  await must(up(tsn)());
  results.push(...(await measure(tsn, "pulumi up (ts-node)", up)));

  const base = new Map(
    results.filter((r) => r.name.startsWith("pulumi up (tsc")).map((r) => [r.name.split(": ")[1], r]),
  );
  const rows = results.map((r) => {
    const b = base.get(r.name.split(": ")[1]);
    const ratio = b ? (r.median / b.median).toFixed(2) : "-";
    return `${r.name.padEnd(44)} ${(r.median / 1000).toFixed(2).padStart(7)}s ${(r.min / 1000).toFixed(2).padStart(7)}s ${(r.max / 1000).toFixed(2).padStart(7)}s ${ratio.padStart(6)}x`;
  });
  console.log(
    `${"case".padEnd(44)} ${"median".padStart(8)} ${"min".padStart(8)} ${"max".padStart(8)} ${"vs raw".padStart(7)}`,
  );
  console.log(rows.join("\n"));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

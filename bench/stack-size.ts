/**
 * How `up` scales with the number of apps: the wall time of a one-weight change on a stack
 * with 2 apps and on one with 50 (generated config: per app one flag, one stable release,
 * one route; app-00 also has a canary whose weight the measured update changes). Prints
 * medians, the ratio, and the size of the stack's checkpoint and of the provider code
 * stored in it.
 *
 * Run: `npm run bench -- stack-size` (BENCH_RUNS runs per case, default 5; BENCH_APPS
 * overrides the large size, default 50).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { makeProject, must, ROOT, type ScratchProject } from "./helpers/scratch-project";
import { benchToolchain } from "./helpers/toolchain";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const LARGE = Number(process.env.BENCH_APPS ?? 50);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

/** Writes Pulumi.local.yaml and bundles for `n` apps into a scratch project. */
async function generate(p: ScratchProject, n: number): Promise<void> {
  const apps: string[] = [];
  const flags: string[] = [];
  const releases: string[] = [];
  for (let i = 0; i < n; i++) {
    const app = `app-${String(i).padStart(2, "0")}`;
    for (const v of i === 0 ? ["v1", "v2"] : ["v1"]) {
      const dir = path.join(p.dir, "apps", app, v);
      await fs.mkdir(dir, { recursive: true });
      await fs.writeFile(path.join(dir, "index.html"), `<p>${app} ${v}</p>\n`);
    }
    apps.push(`    ${app}:\n      target: local`);
    flags.push(`    ${app}:\n      CanaryEnabled: ${i === 0}`);
    const canary = i === 0 ? `\n      canary:\n        version: v2\n        source: apps/${app}/v2` : "";
    releases.push(`    ${app}:\n      stable:\n        version: v1\n        source: apps/${app}/v1${canary}`);
  }
  const original = await fs.readFile(path.join(ROOT, "Pulumi.local.yaml"), "utf8");
  const salt = original.split("\n").find((l) => l.startsWith("encryptionsalt:")) ?? "";
  await fs.writeFile(
    path.join(p.dir, "Pulumi.local.yaml"),
    `${salt}\nconfig:\n  glidepath:environment: local\n  glidepath:apps:\n${apps.join("\n")}\n` +
      `  glidepath:flags:\n${flags.join("\n")}\n  glidepath:releases:\n${releases.join("\n")}\n` +
      "  glidepath:weights:\n    app-00: 5\n",
  );
}

async function measure(n: number, binDir: string) {
  const p = await makeProject(binDir);
  await generate(p, n);
  await must(p.pulumi(["stack", "init", "local"]));
  await must(p.pulumi(["up", "--yes", "--skip-preview", "--stack", "local"]));
  const samples: number[] = [];
  const weights = [25, 50, 5];
  for (let i = 0; i < RUNS; i++) {
    await must(
      p.pulumi([
        "config",
        "set",
        "--path",
        "glidepath:weights.app-00",
        String(weights[i % 3]),
        "-s",
        "local",
      ]),
    );
    const t0 = process.hrtime.bigint();
    await must(p.pulumi(["up", "--yes", "--skip-preview", "--stack", "local"]));
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const state = JSON.parse((await must(p.pulumi(["stack", "export", "--stack", "local"]))).stdout);
  const resources = state.deployment.resources as { inputs?: { __provider?: string } }[];
  const providerBytes = resources.reduce((sum, r) => sum + (r.inputs?.__provider?.length ?? 0), 0);
  return {
    n,
    resources: resources.length,
    median: median(samples),
    min: Math.min(...samples),
    max: Math.max(...samples),
    checkpointKB: Math.round(JSON.stringify(state).length / 1024),
    providerKB: Math.round(providerBytes / 1024),
  };
}

async function main(): Promise<void> {
  const tc = await benchToolchain();
  console.log(`Pulumi ${tc.version}, Node ${process.version}, ${RUNS} one-weight updates per size\n`);
  const small = await measure(2, tc.binDir);
  const large = await measure(LARGE, tc.binDir);
  console.log("apps  resources   median      min      max  checkpoint  provider code in state");
  for (const r of [small, large]) {
    console.log(
      `${String(r.n).padStart(4)}  ${String(r.resources).padStart(9)}  ${(r.median / 1000).toFixed(2).padStart(6)}s ${(r.min / 1000).toFixed(2).padStart(7)}s ${(r.max / 1000).toFixed(2).padStart(7)}s  ${String(r.checkpointKB).padStart(7)} KB  ${String(r.providerKB).padStart(8)} KB`,
    );
  }
  console.log(`\nratio ${LARGE} apps / 2 apps: ${(large.median / small.median).toFixed(2)}x`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

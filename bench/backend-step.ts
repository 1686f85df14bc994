/**
 * The shared PostgreSQL backend against the file backend: the same ramps (`--steps 5,100`,
 * a loopback SLO endpoint, windows of 1 s) on two scratch projects of the local stack, one
 * per backend, side by side: each ramp step's apply (config write + `pulumi up` + bookkeeping,
 * from the rollout report's `applyMs`, bake excluded, the PostgreSQL driver lock included),
 * medians and their ratio; and the size of the stack's latest checkpoint on each (on
 * PostgreSQL the row also as stored: base64 inside a JSON document). The cluster is a
 * throw-away one on 127.0.0.1 with fsync on.
 *
 * Run: `npm run bench -- backend-step` (BENCH_RUNS ramps per backend, default 3).
 */
import * as fs from "node:fs/promises";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { postgresProblem, startPostgres } from "./helpers/postgres";
import { addVersion, rolloutArgs } from "./helpers/ramp";
import { makeProject, must, type ScratchProject } from "./helpers/scratch-project";
import { median } from "./helpers/stats";
import { benchToolchain } from "./helpers/toolchain";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CHECKPOINT = ".pulumi/stacks/glidepath/local.json";

const sec = (ms: number) => `${(ms / 1000).toFixed(2)}s`;
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;

/** Each step's apply time of RUNS ramps on a project whose local stack is green. */
async function steps(p: ScratchProject, url: string, tag: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const version = `${tag}${i + 2}`;
    await addVersion(p.dir, version);
    const out = await must(
      p.glidepath(rolloutArgs(version, url, ["--steps", "5,100", "--json"], "1s", "250ms")),
    );
    const report = JSON.parse(out.stdout) as { steps: { applyMs?: number }[] };
    for (const s of report.steps) times.push(s.applyMs ?? Number.NaN);
  }
  return times;
}

async function main(): Promise<void> {
  const problem = postgresProblem();
  if (problem !== undefined) throw new Error(`bench backend-step needs PostgreSQL: ${problem}`);
  const tc = await benchToolchain();
  console.log(`Pulumi ${tc.version}, Node ${process.version}, ${RUNS} ramps of 2 steps per backend\n`);
  const server = http.createServer((_q, res) => res.end(JSON.stringify({ score: 99.9 })));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slo`;
  const pg = await startPostgres({ fsync: true });
  try {
    const file = await makeProject(tc.binDir);
    const shared = await makeProject(tc.binDir, { backendUrl: pg.url });
    for (const p of [file, shared]) {
      await must(p.pulumi(["stack", "init", "local"]));
      await must(p.glidepath(["up", "--stack", "local"]));
    }
    const f = await steps(file, url, "f");
    const s = await steps(shared, url, "p");
    const fileBytes = (await fs.stat(path.join(file.dir, "state", CHECKPOINT))).size;
    const [row] = await pg.query<{ stored: number; decoded: number }>(
      "SELECT octet_length(data::text) AS stored, octet_length(decode(data->>'data', 'base64')) AS decoded FROM pulumi_state WHERE key = $1",
      [`state/${CHECKPOINT}`],
    );
    console.log("backend      ramp step (median, min, max)      latest checkpoint");
    console.log(
      `file         ${`${sec(median(f))}, ${sec(Math.min(...f))}, ${sec(Math.max(...f))}`.padEnd(32)}  ${kb(fileBytes)}`,
    );
    console.log(
      `postgres     ${`${sec(median(s))}, ${sec(Math.min(...s))}, ${sec(Math.max(...s))}`.padEnd(32)}  ${kb(row?.decoded ?? 0)} (stored row: ${kb(row?.stored ?? 0)})`,
    );
    console.log(`ratio        ${(median(s) / median(f)).toFixed(2)}x`);
  } finally {
    server.close();
    await pg.stop();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});

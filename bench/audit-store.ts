/**
 * The audit log shared through a PostgreSQL backend against the file log, side by side: one
 * append (lock, head, write, sync; on PostgreSQL one transaction under an advisory lock, then the
 * mirror's log rewritten from the database) on a log of growing length, and the pull a command
 * does when it opens a stack (the whole log and the stack's files into the mirror). Medians and
 * their ratio. The cluster is a throw-away one on 127.0.0.1 with fsync on.
 *
 * Run: `npm run bench -- audit-store` (BENCH_APPENDS appends per backend, default 300).
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import {
  appendAudit,
  auditFile,
  flushGuardrailMirrors,
  openGuardrailMirror,
} from "../automation/lib/audit/log-file";
import { postgresProblem, startPostgres } from "./helpers/postgres";
import { median } from "./helpers/stats";

const APPENDS = Number(process.env.BENCH_APPENDS ?? 300);
const ms = (n: number) => `${n.toFixed(2)} ms`;

/** Each append's time, in ms, into `file` (a fresh log). */
async function appends(file: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < APPENDS; i++) {
    const t = performance.now();
    await appendAudit(file, { kind: "deploy", data: { stack: "bench", i, result: "succeeded" } });
    times.push(performance.now() - t);
  }
  return times;
}

/** Median of the first and of the last tenth: the cost as the log grows. */
function ends(times: number[]): { first: number; last: number; all: number } {
  const tenth = Math.max(1, Math.floor(times.length / 10));
  return { first: median(times.slice(0, tenth)), last: median(times.slice(-tenth)), all: median(times) };
}

async function main(): Promise<void> {
  const problem = postgresProblem();
  if (problem !== undefined) throw new Error(problem);
  const pg = await startPostgres({ fsync: true });
  const saved = process.env.PULUMI_BACKEND_URL;
  try {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-bench-audit-"));
    await fs.writeFile(path.join(dir, "Pulumi.yaml"), "name: glidepath\n");
    const fileUrl = `file://${path.join(dir, "state")}`;
    process.env.PULUMI_BACKEND_URL = fileUrl;
    const onFile = ends(await appends(auditFile(dir, "bench", fileUrl)));
    process.env.PULUMI_BACKEND_URL = pg.url;
    const onPg = ends(await appends(auditFile(dir, "bench", pg.url)));
    await flushGuardrailMirrors();
    const pulls: number[] = [];
    for (let i = 0; i < 10; i++) {
      const other = await fs.mkdtemp(path.join(os.tmpdir(), "gp-bench-pull-"));
      const t = performance.now();
      await openGuardrailMirror(other, "bench");
      pulls.push(performance.now() - t);
      await flushGuardrailMirrors();
    }
    const row = (name: string, f: number, p: number) =>
      `| ${name.padEnd(34)} | ${ms(f).padStart(10)} | ${ms(p).padStart(10)} | ${(p / f).toFixed(1).padStart(5)}× |`;
    console.log(`${APPENDS} appends per backend; pull of a ${APPENDS}-line log, 10 runs\n`);
    console.log(
      `| ${"median".padEnd(34)} | ${"file".padStart(10)} | ${"PostgreSQL".padStart(10)} | ratio  |`,
    );
    console.log(`| ${"-".repeat(34)} | ${"-".repeat(10)} | ${"-".repeat(10)} | ------ |`);
    console.log(row("append, first tenth of the log", onFile.first, onPg.first));
    console.log(row("append, last tenth of the log", onFile.last, onPg.last));
    console.log(row("append, all", onFile.all, onPg.all));
    console.log(
      `| ${"pull into a fresh checkout".padEnd(34)} | ${"-".padStart(10)} | ${ms(median(pulls)).padStart(10)} |        |`,
    );
  } finally {
    if (saved === undefined) delete process.env.PULUMI_BACKEND_URL;
    else process.env.PULUMI_BACKEND_URL = saved;
    await pg.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

/**
 * The guardrail records of a stack shared through a PostgreSQL backend, against a real server:
 * two checkouts (two project directories, one database) append to one contiguous log and see
 * each other's files; two processes × 100 appends stay contiguous; a row changed or deleted in
 * the database shows in `verify`; a checkout's log from before sharing is imported, and one that
 * disagrees with the shared log is set aside, not lost; the program's synchronous pull fails
 * closed when the database cannot be reached.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appendAudit,
  auditDir,
  auditFile,
  flushGuardrailMirrors,
  openGuardrailMirror,
  repairAudit,
} from "../../automation/lib/audit/log-file";
import { verifyLog } from "../../automation/lib/audit/verify";
import { lockBackendOf, type PostgresBackend } from "../../automation/lib/backend-url";
import { type PostgresCluster, postgresAvailable, startPostgres } from "../../bench/helpers/postgres";
import { ROOT } from "../helpers/dist";

const execFileP = promisify(execFile);
const STACK = "production";

describe.skipIf(!postgresAvailable())("guardrail records shared through a PostgreSQL backend", () => {
  let pg: PostgresCluster;
  const saved = process.env.PULUMI_BACKEND_URL;
  const checkout = async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-shared-"));
    await fs.writeFile(path.join(dir, "Pulumi.yaml"), "name: glidepath\n");
    return dir;
  };
  /** A stack's key in the tables (the URL's database path is the backend's prefix). */
  const key = (stack: string) => `${(lockBackendOf(pg.url) as PostgresBackend).prefix}${stack}`;
  const log = (dir: string, stack = STACK) => fs.readFile(auditFile(dir, stack, pg.url));
  const kinds = async (dir: string, stack = STACK) =>
    (await log(dir, stack))
      .toString()
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { data: { i?: number } }).data.i);
  /** What another command in this checkout sees: this process's mirrors pushed, then opened again. */
  const reopen = async (dir: string, stack = STACK) => {
    await flushGuardrailMirrors();
    await openGuardrailMirror(dir, stack);
  };

  beforeAll(async () => {
    pg = await startPostgres();
    process.env.PULUMI_BACKEND_URL = pg.url;
  });
  afterAll(async () => {
    await flushGuardrailMirrors().catch(() => undefined);
    if (saved === undefined) delete process.env.PULUMI_BACKEND_URL;
    else process.env.PULUMI_BACKEND_URL = saved;
    await pg?.stop();
  });

  it("two checkouts append to one contiguous log and see each other's files once pushed", async () => {
    const [a, b] = [await checkout(), await checkout()];
    expect(auditDir(a, STACK, pg.url)).toBe(path.join(a, ".glidepath", "audit", STACK));
    await openGuardrailMirror(a, STACK);
    await appendAudit(auditFile(a, STACK), { kind: "gate", data: { i: 1 } });
    await appendAudit(auditFile(a, STACK), { kind: "approval", data: { i: 2 } });
    await fs.mkdir(path.join(auditDir(a, STACK), "evidence", "b1"), { recursive: true });
    await fs.writeFile(path.join(auditDir(a, STACK), "evidence", "b1", "evidence.json"), '{"id":"b1"}\n');
    await fs.writeFile(path.join(auditDir(a, STACK), "gate-verdict.json"), '{"result":"PASS"}\n');
    expect(await flushGuardrailMirrors()).toEqual({
      [STACK]: ["evidence/b1/evidence.json", "gate-verdict.json"],
    });

    await openGuardrailMirror(b, STACK);
    expect(await log(b)).toEqual(await log(a));
    expect(await fs.readFile(path.join(auditDir(b, STACK), "gate-verdict.json"), "utf8")).toBe(
      '{"result":"PASS"}\n',
    );
    const head = await appendAudit(auditFile(b, STACK), { kind: "deploy", data: { i: 3 } });
    expect(head.seq).toBe(3);
    await reopen(a);
    expect(await kinds(a)).toEqual([1, 2, 3]);
    expect(verifyLog(await log(a), { stack: STACK })).toMatchObject({ ok: true, lines: 3 });
    // Nothing was written that was already there: the pull left the pushed files as they were.
    expect(await flushGuardrailMirrors()).toEqual({ [STACK]: [] });
  });

  it("two processes × 100 appends → 200 contiguous entries that verify", async () => {
    const dir = await checkout();
    const file = auditFile(dir, "staging");
    const mod = path.join(ROOT, "dist/automation/lib/audit/log-file.js");
    const code = `const { appendAudit } = require(${JSON.stringify(mod)});
(async () => { for (let i = 0; i < 100; i++) await appendAudit(process.argv[1], { kind: "deploy", data: { by: process.argv[2], i } }); })()
  .catch((e) => { console.error(e); process.exit(1); });`;
    const run = (tag: string) =>
      new Promise<number | null>((resolve) =>
        spawn(process.execPath, ["-e", code, file, tag], { stdio: ["ignore", "inherit", "inherit"] }).on(
          "exit",
          resolve,
        ),
      );
    expect(await Promise.all([run("p1"), run("p2")])).toEqual([0, 0]);
    const rows = await pg.query<{ n: string; max: string }>(
      "SELECT count(*) AS n, max(seq) AS max FROM glidepath_audit_lines WHERE stack = $1",
      [key("staging")],
    );
    expect(rows[0]).toEqual({ n: "200", max: "200" });
    await openGuardrailMirror(dir, "staging");
    expect(verifyLog(await log(dir, "staging"), { stack: "staging" })).toMatchObject({
      ok: true,
      lines: 200,
    });
  });

  it("a row changed or deleted in the database shows at its line in verify", async () => {
    const dir = await checkout();
    const stack = "tamper";
    for (let i = 1; i <= 4; i++) await appendAudit(auditFile(dir, stack), { kind: "deploy", data: { i } });
    await pg.query(
      "UPDATE glidepath_audit_lines SET line = convert_to(replace(convert_from(line, 'UTF8'), '\"i\":2', '\"i\":7'), 'UTF8') WHERE stack = $1 AND seq = 2",
      [key(stack)],
    );
    await reopen(dir, stack);
    const changed = verifyLog(await log(dir, stack), { stack });
    expect(changed.ok).toBe(false);
    expect(changed.findings[0]).toMatchObject({ line: 2, kind: "hash-mismatch" });
    await pg.query("DELETE FROM glidepath_audit_lines WHERE stack = $1 AND seq = 2", [key(stack)]);
    await reopen(dir, stack);
    expect(verifyLog(await log(dir, stack), { stack }).findings[0]).toMatchObject({ line: 2 });
    // The torn-line repair is for a file; the database's rows cannot be torn.
    await expect(repairAudit(auditFile(dir, stack), { stack })).rejects.toMatchObject({
      code: "GP_AUDIT_REPAIR_REFUSED",
    });
  });

  it("a checkout's log from before sharing is imported; one that disagrees with the shared log is set aside", async () => {
    const [a, b] = [await checkout(), await checkout()];
    const stack = "adopt";
    const local = auditFile(a, stack);
    const other = auditFile(b, stack);
    // Written as the file backend would (no PostgreSQL backend in effect).
    delete process.env.PULUMI_BACKEND_URL;
    try {
      for (let i = 1; i <= 2; i++) await appendAudit(local, { kind: "deploy", data: { i } });
      await appendAudit(other, { kind: "deploy", data: { i: 9 } });
    } finally {
      process.env.PULUMI_BACKEND_URL = pg.url;
    }
    const before = await fs.readFile(local);
    expect(await openGuardrailMirror(a, stack)).toEqual([
      `the shared audit log of "${key(stack)}" was empty: it took this checkout's 2 lines`,
    ]);
    expect(await log(a, stack)).toEqual(before);
    const mine = await fs.readFile(other);
    const notes = await openGuardrailMirror(b, stack);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain("was not a prefix of the shared one; it was set aside as");
    const aside = (await fs.readdir(auditDir(b, stack))).filter((n) => n.includes(".unshared-"));
    expect(aside).toHaveLength(1);
    expect(await fs.readFile(path.join(auditDir(b, stack), aside[0] as string))).toEqual(mine);
    expect(await log(b, stack)).toEqual(before);
  });

  it("a row naming a path outside the mirror is never written", async () => {
    const dir = await checkout();
    await pg.query(
      "INSERT INTO glidepath_guardrail_files (stack, name, bytes, sha256) VALUES ($1, '../../outside.txt', 'x', 'x')",
      [key("escape")],
    );
    await openGuardrailMirror(dir, "escape");
    await expect(fs.stat(path.join(dir, ".glidepath", "outside.txt"))).rejects.toMatchObject({
      code: "ENOENT",
    });
  });

  it("the program's pull brings the mirror up, and fails closed (exit 1, no credential) when the database is unreachable", async () => {
    const dir = await checkout();
    await appendAudit(auditFile(await checkout(), "pulled"), { kind: "gate", data: { i: 1 } });
    const script = path.join(ROOT, "dist/automation/lib/audit/pull-mirror-main.js");
    await execFileP(process.execPath, [script, dir, "pulled"], {
      env: { ...process.env, PULUMI_BACKEND_URL: pg.url },
    });
    expect(await kinds(dir, "pulled")).toEqual([1]);
    const bad = `postgres://glidepath:s3cr3t-pw@127.0.0.1:1/state?sslmode=disable`;
    const r = await execFileP(process.execPath, [script, dir, "pulled"], {
      env: { ...process.env, PULUMI_BACKEND_URL: bad },
    }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("GP_BACKEND_UNREACHABLE");
    expect(r.stderr).not.toContain("s3cr3t-pw");
  });
});

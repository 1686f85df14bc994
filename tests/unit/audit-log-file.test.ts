/**
 * The audit log on disk: locked O_APPEND appends (two processes × 500 → 1,000 contiguous entries
 * that verify), the refusal to chain onto a torn last line, and the repair that removes only that.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { EMPTY_HEAD } from "../../automation/lib/audit/entry";
import { appendAudit, auditFile, readAuditHead, repairAudit } from "../../automation/lib/audit/log-file";
import { verifyLog } from "../../automation/lib/audit/verify";
import { ROOT } from "../helpers/dist";

async function tmpLog(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-audit-"));
  return path.join(dir, "production", ".verification_audit.log");
}

/** Runs `count` appends in a child process, from the compiled module. */
function appender(file: string, tag: string, count: number): Promise<number | null> {
  const mod = path.join(ROOT, "dist/automation/lib/audit/log-file.js");
  const code = `const { appendAudit } = require(${JSON.stringify(mod)});
(async () => { for (let i = 0; i < ${count}; i++) await appendAudit(process.argv[1], { kind: "deploy", data: { by: process.argv[2], i } }); })()
  .catch((e) => { console.error(e); process.exit(1); });`;
  const child = spawn(process.execPath, ["-e", code, file, tag], { stdio: ["ignore", "inherit", "inherit"] });
  return new Promise((resolve) => child.on("exit", resolve));
}

describe("audit log file", () => {
  it("lives beside the file backend's state, else in the project's .glidepath", () => {
    expect(auditFile("/p", "production", "file:///state")).toBe(
      "/state/.glidepath-audit/production/.verification_audit.log",
    );
    expect(auditFile("/p", "production", "postgres://db/x")).toBe(
      "/p/.glidepath/audit/production/.verification_audit.log",
    );
  });

  it("appends return the new head, and the log verifies", async () => {
    const file = await tmpLog();
    const h1 = await appendAudit(file, { kind: "gate", data: { verdict: "pass" } });
    const h2 = await appendAudit(file, { kind: "deploy", data: { release: "v2" } });
    expect([h1.seq, h2.seq]).toEqual([1, 2]);
    expect(await readAuditHead(file)).toEqual(h2);
    expect(await readAuditHead(`${file}.absent`)).toEqual(EMPTY_HEAD);
    const r = verifyLog(await fs.readFile(file));
    expect(r).toMatchObject({ ok: true, lines: 2, head: h2 });
  });

  it("two processes × 500 appends → 1,000 contiguous entries that verify", async () => {
    const file = await tmpLog();
    await fs.mkdir(path.dirname(file), { recursive: true });
    const codes = await Promise.all([appender(file, "a", 500), appender(file, "b", 500)]);
    expect(codes).toEqual([0, 0]);
    const bytes = await fs.readFile(file);
    const r = verifyLog(bytes);
    expect(r.findings).toEqual([]);
    expect(r.head.seq).toBe(1000);
    const entries = bytes
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(entries.filter((e) => e.data.by === "a")).toHaveLength(500);
    // Each writer's entries stay in its own order.
    expect(entries.filter((e) => e.data.by === "b").map((e) => e.data.i)).toEqual(
      Array.from({ length: 500 }, (_, i) => i),
    );
  });

  it("refuses to chain onto a torn last line; repair removes only that line and records a repair entry", async () => {
    const file = await tmpLog();
    await appendAudit(file, { kind: "gate", data: { verdict: "pass" } });
    await appendAudit(file, { kind: "deploy", data: { release: "v2" } });
    const good = await fs.readFile(file);
    await fs.appendFile(file, '{"seq":3,"prev":"');
    await expect(appendAudit(file, { kind: "rollback", data: {} })).rejects.toMatchObject({
      code: "GP_AUDIT_UNWRITABLE",
    });
    const r = await repairAudit(file, {}, { now: new Date("2026-12-01T12:00:00Z") });
    expect(r).toMatchObject({ line: 3, removedBytes: 17 });
    const after = await fs.readFile(file);
    expect(after.subarray(0, good.length).equals(good)).toBe(true);
    const last = JSON.parse(after.subarray(good.length).toString());
    expect(last).toMatchObject({ seq: 3, kind: "repair", data: { line: 3, removedBytes: 17 } });
    expect(Buffer.from(last.data.removedBase64, "base64").toString()).toBe('{"seq":3,"prev":"');
    expect(verifyLog(after).ok).toBe(true);
    await appendAudit(file, { kind: "rollback", data: {} });
  });

  it("refuses to repair a log that verifies, or one with any other finding, and changes nothing", async () => {
    const file = await tmpLog();
    for (let i = 0; i < 3; i++) await appendAudit(file, { kind: "deploy", data: { i } });
    await expect(repairAudit(file, {})).rejects.toMatchObject({
      code: "GP_AUDIT_REPAIR_REFUSED",
      message: expect.stringContaining("it verifies: there is nothing to repair"),
    });
    const lines = (await fs.readFile(file, "utf8")).split("\n");
    const tampered = `${[lines[0], lines[2], lines[1]].join("\n")}\n{"seq":4`;
    await fs.writeFile(file, tampered);
    await expect(repairAudit(file, {})).rejects.toMatchObject({
      code: "GP_AUDIT_REPAIR_REFUSED",
      message: expect.stringContaining("line 2: reordered: lines 2 and 3 are swapped"),
    });
    expect(await fs.readFile(file, "utf8")).toBe(tampered);
  });
});

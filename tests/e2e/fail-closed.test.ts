/**
 * The driver fails closed, through the real engine: a long ramp rolls back to the update it
 * started from (the whole history is read, update numbers stay put), a failing stack holds
 * new ramps, a plain rollback after a promotion goes to the state before the ramp and keeps
 * today's secrets, signals roll a live canary back, and a stack file that stops parsing ends
 * on exit 3 with the rollback finished by the next run. Each path asserts its exit code and
 * the report it leaves.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rolloutReportSchema } from "../../automation/lib/driver/report";
import type { ScratchProject } from "../../bench/helpers/scratch-project";
import { type SloServer, startSloServer } from "../helpers/slo-server";
import { greenProject, readRoute, rolloutArgs, until } from "./helpers/rollout";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
const OLD_TOKEN = "tok-before-rotation-1a2b3c";
const NEW_TOKEN = "tok-after-rotation-9z8y7x";
const healthy = { apps: { wix: { score: 99.9 }, gamma: { good: 500, total: 500 } } };

describe.skipIf(binDir === undefined)("the driver fails closed (real engine)", () => {
  let p: ScratchProject;
  let slo: SloServer;
  const report = async () =>
    rolloutReportSchema.parse(
      JSON.parse(await fs.readFile(path.join(p.dir, "artifacts/rollout-report.json"), "utf8")),
    );
  /** `pulumi stack history` read whole, newest first. */
  const fullHistory = async () =>
    JSON.parse(
      (await p.pulumi(["stack", "history", "--json", "--page-size", "100000", "--stack", "local"])).stdout,
    ) as { kind: string; result: string; message: string }[];
  const runtimeCodes = async () =>
    (await fs.readFile(path.join(p.dir, "artifacts/runtime-events.jsonl"), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l).code as string);
  const tokenNow = async () =>
    (await p.pulumi(["config", "get", "glidepath:GAMMA_TOKEN", "--stack", "local"], true)).stdout.trim();

  beforeAll(async () => {
    slo = await startSloServer(() => ({ kind: "json", body: healthy }));
    p = await greenProject(binDir as string, { key: "glidepath:GAMMA_TOKEN", value: OLD_TOKEN }, [
      "v3",
      "v4",
    ]);
  });

  afterAll(async () => {
    await slo?.close();
  });

  it("rolls a ramp of 11 steps back to the update it started from, by its real number (probe D2), exit 1", async () => {
    const pre = (await fullHistory()).length;
    const steps = "1,2,3,4,5,6,7,8,9,10,100";
    const run = p.start(rolloutArgs("v2", slo.url, ["--steps", steps], "1s"));
    await until(() => run.output().includes("[step 11/11 100%] applied"), 170_000, "the last step");
    slo.setBehavior(() => ({ kind: "json", body: { score: 90 } }));
    const done = await run.done;
    slo.setBehavior(() => ({ kind: "json", body: healthy }));
    expect(done.code, done.stderr).toBe(1);
    expect(done.stderr).toContain("error[GP_GATE_FAILED]");
    const r = await report();
    expect(r).toMatchObject({ outcome: "rolled_back", rollback: { restored: pre } });
    expect(r.rollback?.message).toMatch(
      new RegExp(`^glidepath rollback local to update ${pre} \\(glidepath up local: `),
    );
    expect(await readRoute(p.dir, "wix")).toMatchObject({
      stable: { version: "v1" },
      canary: null,
      weight: 0,
    });
    // The audit trail lists every update, numbered from the oldest, and the numbers stay put.
    const all = await fullHistory();
    expect(all.length).toBe(pre + 12);
    const listed = JSON.parse((await p.glidepath(["history", "--stack", "local", "--json"])).stdout)
      .history as {
      version: number;
      message: string;
    }[];
    expect(listed.map((h) => h.version)).toEqual(all.map((_h, i) => all.length - i));
    expect(listed[0]?.message).toBe(r.rollback?.message);
  });

  it("refuses --to an update that ran mid-ramp (exit 2), naming the nearest green updates", async () => {
    const before = (await fullHistory()).length;
    const r = await p.glidepath(["rollback", "--stack", "local", "--to", String(before - 1), "--json"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("error[GP_HISTORY_NO_MATCH]");
    expect(r.stderr).toContain(`update ${before - 1} ran in the middle of a ramp (canary v2 at 100%)`);
    expect(r.stderr).toMatch(/pick a green update instead: \d+ \(glidepath up local: /);
    expect((await fullHistory()).length).toBe(before);
  });

  it("holds a new ramp on a failing stack (exit 2, nothing deployed) unless --override-hold, which every message records", async () => {
    const file = path.join(p.dir, "artifacts/runtime-events.jsonl");
    const failure = (n: number) =>
      `${JSON.stringify({ ts: new Date().toISOString(), stack: "local", code: "case_processing_failed", subject: `probe ${n}` })}\n`;
    await fs.appendFile(file, failure(1) + failure(2) + failure(3));
    const before = (await fullHistory()).length;
    const held = await p.glidepath(rolloutArgs("v3", slo.url, ["--steps", "100"]));
    expect(held.code, held.stderr).toBe(2);
    expect(held.stderr).toContain("error[GP_ROLLOUT_HELD]");
    expect(held.stderr).toContain("case_processing_failed: probe 3");
    expect(held.stderr).toContain("--override-hold");
    expect(await report()).toMatchObject({ outcome: "not_started", error: { code: "GP_ROLLOUT_HELD" } });
    expect((await fullHistory()).length).toBe(before);
    const status = JSON.parse((await p.glidepath(["status", "--stack", "local", "--json"])).stdout);
    expect(status).toMatchObject({
      health: "failing",
      rollout_gate: "hold",
      last_cycle_failed: true,
      queue_depth: 0,
      cloud_rollout_count: 2,
      wasm_rollout_count: 1,
      stale: false,
    });
    const over = await p.glidepath(rolloutArgs("v3", slo.url, ["--steps", "100", "--override-hold"]));
    expect(over.code, over.stderr).toBe(0);
    expect((await fullHistory()).slice(0, 2).map((h) => h.message)).toEqual([
      "glidepath promote gamma@v3 wix@v3 override-hold",
      "glidepath canary:100 gamma@v3 wix@v3 override-hold",
    ]);
    expect(await runtimeCodes()).toContain("hold_overridden");
  });

  it("a plain rollback after a promotion returns to the state before the ramp and keeps today's secrets (probe D3)", async () => {
    const promotion = (await fullHistory()).length;
    const rotate = await p.pulumi([
      "config",
      "set",
      "--secret",
      "glidepath:GAMMA_TOKEN",
      NEW_TOKEN,
      "--stack",
      "local",
    ]);
    expect(rotate.code, rotate.stderr).toBe(0);
    const back = await p.glidepath(["rollback", "--stack", "local", "--json"]);
    expect(back.code, back.stderr).toBe(0);
    const result = JSON.parse(back.stdout);
    expect(result.keptSecrets).toEqual(["glidepath:GAMMA_TOKEN"]);
    expect(result.restored.version).toBe(promotion - 2);
    expect(await readRoute(p.dir, "wix")).toMatchObject({
      stable: { version: "v1" },
      canary: null,
      weight: 0,
    });
    const status = JSON.parse((await p.glidepath(["status", "--stack", "local", "--json"])).stdout);
    expect(status.ramp).toBeNull();
    expect(await tokenNow()).toBe(NEW_TOKEN);
    // Asked for, the secrets of the restored update come back too.
    const fwd = await p.glidepath([
      "rollback",
      "--stack",
      "local",
      "--to",
      String(promotion),
      "--restore-secrets",
    ]);
    expect(fwd.code, fwd.stderr).toBe(0);
    expect(await readRoute(p.dir, "wix")).toMatchObject({ stable: { version: "v3" }, weight: 0 });
    expect(await tokenNow()).toBe(OLD_TOKEN);
    const transcript = p.transcript();
    expect(transcript).not.toContain(OLD_TOKEN);
    expect(transcript).not.toContain(NEW_TOKEN);
    expect(JSON.stringify(await fullHistory())).not.toContain(OLD_TOKEN);
  });

  it("SIGTERM during a bake: stops, rolls the canary back, releases the lock, writes the report; exit 143", async () => {
    const run = p.start(rolloutArgs("v4", slo.url, ["--steps", "5,100"], "60s"));
    await until(() => run.output().includes("baking"), 90_000, "the first bake");
    run.child.kill("SIGTERM");
    const done = await run.done;
    expect(done.code, done.stderr).toBe(143);
    expect(done.stderr).toContain("SIGTERM: stopping the ramp and rolling back");
    expect(done.stderr).toContain("error[GP_INTERRUPTED]");
    expect(await readRoute(p.dir, "wix")).toMatchObject({
      stable: { version: "v3" },
      canary: null,
      weight: 0,
    });
    expect(await report()).toMatchObject({ outcome: "rolled_back", interrupted: "SIGTERM" });
    await expect(fs.stat(path.join(p.dir, "state/.glidepath-locks/local.lock.json"))).rejects.toThrow();
    expect(await runtimeCodes()).toContain("ramp_interrupted");
    const ps = await promisify(execFile)("ps", ["-eo", "args"]);
    expect(
      ps.stdout.split("\n").filter((l) => l.includes("pulumi-language-nodejs") && l.includes(p.dir)),
    ).toEqual([]);
  });

  it("SIGINT during a step's update: the update finishes, then the canary is rolled back; exit 130", async () => {
    const before = (await fullHistory()).length;
    const run = p.start(rolloutArgs("v4", slo.url, ["--steps", "5,100"], "20s"));
    await until(() => run.output().includes("pulumi up: glidepath canary:5"), 90_000, "the first update");
    run.child.kill("SIGINT");
    const done = await run.done;
    expect(done.code, done.stderr).toBe(130);
    expect(await readRoute(p.dir, "wix")).toMatchObject({
      stable: { version: "v3" },
      canary: null,
      weight: 0,
    });
    const h = await fullHistory();
    expect(h.length).toBe(before + 2);
    expect(h.slice(0, 2).map((e) => [e.result, e.message.split(" (")[0]])).toEqual([
      ["succeeded", `glidepath rollback local to update ${before}`],
      ["succeeded", "glidepath canary:5 gamma@v4 wix@v4"],
    ]);
  });

  it("a stack file that stops parsing mid-ramp ends on exit 3 with the mark left; up refuses; fixed, the next run finishes the rollback", async () => {
    const file = path.join(p.dir, "Pulumi.local.yaml");
    const run = p.start(rolloutArgs("v4", slo.url, ["--steps", "5,100"], "4s"));
    await until(() => run.output().includes("baking"), 90_000, "the first bake");
    const good = await fs.readFile(file, "utf8");
    await fs.writeFile(file, `${good}\n  broken: [unclosed\n`);
    const done = await run.done;
    expect(done.code, done.stderr).toBe(3);
    expect(done.stderr).toContain("error[GP_ROLLBACK_FAILED]");
    expect(await report()).toMatchObject({
      outcome: "rollback_failed",
      error: { code: "GP_ROLLBACK_FAILED" },
    });
    await fs.writeFile(file, good);
    const status = JSON.parse((await p.glidepath(["status", "--stack", "local", "--json"])).stdout);
    expect(status.closing).toMatchObject({ phase: "rolling_back", version: "v4" });
    const up = await p.glidepath(["up", "--stack", "local"]);
    expect(up.code, up.stderr).toBe(2);
    expect(up.stderr).toContain("error[GP_CLOSING_PENDING]");
    const again = await p.glidepath(rolloutArgs("v4", slo.url, ["--steps", "5,100", "--json"]));
    expect(again.code, again.stderr).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: "rolled_back", resumed: true });
    expect(await readRoute(p.dir, "wix")).toMatchObject({
      stable: { version: "v3" },
      canary: null,
      weight: 0,
    });
  });
});

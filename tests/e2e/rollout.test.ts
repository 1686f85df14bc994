/**
 * The rollout driver through the real engine, gated by a loopback SLO endpoint: a healthy
 * ramp and its promotion; a breach at 25% and the automatic rollback; an SLO source that is
 * down, slow or answering garbage failing closed.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rolloutReportSchema } from "../../automation/lib/driver/report";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { type SloServer, startSloServer } from "../helpers/slo-server";
import { addVersion, readEvents, readRoute, rolloutArgs } from "./helpers/rollout";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();

describe.skipIf(binDir === undefined)("rollout driver through the real engine", () => {
  let p: ScratchProject;
  let slo: SloServer;
  const history = () => p.history();

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    slo = await startSloServer(() => ({ kind: "json", body: { score: 99.9 } }));
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
    const up = await p.glidepath(["up", "--stack", "local"]);
    expect(up.code, up.stderr).toBe(0);
    for (const v of ["v3", "v4", "v5", "v6"]) await addVersion(p.dir, v);
  });

  afterAll(async () => {
    await slo?.close();
  });

  it("ramps 5 → 25 → 50 → 100, one update per step, then promotes; events in order", async () => {
    const before = (await history()).length;
    const r = await p.glidepath(rolloutArgs("v2", slo.url, ["--json"]));
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ outcome: "promoted", apps: ["gamma", "wix"], version: "v2" });
    const artifact = rolloutReportSchema.parse(
      JSON.parse(await fs.readFile(path.join(p.dir, "artifacts/rollout-report.json"), "utf8")),
    );
    expect(artifact).toEqual(report);
    expect(report.steps.map((s: { weight: number; verdict: string }) => [s.weight, s.verdict])).toEqual([
      [5, "pass"],
      [25, "pass"],
      [50, "pass"],
      [100, "pass"],
    ]);
    const h = await history();
    expect(h.length - before).toBe(5);
    expect(h.slice(0, 5).map((e) => [e.message, e.result])).toEqual([
      ["glidepath promote gamma@v2 wix@v2", "succeeded"],
      ["glidepath canary:100 gamma@v2 wix@v2", "succeeded"],
      ["glidepath canary:50 gamma@v2 wix@v2", "succeeded"],
      ["glidepath canary:25 gamma@v2 wix@v2", "succeeded"],
      ["glidepath canary:5 gamma@v2 wix@v2", "succeeded"],
    ]);
    for (const app of ["wix", "gamma"]) {
      expect(await readRoute(p.dir, app)).toMatchObject({
        app,
        stable: { version: "v2" },
        canary: null,
        weight: 0,
      });
      const flag = JSON.parse(
        await fs.readFile(
          path.join(p.dir, ".glidepath/targets/local/flags", app, "CanaryEnabled.json"),
          "utf8",
        ),
      );
      expect(flag.value).toBe(false);
    }
    const events = await readEvents(p.dir);
    expect(events.map((e) => [e.phase, e.verdict ?? null])).toEqual([
      ["canary:5", "pass"],
      ["canary:25", "pass"],
      ["canary:50", "pass"],
      ["canary:100", "pass"],
      ["deploy:complete", null],
    ]);
    const status = JSON.parse((await p.glidepath(["status", "--stack", "local", "--json"])).stdout);
    expect(status).toMatchObject({
      health: "healthy",
      failure_streak: 0,
      rollout_gate: "pass",
      ramp: null,
      lock: null,
    });
    const joined = JSON.parse((await p.glidepath(["history", "--stack", "local", "--json"])).stdout).history;
    expect(joined[1]).toMatchObject({ message: "glidepath canary:100 gamma@v2 wix@v2" });
    expect(joined[1].events.map((e: { phase: string }) => e.phase)).toEqual(["canary:100"]);
  });

  it("halts at 25% when the SLO drops to 97.0, rolls back to stable at weight 0, exit 1", async () => {
    slo.setBehavior(() => ({
      kind: "json",
      body: { score: readRouteSync(p.dir, "wix") >= 25 ? 97.0 : 99.9 },
    }));
    const events = (await readEvents(p.dir)).length;
    const r = await p.glidepath(rolloutArgs("v3", slo.url, ["--json"]));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[GP_GATE_FAILED]");
    const report = JSON.parse(r.stdout);
    expect(report.outcome).toBe("rolled_back");
    expect(report.reason).toMatch(/below_min \(sample 97\.00 < min 99\.00\)/);
    for (const app of ["wix", "gamma"]) {
      expect(await readRoute(p.dir, app)).toMatchObject({
        stable: { version: "v2" },
        canary: null,
        weight: 0,
      });
    }
    const h = await history();
    expect(h[0]?.message).toMatch(
      /^glidepath rollback local to update \d+ \(glidepath promote gamma@v2 wix@v2\)$/,
    );
    expect(h[1]?.message).toBe("glidepath canary:25 gamma@v3 wix@v3");
    expect((await readEvents(p.dir)).slice(events).map((e) => [e.phase, e.verdict ?? null])).toEqual([
      ["canary:5", "pass"],
      ["canary:25", "fail"],
      ["rollback:triggered", null],
    ]);
    const status = JSON.parse((await p.glidepath(["status", "--stack", "local", "--json"])).stdout);
    expect(status).toMatchObject({ health: "degraded", failure_streak: 1, ramp: null });
  });

  const closed: [string, () => Promise<SloServer>][] = [
    [
      "down",
      async () => {
        const s = await startSloServer(() => ({ kind: "json", body: { score: 100 } }));
        await s.close();
        return s;
      },
    ],
    ["slow past the timeout", () => startSloServer(() => ({ kind: "slow", ms: 2000, body: { score: 100 } }))],
    ["answering garbage", () => startSloServer(() => ({ kind: "garbage" }))],
  ];
  it.each(closed)("fails closed and rolls back when the SLO endpoint is %s", async (_what, make) => {
    const bad = await make();
    const version = { down: "v4", "slow past the timeout": "v5", "answering garbage": "v6" }[_what] as string;
    try {
      // Three failing ramps in a row make the stack `failing` (rollout_gate hold): these runs
      // override the hold, as an operator testing the gate would.
      const r = await p.glidepath(
        rolloutArgs(version, bad.url, ["--json", "--steps", "5,100", "--override-hold"]),
      );
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout);
      expect(report.outcome).toBe("rolled_back");
      expect(report.reason).toMatch(/misses \(3 failed samples in a row/);
      expect(await readRoute(p.dir, "wix")).toMatchObject({
        stable: { version: "v2" },
        canary: null,
        weight: 0,
      });
    } finally {
      await bad.close();
    }
  });
});

function readRouteSync(dir: string, app: string): number {
  // The endpoint answers from the route the local target serves (what the traffic would see).
  const text = require("node:fs").readFileSync(
    path.join(dir, ".glidepath/targets/local/routes", `${app}.json`),
    "utf8",
  );
  return (JSON.parse(text) as { weight: number }).weight;
}

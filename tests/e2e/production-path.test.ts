/**
 * The production guardrail protocol end to end, on a production-shaped stack (Cloudflare KV,
 * Wix CMS and Gamma fakes, the edge on workerd reading production's namespace) through the real
 * engine, in the topology of the example workflow: a PostgreSQL backend shared by two checkouts,
 * the release manager's (baseline, gate, approve) and a CI runner's (up, rollout, verify-live,
 * golden, rollback), which share no disk; the guardrail records reach the runner through the
 * database. v1 passes the gate, is approved and deployed, verified live and tagged golden; v2 passes
 * the gate as a ramp, is approved, ramped 5 → 100 and promoted, and verified live; then one
 * `rollback --to <tag>` restores v1 without a new approval (the tag's bundles were approved,
 * deployed and verified), verifies it live and records it. A raw `pulumi up` that names the tag
 * but deploys other bundles is refused by the program; the audit log verifies against the stack
 * history's anchors at the end.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditFile } from "../../automation/lib/audit/log-file";
import { baselineDir } from "../../automation/lib/baseline/files";
import { gateBundles } from "../../automation/lib/gate/production";
import { buildId, evidenceManifestFile } from "../../automation/lib/gate/verdict";
import { type PostgresCluster, postgresAvailable, startPostgres } from "../../bench/helpers/postgres";
import { rolloutArgs } from "../../bench/helpers/ramp";
import { type RemoteWorld, startRemoteWorld } from "../../bench/helpers/remote-world";
import { makeProject, must, type ScratchProject } from "../../bench/helpers/scratch-project";
import { writeEvidenceFixture } from "../helpers/evidence-fixture";
import { initWorldStack, releaseManagerKey, worldEnv } from "../helpers/production-stack";
import { type SloServer, startSloServer } from "../helpers/slo-server";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
const execFileP = promisify(execFile);
const STACK = "production";
const RM = "rm@example.com";
/** About twenty commands, each starting Node and most the engine. */
const TEST_TIMEOUT_MS = 900_000;

describe.skipIf(binDir === undefined || !postgresAvailable())("the production protocol end to end", () => {
  let world: RemoteWorld;
  let pg: PostgresCluster;
  /** The release manager's checkout. */
  let rm: ScratchProject;
  /** The CI runner's checkout: another machine, the same commit. */
  let p: ScratchProject;
  let slo: SloServer;
  let keyFile: string;
  const run = (args: string[]) => must(p.glidepath([...args, "--stack", STACK]));
  const rmRun = (args: string[]) => must(rm.glidepath([...args, "--stack", STACK]));
  const json = (out: string) => JSON.parse(out) as Record<string, unknown>;
  const git = async (...args: string[]) => (await execFileP("git", ["-C", p.dir, ...args])).stdout.trim();
  const served = async (app: string) => {
    const res = await fetch(new URL(`/${app}/`, world.edge.url), {
      headers: { "x-glidepath-visitor": "e2e" },
    });
    await res.arrayBuffer();
    return `${res.status} ${res.headers.get("x-glidepath-release")}`;
  };
  const audit = async () =>
    (await fs.readFile(auditFile(p.dir, STACK, p.env.PULUMI_BACKEND_URL), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { seq: number; kind: string; data: Record<string, unknown> });
  /**
   * In the release manager's checkout: the gate passes for what is about to ship (evidence is a
   * fixture here), and the release manager approves it.
   */
  const gateAndApprove = async (canary?: { version: string; apps: string[] }) => {
    const bundles = await gateBundles(rm.dir, STACK, canary);
    const id = buildId(bundles);
    await writeEvidenceFixture(evidenceManifestFile(rm.dir, STACK, id, pg.url), id, bundles);
    const gate = await rmRun(["gate", "--json", ...(canary ? ["--version", canary.version] : [])]);
    expect(json(gate.stdout)).toMatchObject({ result: "PASS" });
    await rmRun(["approve", "--key", keyFile, "--expires", "1h"]);
    return id;
  };
  const quick = ["--consecutive", "2", "--interval", "200ms", "--timeout", "60s"];

  beforeAll(async () => {
    world = await startRemoteWorld({ edgeStack: STACK });
    slo = await startSloServer(() => ({
      kind: "json",
      body: { apps: { wix: { good: 1000, total: 1000 }, gamma: { good: 1000, total: 1000 } } },
    }));
    pg = await startPostgres();
    rm = await makeProject(binDir as string, { backendUrl: pg.url });
    p = await makeProject(binDir as string, { backendUrl: pg.url });
    rm.env = { ...rm.env, ...worldEnv(world, STACK) };
    p.env = { ...rm.env };
    // v2: v1's pages with a changed heading (the baseline's tolerances hold), in both checkouts.
    for (const app of ["wix", "gamma"]) {
      for (const dir of [rm.dir, p.dir]) {
        const from = path.join(dir, "apps", app, "v1");
        const to = path.join(dir, "apps", app, "v2");
        await fs.cp(from, to, { recursive: true });
        const index = path.join(to, "index.html");
        await fs.writeFile(index, (await fs.readFile(index, "utf8")).replace(/v1/g, "v2"));
      }
    }
    for (const dir of [rm.dir, p.dir]) {
      const g = (...args: string[]) => execFileP("git", ["-C", dir, ...args]);
      await g("init", "-q");
      await g("config", "user.email", "release@example.com");
      await g("config", "user.name", "Release Manager");
      await g("commit", "-q", "--allow-empty", "-m", "the project");
    }
    await initWorldStack(rm, world, STACK);
    keyFile = await releaseManagerKey(rm.dir, RM, [
      "glidepath-audit",
      "glidepath-baseline",
      "glidepath-deploy",
    ]);
  });

  /** What a commit and the runner's checkout of it carry over: the stack file, the signers, the baseline. */
  const checkoutOnRunner = async () => {
    for (const f of [`Pulumi.${STACK}.yaml`, "glidepath.allowed_signers"])
      await fs.copyFile(path.join(rm.dir, f), path.join(p.dir, f));
    await fs.cp(baselineDir(rm.dir, STACK), baselineDir(p.dir, STACK), { recursive: true });
  };

  afterAll(async () => {
    await slo?.close();
    await world?.close();
    await pg?.stop();
  });

  it(
    "gate PASS → approval → deploy → verify-live → golden; gate → approval → ramp → verify-live; rollback --to the tag",
    async () => {
      // v1: baseline signed, gate PASS, approved, deployed, verified live, tagged golden.
      await rmRun(["baseline", "generate"]);
      await rmRun(["baseline", "accept", "--key", keyFile]);
      const v1 = await gateAndApprove();
      await checkoutOnRunner();
      // Nothing of the release manager's records is on the runner's disk: only in the database.
      await expect(fs.stat(path.join(p.dir, ".glidepath"))).rejects.toMatchObject({ code: "ENOENT" });
      await run(["up"]);
      const check1 = await p.glidepath([
        "verify-live",
        "--stack",
        STACK,
        "--json",
        "--no-rollback",
        ...quick,
      ]);
      expect(check1.code, `${check1.stdout}\n${check1.stderr}`).toBe(0);
      const live1 = json(check1.stdout);
      expect(live1).toMatchObject({ result: "PASS", buildId: v1, releases: ["gamma@v1", "wix@v1"] });
      const golden = json((await run(["golden", "create", "--json"])).stdout);
      const tag = golden.tag as string;
      expect(golden.buildId).toBe(v1);
      expect(await git("cat-file", "-t", tag)).toBe("tag");

      // The workflow's `check` step on the runner refuses v2 before the release manager approved it
      // (v1's approval admitted one update), and passes once they have.
      const early = await p.glidepath(["check", "--stack", STACK, "--version", "v2"]);
      expect(early.code, early.stderr).not.toBe(0);
      expect(early.stderr).toMatch(/GP_APPROVAL_(REUSED|DIGEST_MISMATCH)/);
      // v2 as a ramp: gated with its canary bundles, approved, ramped and promoted, verified live.
      await gateAndApprove({ version: "v2", apps: ["wix", "gamma"] });
      await run(["check", "--version", "v2"]);
      const ramp = await must(
        p.glidepath(rolloutArgs("v2", slo.url, ["--steps", "5,100", "--json"], "1s", "250ms", STACK)),
      );
      expect(json(ramp.stdout)).toMatchObject({ outcome: "promoted" });
      const live2 = json((await run(["verify-live", "--json", ...quick])).stdout);
      expect(live2).toMatchObject({ result: "PASS", releases: ["gamma@v2", "wix@v2"] });
      expect(await served("wix")).toBe("200 wix@v2");

      // The program refuses a raw update that names the tag but deploys v2's bundles.
      const env = p.env;
      p.env = { ...env, GLIDEPATH_GOLDEN_RESTORE: tag };
      const raw = await p.pulumi(["up", "--yes", "--stack", STACK]).finally(() => {
        p.env = env;
      });
      expect(raw.code).not.toBe(0);
      expect(`${raw.stdout}${raw.stderr}`).toContain("GP_APPROVAL_DIGEST_MISMATCH");

      // Later: one command restores the golden build, with no new approval, and verifies it live.
      const approvals = (await audit()).filter((e) => e.kind === "approval").length;
      const back = json((await run(["rollback", "--to", tag, "--json"])).stdout);
      expect(back).toMatchObject({ tag, verification: { result: "PASS", buildId: v1 } });
      expect(await served("wix")).toBe("200 wix@v1");
      expect(await served("gamma")).toBe("200 gamma@v1");
      const log = await audit();
      expect(log.filter((e) => e.kind === "approval")).toHaveLength(approvals);
      expect(log.slice(-2).map((e) => [e.kind, e.data.to ?? e.data.result])).toEqual([
        ["rollback", tag],
        ["verify-live", "PASS"],
      ]);
      expect(log.map((e) => `${e.kind}:${e.data.result ?? e.data.action ?? ""}`)).toEqual([
        "gate:PASS",
        "approval:created",
        "approval:consumed",
        "deploy:succeeded",
        "verify-live:PASS",
        "golden:create",
        "gate:PASS",
        "approval:created",
        "approval:consumed",
        "deploy:succeeded",
        "verify-live:PASS",
        "rollback:",
        "verify-live:PASS",
      ]);
      // Every production update's message anchored the log; the log verifies against them, on
      // the runner and in the release manager's checkout alike (one log, in the database).
      const verified = json((await run(["audit", "verify", "--json"])).stdout);
      expect(verified).toMatchObject({ findings: [] });
      expect(verified.anchors).toBeGreaterThanOrEqual(4);
      expect(json((await rmRun(["audit", "verify", "--json"])).stdout)).toMatchObject({
        findings: [],
        lines: log.length,
      });
    },
    TEST_TIMEOUT_MS,
  );
});

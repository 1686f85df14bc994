/**
 * A shared PostgreSQL backend through the real engine: every command on `postgres://` state,
 * then two clones of the project driving the same stack. The driver lock there is a
 * PostgreSQL advisory lock held by the driver's session: the second driver is refused naming
 * the first, and a `kill -9` of the first frees it at once (the server ends the session).
 * A ramp whose lock session ends under it is rolled back. Backends whose lock the driver
 * cannot make exclusive are refused before any update.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PostgresCluster, postgresAvailable, startPostgres } from "../../bench/helpers/postgres";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { type SloServer, startSloServer } from "../helpers/slo-server";
import { addVersion, greenProject, readRoute, rolloutArgs, until } from "./helpers/rollout";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
const SECRET = "adm1n-key-0f-the-shared-stack-4be1";

describe.skipIf(binDir === undefined || !postgresAvailable())("a shared PostgreSQL backend", () => {
  let pg: PostgresCluster;
  let slo: SloServer;
  let a: ScratchProject;

  beforeAll(async () => {
    pg = await startPostgres();
    slo = await startSloServer(() => ({
      kind: "json",
      body: { apps: { wix: { score: 99.8 }, gamma: { good: 1000, total: 1000 } } },
    }));
    a = await greenProject(binDir as string, { key: "glidepath:adminKey", value: SECRET }, ["v2", "v3"], {
      backendUrl: pg.url,
    });
  });

  afterAll(async () => {
    await slo?.close();
    await pg?.stop();
  });

  it("keeps the stack's state in the database: up, status, history, a ramp promoted, rollback", async () => {
    // The checkpoint is a row of Pulumi's table; nothing is written beside the project.
    const rows = await pg.query<{ key: string }>("SELECT key FROM pulumi_state ORDER BY key");
    expect(rows.map((r) => r.key)).toContain("state/.pulumi/stacks/glidepath/local.json");
    expect(await fs.readdir(path.join(a.dir, "state"))).toEqual([]);
    const status = await a.glidepath(["status", "--stack", "local", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ ramp: null, lock: null });
    const ramp = await a.glidepath(rolloutArgs("v2", slo.url, ["--steps", "5,100", "--json"]));
    expect(ramp.code, ramp.stderr).toBe(0);
    expect(JSON.parse(ramp.stdout)).toMatchObject({ outcome: "promoted" });
    const history = await a.glidepath(["history", "--stack", "local", "--json"]);
    expect(history.code, history.stderr).toBe(0);
    expect(history.stdout).toContain("glidepath promote gamma@v2 wix@v2");
    const back = await a.glidepath(["rollback", "--stack", "local"]);
    expect(back.code, back.stderr).toBe(0);
    expect(await readRoute(a.dir, "wix")).toMatchObject({ stable: { version: "v1" }, weight: 0 });
    // The driver's lock is gone with its session; its owner row with it.
    expect(await pg.query("SELECT * FROM pg_locks WHERE locktype = 'advisory'")).toEqual([]);
    expect(await pg.query("SELECT * FROM glidepath_driver_locks")).toEqual([]);
  });

  it("two clones: the second driver is refused naming the first; kill -9 of the first frees the stack at once", async () => {
    const b = await makeProject(binDir as string, { backendUrl: pg.url });
    // A second clone of the same commit: the same stack file, the same versions.
    await fs.copyFile(path.join(a.dir, "Pulumi.local.yaml"), path.join(b.dir, "Pulumi.local.yaml"));
    await addVersion(b.dir, "v2");
    await addVersion(b.dir, "v3");
    const first = a.start(rolloutArgs("v3", slo.url, [], "60s"), true);
    await until(() => first.output().includes("baking"), 90_000, "the first driver's bake");
    const second = await b.glidepath(rolloutArgs("v3", slo.url, ["--steps", "5,100"]));
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain("error[GP_STACK_LOCKED]");
    expect(second.stderr).toContain(`rollout v3 (pid ${first.child.pid} on ${os.hostname()}`);
    const owner = JSON.parse((await b.glidepath(["status", "--stack", "local", "--json"])).stdout).lock;
    expect(owner).toMatchObject({ pid: first.child.pid, command: "rollout v3", alive: true });

    process.kill(-(first.child.pid as number), "SIGKILL");
    await first.done;
    const next = await b.glidepath(rolloutArgs("v3", slo.url, ["--steps", "5,100", "--json"]));
    expect(next.stderr).not.toContain("GP_STACK_LOCKED");
    expect(next.code, next.stderr).toBe(0);
    const report = JSON.parse(next.stdout);
    // The ramp pointer of the killed driver is in the backend: this clone's stack file is behind
    // it, takes it, and resumes that ramp of v3 to its promotion.
    expect(report, next.stderr).toMatchObject({ outcome: "promoted", resumed: true });
    // The refused command already took it (before asking for the lock; only its stack file changed).
    expect(second.stderr + next.stderr).toContain("Pulumi.local.yaml was behind the backend");
    expect(await readRoute(b.dir, "wix")).toMatchObject({
      stable: { version: "v3" },
      canary: null,
      weight: 0,
    });
    const runtime = await fs.readFile(path.join(b.dir, "artifacts/runtime-events.jsonl"), "utf8");
    expect(runtime).toContain(`rollout v3 (pid ${first.child.pid}, gone)`);
    expect(await pg.query("SELECT * FROM pg_locks WHERE locktype = 'advisory'")).toEqual([]);
    expect(b.transcript() + a.transcript()).not.toContain(pg.password);
    expect(b.transcript() + a.transcript()).not.toContain(SECRET);
  });

  it("rolls a ramp back when its lock's session is ended under it (another driver could take the stack)", async () => {
    await addVersion(a.dir, "v4");
    const run = a.start(rolloutArgs("v4", slo.url, ["--steps", "5,100"], "6s"), true);
    await until(() => run.output().includes("baking"), 90_000, "the bake");
    const ended = await pg.query<{ ended: boolean }>(
      "SELECT pg_terminate_backend(pid) AS ended FROM pg_locks WHERE locktype = 'advisory'",
    );
    expect(ended).toEqual([{ ended: true }]);
    const done = await run.done;
    expect(done.code, done.stderr).toBe(1);
    expect(done.stderr).toContain("error[GP_RAMP_ABORTED]");
    expect(done.stderr).toContain("the session holding the driver lock broke");
    expect(done.stderr).not.toContain("promoted");
    expect(await readRoute(a.dir, "wix")).toMatchObject({
      stable: { version: "v3" },
      canary: null,
      weight: 0,
    });
  });

  it("refuses a rollout on a backend whose lock the driver cannot make exclusive (s3), before any update", async () => {
    const c = await makeProject(binDir as string, { backendUrl: "s3://glidepath-state?region=eu-west-1" });
    await addVersion(c.dir, "v2");
    for (const args of [
      rolloutArgs("v2", slo.url),
      ["up", "--stack", "local"],
      ["rollback", "--stack", "local"],
    ]) {
      const r = await c.glidepath(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("error[GP_BACKEND_UNSUPPORTED]");
      expect(r.stderr).toContain('PULUMI_BACKEND_URL="s3://glidepath-state?region=***"');
    }
    await expect(fs.readdir(path.join(c.dir, ".glidepath"))).rejects.toThrow();
  });
});

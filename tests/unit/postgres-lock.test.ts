/**
 * The driver lock on a PostgreSQL backend, against a real server: exclusive across
 * connections, refused naming the owner, freed when the holder's session ends (however it
 * ends), released only by its owner; and Pulumi's own lock rows a dead `pulumi` left.
 */
import * as os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockBackendOf, type PostgresBackend } from "../../automation/lib/backend-url";
import { settleBackendLocks } from "../../automation/lib/driver/backend-locks";
import { pgBackendLocks } from "../../automation/lib/driver/backend-locks-pg";
import { acquirePgLock, readPgLockOwner } from "../../automation/lib/driver/pg-lock";
import { connectBackend } from "../../automation/lib/pg-connect";
import { type PostgresCluster, postgresAvailable, startPostgres } from "../../bench/helpers/postgres";

describe.skipIf(!postgresAvailable())("the PostgreSQL driver lock", () => {
  let pg: PostgresCluster;
  let backend: PostgresBackend;
  const opts = (command: string, stack = "local") => ({
    backend,
    project: "glidepath",
    stack,
    command,
    waitMs: 200,
  });

  beforeAll(async () => {
    pg = await startPostgres();
    backend = lockBackendOf(pg.url) as PostgresBackend;
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it("refuses a second holder naming the first; other stacks are free; released, it can be taken again", async () => {
    const first = await acquirePgLock(opts("rollout v2"));
    await expect(acquirePgLock(opts("rollout v3"))).rejects.toMatchObject({
      code: "GP_STACK_LOCKED",
      exitCode: 1,
      message: expect.stringContaining(`rollout v2 (pid ${process.pid} on ${os.hostname()}`),
    });
    expect(await readPgLockOwner(backend, "glidepath", "local")).toMatchObject({
      command: "rollout v2",
      alive: true,
    });
    const other = await acquirePgLock(opts("up", "staging"));
    await other.release();
    await first.release();
    await first.release();
    expect(await readPgLockOwner(backend, "glidepath", "local")).toBeNull();
    const again = await acquirePgLock(opts("rollout v3"));
    expect(again.clearedStale).toBeUndefined();
    await again.release();
    expect(await pg.query("SELECT * FROM pg_locks WHERE locktype = 'advisory'")).toEqual([]);
  });

  it("is freed when the holder's session ends without a release (a killed driver), and the next one reports it", async () => {
    await acquirePgLock(opts("rollout v2"));
    // What kill -9 does to the driver's connection: the server ends its session.
    await pg.query(
      "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = 'glidepath rollout v2 (local)'",
    );
    const owner = await readPgLockOwner(backend, "glidepath", "local");
    expect(owner).toMatchObject({ command: "rollout v2", alive: false });
    const next = await acquirePgLock(opts("rollout v3"));
    expect(next.clearedStale).toMatchObject({ command: "rollout v2", pid: process.pid });
    await next.release();
  });

  it("fails with GP_BACKEND_UNREACHABLE naming the URL without its password", async () => {
    const down = lockBackendOf(`postgres://gp:pw-9f1e@127.0.0.1:1/state?sslmode=disable`) as PostgresBackend;
    const e = await acquirePgLock({ ...opts("up"), backend: down }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "GP_BACKEND_UNREACHABLE", exitCode: 1 });
    expect((e as Error).message).toContain("postgres://127.0.0.1:1/state");
    expect((e as Error).message).not.toContain("pw-9f1e");
  });

  it("settles Pulumi's lock rows: a dead pulumi's row of this host is removed, others stay", async () => {
    await pg.query(
      "CREATE TABLE IF NOT EXISTS pulumi_state (key TEXT PRIMARY KEY, data JSON NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    );
    const row = (pid: number, hostname: string) =>
      JSON.stringify({
        data: Buffer.from(JSON.stringify({ pid, hostname, username: "u" })).toString("base64"),
      });
    const base = "state/.pulumi/locks/organization/glidepath";
    await pg.query("INSERT INTO pulumi_state (key, data) VALUES ($1, $2), ($3, $4), ($5, $6), ($7, $8)", [
      `${base}/local/a.json`,
      row(101, os.hostname()),
      `${base}/local/b.json`,
      row(102, "elsewhere"),
      `${base}/staging/c.json`,
      row(103, os.hostname()),
      "state/.pulumi/stacks/glidepath/local.json",
      row(104, os.hostname()),
    ]);
    const client = await connectBackend(backend, "test");
    try {
      const cleared = await settleBackendLocks(pgBackendLocks(client, backend), "glidepath", "local", {
        isAlive: () => false,
      });
      expect(cleared).toEqual([101]);
    } finally {
      await client.end();
    }
    const keys = (await pg.query<{ key: string }>("SELECT key FROM pulumi_state ORDER BY key")).map(
      (r) => r.key,
    );
    expect(keys).toEqual([
      `${base}/local/b.json`,
      `${base}/staging/c.json`,
      "state/.pulumi/stacks/glidepath/local.json",
    ]);
  });
});

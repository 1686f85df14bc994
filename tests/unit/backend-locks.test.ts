/**
 * The file backend's stack locks left by a killed driver: a dead holder's lock is removed,
 * a live one on this host is waited for, another host's is left alone.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fileBackendLocks, settleBackendLocks } from "../../automation/lib/driver/backend-locks";

async function backendWith(locks: { stack: string; pid: number; hostname: string }[]): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-backend-"));
  for (const [i, l] of locks.entries()) {
    const d = path.join(dir, ".pulumi/locks/organization/glidepath", l.stack);
    await fs.mkdir(d, { recursive: true });
    await fs.writeFile(
      path.join(d, `lock-${i}.json`),
      JSON.stringify({ pid: l.pid, hostname: l.hostname, username: "u" }),
    );
  }
  return dir;
}
const remaining = async (dir: string) =>
  (await fs.readdir(path.join(dir, ".pulumi/locks"), { recursive: true }))
    .filter((f) => f.endsWith(".json"))
    .sort();

describe("settleBackendLocks", () => {
  it("removes the locks of gone processes of this host, for this stack only", async () => {
    const host = os.hostname();
    const dir = await backendWith([
      { stack: "local", pid: 101, hostname: host },
      { stack: "staging", pid: 102, hostname: host },
      { stack: "local", pid: 103, hostname: "elsewhere" },
    ]);
    const cleared = await settleBackendLocks(fileBackendLocks(dir), "glidepath", "local", {
      isAlive: () => false,
    });
    expect(cleared).toEqual([101]);
    expect(await remaining(dir)).toEqual([
      path.join("organization/glidepath/local/lock-2.json"),
      path.join("organization/glidepath/staging/lock-1.json"),
    ]);
  });

  it("waits while this host's holder is alive, then clears its lock once it is gone", async () => {
    const dir = await backendWith([{ stack: "local", pid: 201, hostname: os.hostname() }]);
    let checks = 0;
    const waited: number[][] = [];
    const cleared = await settleBackendLocks(fileBackendLocks(dir), "glidepath", "local", {
      isAlive: () => ++checks < 3,
      onWait: (pids) => waited.push(pids),
    });
    expect(waited).toEqual([[201], [201]]);
    expect(cleared).toEqual([201]);
    expect(await remaining(dir)).toEqual([]);
  });

  it("gives up waiting after waitMs, leaving the live holder's lock", async () => {
    const dir = await backendWith([{ stack: "local", pid: 301, hostname: os.hostname() }]);
    expect(
      await settleBackendLocks(fileBackendLocks(dir), "glidepath", "local", {
        isAlive: () => true,
        waitMs: 0,
      }),
    ).toEqual([]);
    expect(await remaining(dir)).toHaveLength(1);
  });

  it("is a no-op for a backend without locks", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-backend-"));
    expect(await settleBackendLocks(fileBackendLocks(dir), "glidepath", "local")).toEqual([]);
  });
});

/**
 * The driver lock: exclusive, refused with the owner named, stale only when the owner process
 * is gone, released only by its owner.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireDriverLock, processAlive } from "../../automation/lib/driver/lock";

const tmp = () => fs.mkdtemp(path.join(os.tmpdir(), "gp-lock-"));

describe("acquireDriverLock", () => {
  it("refuses a second holder while the first is alive, naming it; released, it can be taken again", async () => {
    const dir = await tmp();
    const first = await acquireDriverLock({ dir, stack: "local", command: "rollout v2" });
    await expect(acquireDriverLock({ dir, stack: "local", command: "rollout v3" })).rejects.toMatchObject({
      code: "GP_STACK_LOCKED",
      exitCode: 1,
      message: expect.stringContaining(`rollout v2 (pid ${process.pid} on ${os.hostname()}`),
    });
    await first.release();
    const again = await acquireDriverLock({ dir, stack: "local", command: "rollout v3" });
    expect(again.clearedStale).toBeUndefined();
    await again.release();
    await expect(fs.readdir(dir)).resolves.toEqual([]);
  });

  it("clears a lock whose owner process is gone, and reports it", async () => {
    const dir = await tmp();
    const dead = await acquireDriverLock({ dir, stack: "local", command: "rollout v2" });
    const taken = await acquireDriverLock({
      dir,
      stack: "local",
      command: "rollout v2",
      isAlive: () => false,
    });
    expect(taken.clearedStale).toMatchObject({ command: "rollout v2", pid: process.pid });
    // The old owner's release leaves the new lock alone.
    await dead.release();
    await expect(fs.stat(taken.file)).resolves.toBeTruthy();
    await taken.release();
  });

  it("does not clear a lock held on another host, even if that pid is not alive here", async () => {
    const dir = await tmp();
    await fs.writeFile(
      path.join(dir, "local.lock.json"),
      JSON.stringify({
        pid: 1,
        host: "other-host",
        command: "rollout v2",
        since: "2026-11-22T00:00:00Z",
        token: "t",
      }),
    );
    await expect(
      acquireDriverLock({ dir, stack: "local", command: "rollout v3", isAlive: () => false }),
    ).rejects.toMatchObject({ code: "GP_STACK_LOCKED" });
  });

  it("treats an unreadable lock file as stale only once it is old", async () => {
    const dir = await tmp();
    const file = path.join(dir, "local.lock.json");
    await fs.writeFile(file, "{");
    await expect(acquireDriverLock({ dir, stack: "local", command: "up" })).rejects.toMatchObject({
      code: "GP_STACK_LOCKED",
      message: expect.stringContaining("cannot be read"),
    });
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(file, old, old);
    const l = await acquireDriverLock({ dir, stack: "local", command: "up" });
    await l.release();
  });

  it("lets exactly one of many concurrent drivers take the lock", async () => {
    const dir = await tmp();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        acquireDriverLock({ dir, stack: "local", command: `rollout ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await fs.readdir(dir)).toEqual(["local.lock.json"]);
  });

  it("knows this process is alive and a reaped one is not", () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12345)).toBe(false);
  });
});

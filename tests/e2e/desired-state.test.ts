/**
 * Desired state lives in the backend, through the real engine. Checkout A ramps and promotes;
 * its working copy is then gone, and a fresh checkout of the same commit lands on the same
 * path (as on a CI runner) with the same backend and target: its stack file still says v1.
 * The fresh checkout's raw `pulumi up` refuses to move wix backwards; `glidepath status` shows
 * v2; `glidepath up` takes the deployed state and changes nothing; the user's own edits still
 * deploy; a new ramp goes v2 → v3 and `rollback` returns to v2; a driver killed mid-ramp is
 * resumed from yet another fresh checkout.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { type SloServer, startSloServer } from "../helpers/slo-server";
import { addVersion, rolloutArgs, until } from "./helpers/rollout";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();

describe.skipIf(binDir === undefined)("desired state in the backend, across fresh checkouts", () => {
  let slo: SloServer;
  let shared: string;
  let where: string;
  let committed: string;
  let p: ScratchProject;
  const backend = () => path.join(shared, "backend");
  const target = () => path.join(shared, "target");
  const route = async (app: string) =>
    JSON.parse(await fs.readFile(path.join(target(), "routes", `${app}.json`), "utf8"));
  /** The working copy is gone; a fresh checkout of the committed files takes its path. */
  const freshCheckout = async () => {
    await fs.rm(where, { recursive: true, force: true });
    p = await makeProject(binDir as string, { dir: where, backendDir: backend() });
    await fs.writeFile(path.join(where, "Pulumi.local.yaml"), committed);
    for (const v of ["v3", "v4"]) await addVersion(where, v);
  };
  const ok = async (args: string[]) => {
    const r = await p.glidepath(args);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };

  beforeAll(async () => {
    slo = await startSloServer(() => ({
      kind: "json",
      body: { apps: { wix: { score: 99.9 }, gamma: { good: 1000, total: 1000 } } },
    }));
    shared = await fs.mkdtemp(path.join(os.tmpdir(), "gp-desired-"));
    where = path.join(shared, "checkout");
    p = await makeProject(binDir as string, { dir: where, backendDir: backend() });
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
    // What the team commits: the stack file after `stack init` (its salt), with a target that
    // outlives any checkout.
    expect(
      (await p.pulumi(["config", "set", "glidepath:localRoot", target(), "--stack", "local"])).code,
    ).toBe(0);
    committed = await fs.readFile(path.join(where, "Pulumi.local.yaml"), "utf8");
    await ok(["up", "--stack", "local"]);
    await ok(rolloutArgs("v2", slo.url, ["--steps", "5,100"]));
    expect(await route("wix")).toMatchObject({ stable: { version: "v2" }, canary: null });
    await freshCheckout();
    expect(await fs.readFile(path.join(where, "Pulumi.local.yaml"), "utf8")).toMatch(
      /wix:\s+stable:\s+version: "?v1"?/,
    );
  });

  afterAll(async () => {
    await slo?.close();
  });

  it("refuses a raw `pulumi up` of the stale file in preview, naming the app, both versions and the fix; nothing changes", async () => {
    const before = (await p.history()).length;
    const r = await p.pulumi(["up", "--yes", "--stack", "local", "--skip-preview=false"]);
    expect(r.code).not.toBe(0);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).toContain(
      "wix: the stack runs stable v2 (generation 3); the stack file asks for stable v1 at generation 0",
    );
    expect(out).toContain("`glidepath up`");
    expect(out).toContain("`pulumi config set glidepath:generation 4`");
    expect(await route("wix")).toMatchObject({ stable: { version: "v2" }, canary: null });
    const after = await p.history();
    expect(after.length).toBeLessThanOrEqual(before + 1);
    if (after.length > before) expect(after[0]?.result).toBe("failed");
  });

  it("shows v2 stable in status, and `glidepath up` takes the deployed state and changes nothing", async () => {
    const status = JSON.parse((await ok(["status", "--stack", "local", "--json"])).stdout);
    expect(status.releases.wix.stable.version).toBe("v2");
    const up = await ok(["up", "--stack", "local"]);
    expect(up.stderr).toContain(
      "Pulumi.local.yaml was behind the backend (generation 0, the stack's newest update 3)",
    );
    expect(up.stderr).toContain("wix: stable v1 → stable v2");
    const newest = (await p.history())[0];
    expect(newest?.result).toBe("succeeded");
    const changes = (newest as unknown as { resourceChanges: Record<string, number> }).resourceChanges;
    expect(Object.keys(changes).filter((k) => k !== "same")).toEqual([]);
    expect(await route("wix")).toMatchObject({ stable: { version: "v2" }, canary: null });
  });

  it("still deploys the user's own edits of the stack file (a flag)", async () => {
    const set = await p.pulumi([
      "config",
      "set",
      "--path",
      "glidepath:flags.wix.Banner",
      "fresh",
      "--stack",
      "local",
    ]);
    expect(set.code, set.stderr).toBe(0);
    await ok(["up", "--stack", "local"]);
    const flag = await fs.readFile(path.join(target(), "flags", "wix", "Banner.json"), "utf8");
    expect(JSON.parse(flag)).toMatchObject({ value: "fresh" });
  });

  it("ramps v2 → v3 from the fresh checkout, and `rollback` returns to v2", async () => {
    await ok(rolloutArgs("v3", slo.url, ["--steps", "5,100"]));
    expect(await route("wix")).toMatchObject({ stable: { version: "v3" }, canary: null });
    await ok(["rollback", "--stack", "local"]);
    expect(await route("wix")).toMatchObject({ stable: { version: "v2" }, canary: null });
  });

  it("resumes, from another fresh checkout, a ramp whose driver was killed mid-way", async () => {
    const killed = p.start(rolloutArgs("v4", slo.url, ["--steps", "5,100"], "60s"));
    await until(() => killed.output().includes("baking"), 120_000, "the first bake window");
    killed.child.kill("SIGKILL");
    await killed.done;
    expect(await route("wix")).toMatchObject({ canary: { version: "v4" }, weight: 5 });
    await freshCheckout();
    const resumed = await ok(rolloutArgs("v4", slo.url, ["--steps", "5,100"]));
    expect(resumed.stderr).toContain(
      "resuming a ramp left by an earlier driver (step applied: judging it again)",
    );
    expect(await route("wix")).toMatchObject({ stable: { version: "v4" }, canary: null });
  });
});

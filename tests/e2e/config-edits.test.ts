/**
 * Config edits made during a ramp, through the real engine: `pulumi config set` during a
 * bake (the runbook's way to deploy a change) is kept by the next step and the promotion,
 * and deployed; an edit of a key the ramp owns stops the ramp, which rolls back and says
 * which edit the rollback discards. Neither is ever silently dropped.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { flagFile } from "../../providers/targets/local";
import { type SloServer, startSloServer } from "../helpers/slo-server";
import { addVersion, readRoute, rolloutArgs, until } from "./helpers/rollout";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
const healthy = { apps: { wix: { score: 99.9 }, gamma: { good: 500, total: 500 } } };

describe.skipIf(binDir === undefined)("config edits during a ramp (real engine)", () => {
  let p: ScratchProject;
  let slo: SloServer;
  const runtime = async () =>
    (await fs.readFile(path.join(p.dir, "artifacts/runtime-events.jsonl"), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { code: string; detail?: string });
  const configSet = async (key: string, value: string) => {
    const r = await p.pulumi(["config", "set", "--path", key, value, "--stack", "local"]);
    expect(r.code, r.stderr).toBe(0);
  };

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    slo = await startSloServer(() => ({ kind: "json", body: healthy }));
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
    expect((await p.glidepath(["up", "--stack", "local"])).code).toBe(0);
    await addVersion(p.dir, "v3");
  });

  afterAll(async () => {
    await slo?.close();
  });

  it("keeps a flag set during the first bake: the promotion deploys it and the stack file still has it (probe D4)", async () => {
    const run = p.start(rolloutArgs("v2", slo.url, ["--steps", "5,100"], "6s"));
    await until(() => run.output().includes("[step 1/2 5%] applied"), 120_000, "the first step");
    await configSet("glidepath:flags.wix.EditedDuringBake", "true");
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    expect(await fs.readFile(path.join(p.dir, "Pulumi.local.yaml"), "utf8")).toContain("EditedDuringBake");
    expect(done.stderr).toContain(
      "kept config edited during the ramp: glidepath:flags.wix.EditedDuringBake; the next update deploys it",
    );
    const flag = JSON.parse(
      await fs.readFile(
        flagFile(path.join(p.dir, ".glidepath/targets/local"), "wix", "EditedDuringBake"),
        "utf8",
      ),
    );
    expect(flag).toMatchObject({ value: true });
    expect(await readRoute(p.dir, "wix")).toMatchObject({ stable: { version: "v2" }, canary: null });
    const kept = (await runtime()).filter((e) => e.code === "config_edit_kept");
    expect(kept.map((e) => e.detail)).toEqual(["glidepath:flags.wix.EditedDuringBake"]);
  });

  it("stops a ramp whose canary weight was edited during a bake: rolled back (exit 1), the edit named as discarded", async () => {
    const run = p.start(rolloutArgs("v3", slo.url, ["--steps", "5,100"], "6s"));
    await until(() => run.output().includes("[step 1/2 5%] applied"), 120_000, "the first step");
    await configSet("glidepath:weights.wix", "50");
    const done = await run.done;
    expect(done.code, done.stderr).toBe(1);
    expect(done.stderr).toContain("error[GP_RAMP_ABORTED]");
    expect(done.stderr).toContain(
      "the stack file was edited during the ramp: glidepath:weights.wix (keys the ramp owns)",
    );
    expect(done.stderr).toContain("discards edits made during the ramp: glidepath:weights.wix");
    expect(await readRoute(p.dir, "wix")).toMatchObject({
      stable: { version: "v2" },
      canary: null,
      weight: 0,
    });
    const codes = (await runtime()).map((e) => e.code);
    expect(codes).toContain("config_edit_conflict");
    expect(codes.indexOf("config_edit_conflict")).toBeLessThan(codes.lastIndexOf("rollback_completed"));
  });
});

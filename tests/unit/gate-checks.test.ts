/**
 * Each check of the deploy gate on a scratch project: what makes it PASS and what makes it FAIL,
 * with the detail naming the file, value or command.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimeLog } from "../../automation/lib/events/sinks";
import { moduleDigest } from "../../automation/lib/gate/bundles";
import { baselineCheck } from "../../automation/lib/gate/checks/baseline";
import { configCheck } from "../../automation/lib/gate/checks/config";
import type { GateContext } from "../../automation/lib/gate/checks/context";
import { evidenceCheck } from "../../automation/lib/gate/checks/evidence";
import { healthCheck } from "../../automation/lib/gate/checks/health";
import { GATE_CHECKS } from "../../automation/lib/gate/checks/index";
import { preflightCheck } from "../../automation/lib/gate/checks/preflight";
import { reproducibleCheck } from "../../automation/lib/gate/checks/reproducible";
import { rollingBackCheck } from "../../automation/lib/gate/checks/rolling-back";
import { wasmCheck } from "../../automation/lib/gate/checks/wasm";
import { buildId, evidenceManifestFile } from "../../automation/lib/gate/verdict";
import { stackConfigSchema } from "../../infra/config";
import { digestDir } from "../../providers/targets/bundle";
import { writeEvidenceFixture } from "../helpers/evidence-fixture";

const ROOT = path.resolve(__dirname, "../..");
let dir: string;
let ctx: GateContext;
let tags: Record<string, string> = {};
const stack = { name: "production", workspace: { listTags: async () => tags } } as unknown as Stack;
const config = stackConfigSchema.parse({
  environment: "production",
  apps: { wix: { target: "local" } },
  releases: { wix: { stable: { version: "v1", source: "apps/wix/v1" } } },
  wasm: { edge: { module: "apps/edge-wasm/handler.wat", runtimeProfile: "wasm_wasi" } },
});

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "gate-checks-"));
  await fs.cp(path.join(ROOT, "apps/wix/v1"), path.join(dir, "apps/wix/v1"), { recursive: true });
  await fs.cp(path.join(ROOT, "apps/edge-wasm"), path.join(dir, "apps/edge-wasm"), { recursive: true });
  await fs.symlink(path.join(ROOT, "dist"), path.join(dir, "dist"));
  const wix = path.join(dir, "apps/wix/v1");
  const wat = path.join(dir, "apps/edge-wasm/handler.wat");
  ctx = {
    projectDir: dir,
    stack,
    config: { ok: true, config, secretKeys: new Set() },
    releases: [{ app: "wix", version: "v1", role: "stable", dir: wix }],
    modules: [{ id: "edge", file: wat }],
    bundles: { "wix@v1": (await digestDir(wix)).digest, "wasm:edge": await moduleDigest(wat) },
    signers: [],
    env: {},
  };
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("the gate's checks", () => {
  it("are listed once each, in order", () => {
    expect(GATE_CHECKS.map((c) => c.id)).toEqual([
      "config",
      "preflight",
      "reproducible",
      "wasm",
      "baseline",
      "evidence",
      "rolling-back",
      "health",
    ]);
  });

  it("config: PASS when valid; FAIL with the validation error; dependent checks FAIL", async () => {
    expect((await configCheck.run(ctx)).status).toBe("PASS");
    const bad = {
      ...ctx,
      config: {
        ok: false as const,
        error: "GP_CONFIG_INVALID: glidepath:apps: expected\n  at least one app",
      },
    };
    expect(await configCheck.run(bad)).toEqual({
      status: "FAIL",
      detail: "GP_CONFIG_INVALID: glidepath:apps: expected at least one app",
    });
    expect((await preflightCheck.run(bad)).detail).toBe("cannot judge: the config is not valid");
  });

  it("preflight: FAIL naming a missing secret and the target that needs it", async () => {
    expect((await preflightCheck.run(ctx)).status).toBe("PASS");
    const remote = { ...config, apps: { wix: { target: "wix" } } } as typeof config;
    const r = await preflightCheck.run({
      ...ctx,
      config: { ok: true, config: remote, secretKeys: new Set() },
    });
    expect(r.status).toBe("FAIL");
    expect(r.detail).toContain("WIX_API_KEY is missing (needed by wix)");
    const given = await preflightCheck.run({
      ...ctx,
      config: { ok: true, config: remote, secretKeys: new Set() },
      env: { WIX_API_KEY: "k", CLOUDFLARE_API_TOKEN: "t", CLOUDFLARE_ACCOUNT_ID: "a", WIX_SITE_ID: "s" },
    });
    expect(given.detail).not.toContain("WIX_API_KEY");
  });

  it("reproducible: PASS when two rebuilds give the bound digest; FAIL naming the bundle otherwise", async () => {
    expect(await reproducibleCheck.run(ctx)).toMatchObject({ status: "PASS" });
    const r = await reproducibleCheck.run({ ...ctx, bundles: { ...ctx.bundles, "wix@v1": "0".repeat(64) } });
    expect(r.status).toBe("FAIL");
    expect(r.detail).toMatch(
      /^wix@v1: rebuilds gave [0-9a-f]{12}… and [0-9a-f]{12}…, the bundle is 000000000000…/,
    );
  });

  it("wasm: FAIL for a non-compliant deliverable even when the config allows it", async () => {
    expect((await wasmCheck.run(ctx)).status).toBe("PASS");
    const legacy = stackConfigSchema.parse({
      ...config,
      wasm: {
        edge: {
          module: "apps/edge-wasm/legacy-handler.wat",
          runtimeProfile: "wasm_wasi",
          allowNonCompliant: true,
        },
      },
    });
    const r = await wasmCheck.run({
      ...ctx,
      config: { ok: true, config: legacy, secretKeys: new Set() },
      modules: [{ id: "edge", file: path.join(dir, "apps/edge-wasm/legacy-handler.wat") }],
    });
    expect(r.status).toBe("FAIL");
    expect(r.detail).toMatch(/^wasm:edge is not compliant: /);
  });

  it("baseline: FAIL without a baseline, naming the command that makes one", async () => {
    const r = await baselineCheck.run(ctx);
    expect(r.status).toBe("FAIL");
    expect(r.detail).toContain("baselines/production/deploy_baseline.env does not exist");
    expect(r.detail).toContain("glidepath baseline generate --stack production");
  });

  it("evidence: FAIL without a manifest (naming the command), PASS with matching shots, FAIL on a changed shot", async () => {
    const missing = await evidenceCheck.run(ctx);
    expect(missing.status).toBe("FAIL");
    expect(missing.detail).toContain("glidepath evidence capture --stack production");
    const id = buildId({ ...ctx.bundles });
    const file = evidenceManifestFile(dir, "production", id);
    const sha = await writeEvidenceFixture(file, id, { ...ctx.bundles });
    expect(await evidenceCheck.run(ctx)).toMatchObject({ status: "PASS", evidence: { "wix/index": sha } });
    await fs.writeFile(path.join(path.dirname(file), "wix-index.png"), "changed");
    const changed = await evidenceCheck.run(ctx);
    expect(changed.status).toBe("FAIL");
    expect(changed.detail).toContain("shot wix/index: wix-index.png has SHA-256");
  });

  it("rolling-back: FAIL while a rollback is unfinished", async () => {
    expect((await rollingBackCheck.run(ctx)).status).toBe("PASS");
    tags = {
      "glidepath:closing": JSON.stringify({
        phase: "rolling_back",
        rampId: "r",
        version: "v2",
        apps: ["wix"],
      }),
    };
    const r = await rollingBackCheck.run(ctx);
    tags = {};
    expect(r.status).toBe("FAIL");
    expect(r.detail).toContain("glidepath rollout --stack production --version v2");
  });

  it("health: FAIL when the stack is failing (three failures in a row)", async () => {
    expect((await healthCheck.run(ctx)).status).toBe("PASS");
    const log = runtimeLog(path.join(dir, "artifacts/runtime-events.jsonl"), "production");
    for (let i = 0; i < 3; i++) await log.record("gate_failed", "wix", `step ${i}`);
    const r = await healthCheck.run(ctx);
    expect(r.status).toBe("FAIL");
    expect(r.detail).toContain("3 failures in a row");
  });
});

/**
 * `glidepath smoke` through the real engine: the local stack (its edge handler, a component)
 * plus two core-module deliverables configured for the test — one that runs, one that imports
 * what no edge runtime provides — deployed with `glidepath up`, then loaded into workerd and
 * Deno. The core module passes both; the component is not loadable by Workers; the import
 * fails instantiation; a tampered artifact is a sha-256 mismatch and is not loaded. The
 * report is written with `--output` (and copied to artifacts/smoke-local.json for CI).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type SmokeReport, smokeReportSchema } from "../../automation/lib/smoke/report";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { ROOT } from "../helpers/dist";
import { watToWasm } from "../helpers/wasm";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();

const CORE = `(module (func (export "handle") (result i32) i32.const 42))`;
const UNSATISFIABLE = `(module (import "env" "host_log" (func)) (func (export "handle") (result i32) i32.const 1))`;

describe.skipIf(binDir === undefined)("glidepath smoke through the real engine", () => {
  let p: ScratchProject;
  let artifactOf: Record<string, string>;

  const smoke = async (...extra: string[]) => {
    const r = await p.glidepath(["smoke", "--stack", "local", "--json", ...extra]);
    return { ...r, report: smokeReportSchema.parse(JSON.parse(r.stdout)) };
  };
  const probesOf = (report: SmokeReport, id: string) =>
    report.deliverables
      .find((d) => d.blueprint_id === id)
      ?.probes.map((x) => [x.runtime, x.status, x.reason_code]);

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
    await fs.mkdir(path.join(p.dir, "fixtures"));
    await fs.writeFile(path.join(p.dir, "fixtures/core.wat"), CORE);
    await fs.writeFile(path.join(p.dir, "fixtures/unsatisfiable.wat"), UNSATISFIABLE);
    for (const [key, value] of [
      ["glidepath:wasm.core.module", "fixtures/core.wat"],
      ["glidepath:wasm.unsat.module", "fixtures/unsatisfiable.wat"],
    ] as const) {
      const r = await p.pulumi(["config", "set", "--path", key, value, "--stack", "local"]);
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it("refuses a stack that records no deliverable yet (never deployed): exit 2, nothing probed", async () => {
    const r = await p.glidepath(["smoke", "--stack", "local", "--json"]);
    expect(r.code, r.stderr).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: "GP_SMOKE_NO_DELIVERABLES" });
    expect(r.stderr).toContain("glidepath up --stack local");
  });

  it("deploys the deliverables, then loads each into workerd and Deno: the core module passes both, the others fail with their reasons (exit 1)", async () => {
    const up = await p.glidepath(["up", "--stack", "local", "--json"]);
    expect(up.code, up.stderr).toBe(0);
    const wasm = JSON.parse(up.stdout).outputs.wasm as Record<string, { artifactPath: string }>;
    artifactOf = Object.fromEntries(Object.entries(wasm).map(([id, d]) => [id, d.artifactPath]));
    expect(Object.keys(artifactOf).sort()).toEqual(["core", "edge", "unsat"]);

    const r = await smoke("--output", "artifacts/smoke-local.json");
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("GP_SMOKE_FAILED");
    expect(probesOf(r.report, "core")).toEqual([
      ["workerd", "pass", null],
      ["deno", "pass", null],
    ]);
    const core = r.report.deliverables.find((d) => d.blueprint_id === "core");
    expect(core?.probes.map((x) => x.detail)).toEqual(["handle() returned 42", "handle() returned 42"]);
    expect(core?.artifact_path).toBe(artifactOf.core);
    // The local stack's edge handler is a component: Workers take core modules.
    expect(probesOf(r.report, "edge")).toEqual([
      ["workerd", "fail", "component_not_loadable"],
      ["deno", "fail", "component_not_loadable"],
    ]);
    expect(probesOf(r.report, "unsat")).toEqual([
      ["workerd", "fail", "instantiate_failed"],
      ["deno", "fail", "instantiate_failed"],
    ]);
    for (const x of r.report.deliverables.find((d) => d.blueprint_id === "unsat")?.probes ?? [])
      expect(x.detail).toMatch(/Import #0 "env"/);
    expect(r.report).toMatchObject({ stack: "local", ok: false, counts: { pass: 2, fail: 4, skip: 0 } });
    // --output holds the same report; CI keeps a copy.
    const written = await fs.readFile(path.join(p.dir, "artifacts/smoke-local.json"), "utf8");
    expect(smokeReportSchema.parse(JSON.parse(written))).toEqual(r.report);
    await fs.mkdir(path.join(ROOT, "artifacts"), { recursive: true });
    await fs.writeFile(path.join(ROOT, "artifacts/smoke-local.json"), written);
  });

  it("fails closed on a tampered artifact: sha-256 mismatch, not loaded", async () => {
    await fs.writeFile(
      artifactOf.core as string,
      await watToWasm(`(module (func (export "handle") (result i32) i32.const 43))`),
    );
    const r = await smoke();
    expect(r.code, r.stderr).toBe(1);
    expect(probesOf(r.report, "core")).toEqual([
      ["workerd", "fail", "sha256_mismatch"],
      ["deno", "fail", "sha256_mismatch"],
    ]);
    expect(r.report.deliverables.find((d) => d.blueprint_id === "core")?.probes[0]?.duration_ms).toBe(0);
  });
});

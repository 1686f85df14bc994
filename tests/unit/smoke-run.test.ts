/**
 * The smoke probes in the real runtimes (workerd through Miniflare, and Deno), on packaged
 * fixtures: a core module that passes, one with an import nothing satisfies, a component, a
 * tampered artifact, one without an entry point, one that never returns (killed at its
 * timeout), and a missing Deno (a skip outside CI, a failure in CI).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  findRuntimes,
  type SmokeOptions,
  type StackDeliverable,
  smokeDeliverable,
} from "../../automation/lib/smoke/run";
import { edgeStoreOf } from "../../providers/targets/edge-store";
import { packageWasm, writePackage } from "../../providers/wasm/package";
import { ROOT } from "../helpers/dist";
import { wat, watToWasm } from "../helpers/wasm";

let dir: string;
const runtimes = findRuntimes(ROOT);
const opts: SmokeOptions = { runtimes, ci: false, timeoutMs: 30_000 };

/** Packages WAT as the WasmDeliverable resource does; resolves with the deliverable as the stack records it. */
async function packaged(id: string, text: string): Promise<StackDeliverable> {
  const pkg = await packageWasm(await watToWasm(text), { blueprintId: id, runtimeProfile: "wasm_wasi" });
  await writePackage(edgeStoreOf({ root: dir }), `wasm/${id}`, pkg);
  const sha256 = pkg.manifest.artifact_sha256;
  return { blueprintId: id, sha256, artifactPath: path.join(dir, "wasm", id, `${sha256}.wasm`) };
}

const outcome = (d: Awaited<ReturnType<typeof smokeDeliverable>>) =>
  d.probes.map((p) => [p.runtime, p.status, p.reason_code]);

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-smoke-"));
  // Both runtimes are dependencies of the project: this tier runs them, it does not skip.
  expect(runtimes.workerd.found, JSON.stringify(runtimes.workerd)).toBe(true);
  expect(runtimes.deno.found, JSON.stringify(runtimes.deno)).toBe(true);
  // The platform package's binary itself: no install script of the `deno` package is needed.
  expect(runtimes.deno.found && runtimes.deno.path).toMatch(/node_modules\/@deno\/[^/]+\/deno(\.exe)?$/);
});

describe("smoke probes", () => {
  it("passes a core module in both runtimes, calling its entry point, with their versions", async () => {
    const d = await packaged("ok", `(module (func (export "handle") (result i32) i32.const 42))`);
    const r = await smokeDeliverable(d, opts);
    expect(r.binary_kind).toBe("core");
    expect(outcome(r)).toEqual([
      ["workerd", "pass", null],
      ["deno", "pass", null],
    ]);
    for (const p of r.probes) expect(p.detail).toBe("handle() returned 42");
    expect(r.probes[0]?.version).toBe(require("workerd/package.json").version);
    expect(r.probes[1]?.version).toBe(require("deno/package.json").version);
  });

  it("fails a core module whose import nothing satisfies, with the runtime's instantiate error", async () => {
    const d = await packaged(
      "unsat",
      `(module (import "env" "host_log" (func)) (func (export "handle") (result i32) i32.const 1))`,
    );
    const r = await smokeDeliverable(d, opts);
    expect(outcome(r)).toEqual([
      ["workerd", "fail", "instantiate_failed"],
      ["deno", "fail", "instantiate_failed"],
    ]);
    for (const p of r.probes) expect(p.detail).toMatch(/Import #0 "env"/);
  });

  it("reports a component as not loadable by Workers (nor Deno) without starting either", async () => {
    const r = await smokeDeliverable(await packaged("component", await wat("handler.wat")), opts);
    expect(r.binary_kind).toBe("component");
    expect(outcome(r)).toEqual([
      ["workerd", "fail", "component_not_loadable"],
      ["deno", "fail", "component_not_loadable"],
    ]);
    expect(r.probes.map((p) => p.duration_ms)).toEqual([0, 0]);
  });

  it("fails closed on a tampered artifact: sha-256 mismatch, nothing loaded", async () => {
    const d = await packaged("tampered", `(module (func (export "handle") (result i32) i32.const 7))`);
    const swapped = await watToWasm(`(module (func (export "handle") (result i32) i32.const 8))`);
    await fs.writeFile(d.artifactPath, swapped);
    const r = await smokeDeliverable(d, opts);
    expect(outcome(r)).toEqual([
      ["workerd", "fail", "sha256_mismatch"],
      ["deno", "fail", "sha256_mismatch"],
    ]);
    const actual = crypto.createHash("sha256").update(swapped).digest("hex");
    expect(r.probes[0]?.detail).toContain(actual);
    expect(r.probes[0]?.detail).toContain(d.sha256);
  });

  it("fails a module without an entry point, naming its exports", async () => {
    const r = await smokeDeliverable(await packaged("noentry", `(module (func (export "other")))`), opts);
    expect(outcome(r)).toEqual([
      ["workerd", "fail", "no_entry_point"],
      ["deno", "fail", "no_entry_point"],
    ]);
    for (const p of r.probes) expect(p.detail).toContain("exports other");
  });

  it("kills a probe that outlives its timeout and reports it", async () => {
    const d = await packaged("spin", `(module (func (export "handle") (loop (br 0))))`);
    const r = await smokeDeliverable(d, { ...opts, timeoutMs: 1_000 });
    expect(outcome(r)).toEqual([
      ["workerd", "fail", "timeout"],
      ["deno", "fail", "timeout"],
    ]);
  });

  it("skips a missing Deno outside CI, naming it, and fails it in CI", async () => {
    const d = await packaged("nodeno", `(module (func (export "handle")))`);
    const none = findRuntimes(dir, { PATH: dir });
    expect(none.deno.found).toBe(false);
    const withoutDeno = { ...runtimes, deno: none.deno };
    const local = await smokeDeliverable(d, { ...opts, runtimes: withoutDeno });
    expect(outcome(local)).toEqual([
      ["workerd", "pass", null],
      ["deno", "skip", "runtime_missing"],
    ]);
    expect(local.probes[1]?.detail).toMatch(/deno binary not found/);
    const ci = await smokeDeliverable(d, { ...opts, runtimes: withoutDeno, ci: true });
    expect(ci.probes[1]).toMatchObject({ status: "fail", reason_code: "runtime_missing" });
  });
});

/**
 * `glidepath wasm package` writes `<dir>/<blueprint>/<sha>.wasm` and `.manifest.json`, byte
 * for byte what the WasmDeliverable provider writes for the same module (one implementation:
 * `providers/wasm/package.ts`), from a `.wasm` binary or a `.wat` source.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { wasmDeliverableProvider as wp } from "../../providers/wasm-deliverable";
import { ROOT } from "../helpers/dist";
import { deliverableFrom } from "../helpers/wasm";
import { packageArgv, runCli } from "../helpers/wasm-cli";

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-wasm-pkg-"));
});

async function sameFiles(a: string, b: string): Promise<void> {
  expect(Buffer.compare(await fs.readFile(a), await fs.readFile(b))).toBe(0);
}

describe("glidepath wasm package", () => {
  for (const [name, extra] of [
    ["handler.wat", []],
    ["legacy-handler.wat", ["--allow-non-compliant"]],
  ] as const) {
    it(`writes the provider's bytes and manifest for ${name}`, async () => {
      const i = await deliverableFrom(dir, name);
      const created = await wp.create({ ...i, allowNonCompliant: true });
      const out = path.join(dir, "out");
      const r = await runCli(
        packageArgv(i.module, out, "--runtime-profile", "wasm_wasi", "--json", ...extra),
      );
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc).toMatchObject({
        blueprint_id: "edge",
        artifact_sha256: i.sha256,
        artifact_path: path.join(out, "edge", `${i.sha256}.wasm`),
        manifest_path: path.join(out, "edge", `${i.sha256}.manifest.json`),
      });
      await sameFiles(doc.artifact_path, created.outs?.artifactPath as string);
      await sameFiles(doc.manifest_path, created.outs?.manifestPath as string);
    });
  }

  it("assembles a .wat source into the same package as its built .wasm", async () => {
    const i = await deliverableFrom(dir, "handler.wat");
    const fromWasm = await runCli(packageArgv(i.module, path.join(dir, "a"), "--json"));
    const source = path.join(ROOT, "apps/edge-wasm/handler.wat");
    const fromWat = await runCli(packageArgv(source, path.join(dir, "b"), "--json"));
    expect(fromWat.code, fromWat.stderr).toBe(0);
    const [a, b] = [JSON.parse(fromWasm.stdout), JSON.parse(fromWat.stdout)];
    expect(b.artifact_sha256).toBe(a.artifact_sha256);
    await sameFiles(a.manifest_path, b.manifest_path);
    await sameFiles(a.artifact_path, b.artifact_path);
  });

  it("refuses a non-compliant module (exit 1, nothing written) unless --allow-non-compliant", async () => {
    const i = await deliverableFrom(dir, "legacy-handler.wat");
    const out = path.join(dir, "out");
    const r = await runCli(packageArgv(i.module, out));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[GP_WASM_NON_COMPLIANT]");
    expect(r.stderr).toContain("forbidden_wasi_snapshot_preview1 (wasi_snapshot_preview1)");
    await expect(fs.stat(out)).rejects.toThrow();
  });

  it("bad arguments: exit 2 naming the flag and the value, nothing written", async () => {
    const out = path.join(dir, "out");
    const missing = await runCli([
      "wasm",
      "package",
      "--module",
      path.join(dir, "nope.wasm"),
      "--blueprint-id",
      "edge",
      "--output-dir",
      out,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `--module=${JSON.stringify(path.join(dir, "nope.wasm"))}: cannot read it (ENOENT)`,
    );
    const i = await deliverableFrom(dir, "handler.wat");
    const badId = await runCli([
      "wasm",
      "package",
      "--module",
      i.module,
      "--blueprint-id",
      "Edge!",
      "--output-dir",
      out,
    ]);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('--blueprint-id="Edge!": expected a blueprint id');
    const badProfile = await runCli(packageArgv(i.module, out, "--runtime-profile", "wasi_p1"));
    expect(badProfile.code).toBe(2);
    expect(badProfile.stderr).toContain(
      '--runtime-profile="wasi_p1": expected one of: wasm_wasi, channel_automation_wasi',
    );
    await expect(fs.stat(out)).rejects.toThrow();
  });
});

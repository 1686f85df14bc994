/**
 * WASM deliverables through the real engine: a compliant component is packaged with its
 * manifest; a preview1 module is refused before any update (glidepath: exit 2; raw pulumi:
 * the preview's check fails) unless the config explicitly allows it.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { wat, watToWasm } from "../helpers/wasm";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();

describe.skipIf(binDir === undefined)("WASM deliverables through the real engine", () => {
  let p: ScratchProject;
  const cfg = async (key: string, value: string) => {
    const r = await p.pulumi(["config", "set", "--path", key, value, "--stack", "local"]);
    expect(r.code, r.stderr).toBe(0);
  };
  const historyLength = async () =>
    JSON.parse((await p.pulumi(["stack", "history", "--json", "--stack", "local"])).stdout).length as number;

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    await fs.mkdir(path.join(p.dir, "build"));
    await fs.writeFile(path.join(p.dir, "build/handler.wasm"), await watToWasm(await wat("handler.wat")));
    await fs.writeFile(
      path.join(p.dir, "build/legacy.wasm"),
      await watToWasm(await wat("legacy-handler.wat")),
    );
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
    await cfg("glidepath:wasm.edge.module", "build/handler.wasm");
  });

  it("packages a compliant component as <blueprint>/<sha>.wasm with its manifest", async () => {
    const r = await p.glidepath(["up", "--stack", "local", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const edge = JSON.parse(r.stdout).outputs.wasm.edge;
    expect(edge).toMatchObject({ verdict: "compliant", reasonCodes: [] });
    expect(edge.artifactPath).toBe(
      path.join(p.dir, ".glidepath/targets/local/wasm/edge", `${edge.sha256}.wasm`),
    );
    const manifest = JSON.parse(
      await fs.readFile(edge.artifactPath.replace(/\.wasm$/, ".manifest.json"), "utf8"),
    );
    expect(manifest.observed_import_modules).toEqual([
      "wasi:clocks/monotonic-clock@0.2.0",
      "wasi:http/outgoing-handler@0.2.0",
    ]);
    const again = await p.glidepath(["up", "--stack", "local", "--json"]);
    expect(JSON.parse(again.stdout).changes.create ?? 0).toBe(0);
    expect(JSON.parse(again.stdout).changes.update ?? 0).toBe(0);
  });

  it("fails if the module is preview1: exit 2 naming wasi_snapshot_preview1, nothing deployed", async () => {
    const before = await historyLength();
    await cfg("glidepath:wasm.edge.module", "build/legacy.wasm");
    const r = await p.glidepath(["up", "--stack", "local"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("glidepath:wasm.edge.module: non-compliant module build/legacy.wasm");
    expect(r.stderr).toContain("forbidden_wasi_snapshot_preview1 (wasi_snapshot_preview1)");
    expect(await historyLength()).toBe(before);
  });

  it("fails the raw pulumi preview too, in the provider's check", async () => {
    const before = await historyLength();
    const r = await p.pulumi(["up", "--yes", "--stack", "local"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("forbidden_wasi_snapshot_preview1");
    expect(await historyLength()).toBe(before);
  });

  it("packages it when the config explicitly allows a non-compliant module, with the verdict recorded", async () => {
    await cfg("glidepath:wasm.edge.allowNonCompliant", "true");
    const r = await p.glidepath(["up", "--stack", "local", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).outputs.wasm.edge).toMatchObject({
      verdict: "non_compliant",
      reasonCodes: ["forbidden_wasi_snapshot_preview1"],
    });
  });
});

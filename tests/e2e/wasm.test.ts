/**
 * WASM deliverables through the real engine. The local stack builds its edge handler from
 * `apps/edge-wasm/handler.wat` (a `local.Command`) and packages it with its manifest. A
 * preview1 module is refused before any update (glidepath: exit 2), and by the provider's
 * check when raw `pulumi up` runs it, unless the config explicitly allows it. A build that
 * exits non-zero fails the update with the build's message; the last green artifact stays. A
 * stack that requires signed deliverables refuses an unsigned one, and deploys it once signed
 * with `glidepath wasm sign`; the key never reaches state. `wasm package --stack` records a
 * packaged module in the stack's config and state through one update.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { wasmBuildReportSchema } from "../../infra/build-report";
import { wat, watToWasm } from "../helpers/wasm";
import { packageArgv, pemOfSeed, runCli } from "../helpers/wasm-cli";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();

describe.skipIf(binDir === undefined)("WASM deliverables through the real engine", () => {
  let p: ScratchProject;
  const cfg = async (key: string, value: string) => {
    const r = await p.pulumi(["config", "set", "--path", key, value, "--stack", "local"]);
    expect(r.code, r.stderr).toBe(0);
  };
  const history = () => p.history();
  const up = async () => {
    const r = await p.glidepath(["up", "--stack", "local", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as {
      changes: Record<string, number>;
      outputs: { wasm: Record<string, Record<string, unknown>> };
    };
  };
  let green: { sha256: string; artifactPath: string };

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
  });

  it("builds the edge handler from its WAT source and packages it as <blueprint>/<sha>.wasm with its manifest", async () => {
    const { outputs } = await up();
    const edge = outputs.wasm.edge as { sha256: string; artifactPath: string; buildId: string };
    expect(edge).toMatchObject({ verdict: "compliant", reasonCodes: [] });
    expect(edge.buildId).toMatch(/\S/);
    expect(edge.artifactPath).toBe(
      path.join(p.dir, ".glidepath/targets/local/wasm/edge", `${edge.sha256}.wasm`),
    );
    const manifest = JSON.parse(
      await fs.readFile(edge.artifactPath.replace(/\.wasm$/, ".manifest.json"), "utf8"),
    );
    expect(manifest.artifact_sha256).toBe(edge.sha256);
    expect(manifest.observed_import_modules).toEqual([
      "wasi:clocks/monotonic-clock@0.2.0",
      "wasi:http/outgoing-handler@0.2.0",
    ]);
    const report = wasmBuildReportSchema.parse(
      JSON.parse(await fs.readFile(path.join(p.dir, "artifacts/wasm-edge-build.json"), "utf8")),
    );
    expect(report.artifactSha256).toBe(edge.sha256);
    // The packaged bytes are the assembler's output for the source, byte for byte.
    const expected = await watToWasm(await wat("handler.wat"));
    expect(Buffer.compare(await fs.readFile(edge.artifactPath), expected)).toBe(0);
    green = edge;
  });

  it("does not rebuild or repackage unchanged sources: a second up changes nothing", async () => {
    const again = await up();
    expect(again.changes.create ?? 0).toBe(0);
    expect(again.changes.update ?? 0).toBe(0);
    expect(again.changes.replace ?? 0).toBe(0);
    expect(again.outputs.wasm.edge).toMatchObject({ sha256: green.sha256 });
  });

  it("refuses a preview1 source before any update: exit 2 naming wasi_snapshot_preview1", async () => {
    const before = (await history()).length;
    await cfg("glidepath:wasm.edge.module", "apps/edge-wasm/legacy-handler.wat");
    const r = await p.glidepath(["up", "--stack", "local"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "glidepath:wasm.edge.module: non-compliant module apps/edge-wasm/legacy-handler.wat",
    );
    expect(r.stderr).toContain("forbidden_wasi_snapshot_preview1 (wasi_snapshot_preview1)");
    expect((await history()).length).toBe(before);
  });

  it("fails raw pulumi up in the provider's check, leaving the last green artifact", async () => {
    const r = await p.pulumi(["up", "--yes", "--stack", "local"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("forbidden_wasi_snapshot_preview1");
    const out = JSON.parse((await p.pulumi(["stack", "output", "--json", "--stack", "local"])).stdout);
    expect(out.wasm.edge.sha256).toBe(green.sha256);
    await expect(fs.stat(green.artifactPath)).resolves.toBeTruthy();
  });

  it("packages it when the config explicitly allows a non-compliant module, with the verdict recorded", async () => {
    await cfg("glidepath:wasm.edge.allowNonCompliant", "true");
    const { outputs } = await up();
    expect(outputs.wasm.edge).toMatchObject({
      verdict: "non_compliant",
      reasonCodes: ["forbidden_wasi_snapshot_preview1"],
    });
    // Retired: the compliant artifact of the replaced deliverable is gone.
    await expect(fs.stat(green.artifactPath)).rejects.toThrow();
  });

  it("fails the update with the build's message when the build exits non-zero", async () => {
    await cfg("glidepath:wasm.edge.module", "apps/edge-wasm/handler.wat");
    await cfg("glidepath:wasm.edge.allowNonCompliant", "false");
    green = (await up()).outputs.wasm.edge as typeof green;
    await fs.writeFile(
      path.join(p.dir, "apps/edge-wasm/broken.wat"),
      "(module (func (result i32) i32.const))\n",
    );
    await cfg("glidepath:wasm.edge.module", "apps/edge-wasm/broken.wat");
    // glidepath refuses it before any update …
    const refused = await p.glidepath(["up", "--stack", "local"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "glidepath:wasm.edge.module: apps/edge-wasm/broken.wat does not assemble",
    );
    // … and raw pulumi runs the build, which exits 1: the update fails with its message.
    const r = await p.pulumi(["up", "--yes", "--stack", "local"]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("wasm-module: cannot assemble");
    expect((await history())[0]?.result).toBe("failed");
    await expect(fs.stat(green.artifactPath)).resolves.toBeTruthy();
  });

  it("wasm package --stack records the deliverable: glidepath:wasm.<id> set and the stack's update run", async () => {
    const out = await fs.mkdtemp(path.join(path.dirname(p.dir), "gp-wasm-pkg-"));
    const before = (await history()).length;
    const r = await p.glidepath([
      ...packageArgv("apps/edge-wasm/handler.wat", out, "--json"),
      "--stack",
      "local",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const h = await history();
    expect(h.length).toBe(before + 1);
    expect(h[0]).toMatchObject({
      result: "succeeded",
      message: "glidepath wasm package edge: apps/edge-wasm/handler.wat",
    });
    const cfg = await p.pulumi(["config", "get", "--path", "glidepath:wasm.edge.module", "--stack", "local"]);
    expect(cfg.stdout.trim()).toBe("apps/edge-wasm/handler.wat");
    // The stack's WasmDeliverable holds the same artifact the command packaged.
    const state = JSON.parse((await p.pulumi(["stack", "output", "--json", "--stack", "local"])).stdout);
    expect(state.wasm.edge).toMatchObject({ sha256: doc.artifact_sha256, verdict: "compliant" });
    expect(doc.stack).toMatchObject({ name: "local", deliverable: { sha256: doc.artifact_sha256 } });
  });

  it("with glidepath:wasmSigning required: refuses the unsigned deliverable (exit 2, signature_missing), deploys it signed", async () => {
    const did = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
    await cfg("glidepath:wasm.edge.module", "apps/edge-wasm/handler.wat");
    await cfg("glidepath:wasmSigning.required", "true");
    await cfg("glidepath:wasmSigning.signers[0]", did);
    const before = (await history()).length;
    const refused = await p.glidepath(["up", "--stack", "local"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "glidepath:wasm.edge.signature: apps/edge-wasm/handler.wat: signature_missing",
    );
    expect((await history()).length).toBe(before);
    // The operator path: package, sign (key outside the project), set the signature it prints.
    const work = await fs.mkdtemp(path.join(path.dirname(p.dir), "gp-wasm-signer-"));
    const key = path.join(work, "signer.pem");
    const pem = pemOfSeed("0".repeat(64));
    await fs.writeFile(key, pem, { mode: 0o600 });
    const pkg = await runCli(packageArgv(path.join(p.dir, "apps/edge-wasm/handler.wat"), work, "--json"));
    expect(pkg.code, pkg.stderr).toBe(0);
    const signed = await runCli([
      "wasm",
      "sign",
      "--manifest",
      JSON.parse(pkg.stdout).manifest_path,
      "--key",
      key,
      "--json",
    ]);
    expect(signed.code, signed.stderr).toBe(0);
    const sig = JSON.parse(signed.stdout) as { signer: string; signature: string };
    expect(sig.signer).toBe(did);
    await cfg("glidepath:wasm.edge.signature.signer", sig.signer);
    await cfg("glidepath:wasm.edge.signature.value", sig.signature);
    const { outputs } = await up();
    const edge = outputs.wasm.edge as { artifactPath: string };
    const manifestPath = edge.artifactPath.replace(/\.wasm$/, ".manifest.json");
    // The deployed manifest is the signed one `wasm sign` wrote, byte for byte, and inspects valid.
    expect(await fs.readFile(manifestPath, "utf8")).toBe(
      await fs.readFile(JSON.parse(pkg.stdout).manifest_path, "utf8"),
    );
    const inspected = await runCli([
      "wasm",
      "inspect",
      "--manifest",
      manifestPath,
      "--signer",
      did,
      "--require-signed",
      "--json",
    ]);
    expect(inspected.code, inspected.stderr).toBe(0);
    expect(JSON.parse(inspected.stdout).signature).toBe("valid");
    const state = await p.pulumi(["stack", "export", "--stack", "local"]);
    expect(state.stdout).toContain(sig.signature);
    expect(state.stdout).not.toContain(pem.split("\n")[1] as string);
    expect(state.stdout).not.toContain("PRIVATE KEY");
  });
});

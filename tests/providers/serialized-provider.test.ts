/**
 * The FeatureFlag provider as Pulumi stores it (`__provider`), evaluated in a fresh Node
 * process the way the dynamic-provider plugin does: a module captured by mistake, or code
 * that only works in the program's process, fails here rather than in a deployment.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../helpers/dist";
import { wat, watToWasm } from "../helpers/wasm";

const serialize = `
const pulumi = require("@pulumi/pulumi");
const { featureFlagProvider } = require("./dist/providers/feature-flag.js");
pulumi.runtime.serializeFunction(() => featureFlagProvider, { allowSecrets: true })
  .then((sf) => process.stdout.write(sf.text));
`;

const exercise = `
const fs = require("node:fs");
const requireFromString = require("require-from-string");
const provider = requireFromString(fs.readFileSync(process.argv[1], "utf8")).handler();
const root = process.argv[2];
(async () => {
  const inputs = { app: "gamma", key: "CanaryEnabled", value: true, root };
  const checked = await provider.check({}, { ...inputs, __provider: "x" });
  const created = await provider.create(checked.inputs);
  const read = await provider.read(created.id, created.outs);
  const updated = await provider.update(created.id, created.outs, { ...inputs, value: false });
  const onDisk = JSON.parse(fs.readFileSync(updated.outs.path, "utf8"));
  await provider.delete(created.id, updated.outs);
  console.log(JSON.stringify({ checked, created, read, onDisk, gone: !fs.existsSync(updated.outs.path) }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe("serialized FeatureFlag provider", () => {
  it("runs in a fresh process from its serialized text alone", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-ser-"));
    const text = execFileSync(process.execPath, ["-e", serialize], { cwd: ROOT, encoding: "utf8" });
    expect(text).not.toMatch(/__vite|vitest/);
    const file = path.join(dir, "provider.js");
    await fs.writeFile(file, text);
    // Run from a directory outside the project so only what the provider text requires is found
    // through the plugin's own resolution (node_modules of @pulumi/pulumi's parents).
    const out = execFileSync(process.execPath, ["-e", exercise, file, path.join(dir, "target")], {
      cwd: path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider"),
      encoding: "utf8",
    });
    const r = JSON.parse(out);
    expect(r.checked.inputs).toEqual({
      app: "gamma",
      key: "CanaryEnabled",
      value: true,
      root: path.join(dir, "target"),
    });
    expect(r.created.id).toBe("gamma/CanaryEnabled");
    expect(r.read.props.value).toBe(true);
    expect(r.onDisk).toEqual({ app: "gamma", key: "CanaryEnabled", value: false });
    expect(r.gone).toBe(true);
  });

  it("stays small: the stored provider text carries no module by value", () => {
    const text = execFileSync(process.execPath, ["-e", serialize], { cwd: ROOT, encoding: "utf8" });
    // The target clients (Cloudflare KV, Wix, Gamma: about 40 KB of functions) travel with every
    // provider; a module captured by value (zod, the Pulumi SDK) would be megabytes.
    expect(text.length).toBeLessThan(100_000);
    expect(text).not.toMatch(/^var __zod|^var __pulumi/m);
  });
});

const serializeAll = `
const pulumi = require("@pulumi/pulumi");
const { releaseProvider } = require("./dist/providers/release.js");
const { canaryWeightProvider } = require("./dist/providers/canary-weight.js");
Promise.all([releaseProvider, canaryWeightProvider].map((p) =>
  pulumi.runtime.serializeFunction(() => p, { allowSecrets: true }).then((sf) => sf.text)))
  .then((texts) => process.stdout.write(JSON.stringify(texts)));
`;

const exerciseRelease = `
const fs = require("node:fs");
const requireFromString = require("require-from-string");
const [releaseText, weightText] = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
const release = requireFromString(releaseText).handler();
const weight = requireFromString(weightText).handler();
const [source, root] = process.argv.slice(2);
(async () => {
  const crypto = require("node:crypto");
  const inner = crypto.createHash("sha256").update(fs.readFileSync(source + "/index.html")).digest("hex");
  const digest = crypto.createHash("sha256").update("index.html" + String.fromCharCode(0) + inner + String.fromCharCode(10)).digest("hex");
  const r = await release.create({ app: "gamma", version: "v9", digest, source, root });
  const w = await weight.create({ app: "gamma", stable: "v9", stableDigest: digest, weight: 0, root });
  const route = JSON.parse(fs.readFileSync(w.outs.path, "utf8"));
  await weight.delete(w.id, w.outs);
  await release.delete(r.id, r.outs);
  console.log(JSON.stringify({ files: r.outs.files, route, gone: !fs.existsSync(r.outs.path) }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe("serialized Release and CanaryWeight providers", () => {
  it("run in a fresh process from their serialized text alone", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-ser-"));
    const texts = execFileSync(process.execPath, ["-e", serializeAll], { cwd: ROOT, encoding: "utf8" });
    const file = path.join(dir, "providers.json");
    await fs.writeFile(file, texts);
    await fs.mkdir(path.join(dir, "bundle"));
    await fs.writeFile(path.join(dir, "bundle/index.html"), "<p>v9</p>\n");
    const out = execFileSync(
      process.execPath,
      ["-e", exerciseRelease, file, path.join(dir, "bundle"), path.join(dir, "target")],
      {
        cwd: path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider"),
        encoding: "utf8",
      },
    );
    const r = JSON.parse(out);
    expect(r.files).toBe(1);
    expect(r.route).toMatchObject({ app: "gamma", stable: { version: "v9" }, canary: null, weight: 0 });
    expect(r.gone).toBe(true);
    for (const text of JSON.parse(texts) as string[]) expect(text.length).toBeLessThan(100_000);
  });
});

const serializeWasm = `
const pulumi = require("@pulumi/pulumi");
const { wasmDeliverableProvider } = require("./dist/providers/wasm-deliverable.js");
pulumi.runtime.serializeFunction(() => wasmDeliverableProvider, { allowSecrets: true })
  .then((sf) => process.stdout.write(sf.text));
`;

const exerciseWasm = `
const fs = require("node:fs");
const crypto = require("node:crypto");
const requireFromString = require("require-from-string");
const provider = requireFromString(fs.readFileSync(process.argv[1], "utf8")).handler();
const [component, legacy, root] = process.argv.slice(2);
const inputs = (module) => ({
  blueprintId: "edge",
  module,
  sha256: crypto.createHash("sha256").update(fs.readFileSync(module)).digest("hex"),
  runtimeProfile: "wasm_wasi",
  allowNonCompliant: false,
  root,
});
(async () => {
  const refused = await provider.check({}, inputs(legacy));
  const checked = await provider.check({}, inputs(component));
  const created = await provider.create(checked.inputs);
  const manifest = JSON.parse(fs.readFileSync(created.outs.manifestPath, "utf8"));
  console.log(JSON.stringify({ refused: refused.failures, verdict: manifest.compliance.verdict, imports: manifest.observed_import_modules }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe("serialized WasmDeliverable provider", () => {
  it("inspects components with wasm-tools in a fresh process", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-ser-"));
    const text = execFileSync(process.execPath, ["-e", serializeWasm], { cwd: ROOT, encoding: "utf8" });
    const file = path.join(dir, "provider.js");
    await fs.writeFile(file, text);
    const component = path.join(dir, "handler.wasm");
    const legacy = path.join(dir, "legacy.wasm");
    await fs.writeFile(component, await watToWasm(await wat("handler.wat")));
    await fs.writeFile(legacy, await watToWasm(await wat("legacy-handler.wat")));
    const out = execFileSync(
      process.execPath,
      ["-e", exerciseWasm, file, component, legacy, path.join(dir, "target")],
      {
        cwd: path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider"),
        encoding: "utf8",
      },
    );
    const r = JSON.parse(out);
    expect(r.refused[0].reason).toContain("forbidden_wasi_snapshot_preview1");
    expect(r.verdict).toBe("compliant");
    expect(r.imports).toEqual(["wasi:clocks/monotonic-clock@0.2.0", "wasi:http/outgoing-handler@0.2.0"]);
    expect(text.length).toBeLessThan(120_000);
  });
});

/**
 * The program's WASM deliverables under runtime mocks: a `.wat` source gets a build command
 * whose reported module the deliverable packages; a prebuilt `.wasm` is packaged directly.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, expect, it } from "vitest";
import { assembleWat } from "../../infra/wat";
import { ROOT, requireDist } from "../helpers/dist";
import { type Created, mocksWithBuilds } from "../helpers/mock-build";
import { resolved } from "../helpers/outputs";

const created: Created[] = [];
const project = fs.mkdtempSync(path.join(os.tmpdir(), "gp-prog-wasm-"));
const root = path.join(project, ".glidepath/targets/local");
const sha256 = (data: Uint8Array | string) => crypto.createHash("sha256").update(data).digest("hex");
const handlerWat = fs.readFileSync(path.join(ROOT, "apps/edge-wasm/handler.wat"), "utf8");
let handlerWasm: Uint8Array;

let program: typeof import("../../infra/index");

beforeAll(async () => {
  handlerWasm = await assembleWat(handlerWat);
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: glidepath\nruntime: nodejs\n");
  fs.mkdirSync(path.join(project, "src"));
  fs.writeFileSync(path.join(project, "src/edge.wat"), handlerWat);
  fs.writeFileSync(path.join(project, "src/prebuilt.wasm"), handlerWasm);
  process.chdir(project);
  pulumi.runtime.setAllConfig({
    "glidepath:environment": "local",
    "glidepath:apps": JSON.stringify({ wix: { target: "local" } }),
    "glidepath:wasm": JSON.stringify({
      edge: { module: "src/edge.wat" },
      gateway: { module: "src/prebuilt.wasm", runtimeProfile: "channel_automation_wasi" },
    }),
  });
  await pulumi.runtime.setMocks(
    // Each deliverable gets its own verdict, one of them not the default, so the export has to
    // carry what the provider answered for that deliverable.
    mocksWithBuilds(created, (inputs) => ({
      ...inputs,
      artifactPath: `/published/${inputs.blueprintId}/${inputs.sha256}.wasm`,
      ...(inputs.blueprintId === "gateway"
        ? { verdict: "non_compliant", reasonCodes: ["capability_not_in_profile"] }
        : { verdict: "compliant", reasonCodes: [] }),
    })),
    "glidepath",
    "local",
    false,
  );
  program = requireDist<typeof import("../../infra/index")>("infra/index.js");
  await resolved(program.wasm as pulumi.Output<unknown>);
});

it("builds a .wat source with a command triggered by its digest and the assembler, into an output named by both", async () => {
  const builds = created.filter((c) => c.type === "command:local:Command");
  expect(builds.map((b) => b.name)).toEqual(["build:wasm:edge"]);
  const digest = sha256(handlerWat);
  const inputs = builds[0]?.inputs ?? {};
  const triggers = inputs.triggers as string[];
  expect(triggers[0]).toBe(digest);
  expect(triggers[1]).toMatch(/^wasm-tools parse \(@bytecodealliance\/jco-transpile \d+\.\d+\.\d+\)$/);
  const out = path.join(root, "builds/wasm/edge", `${sha256(`${digest}\0${triggers[1]}`).slice(0, 16)}.wasm`);
  expect(inputs.create).toBe(
    'node "$GP_BUILD_SCRIPT" --id="$GP_BUILD_ID" --builder="$GP_BUILD_BUILDER" --source="$GP_BUILD_SOURCE" --out="$GP_BUILD_OUT" --report="$GP_BUILD_REPORT"',
  );
  expect(inputs.delete).toBe('rm -f -- "$GP_BUILD_OUT"');
  expect(inputs.environment).toEqual({
    GP_BUILD_SCRIPT: path.join(project, "dist/apps/build/wasm-module.js"),
    GP_BUILD_ID: "edge",
    GP_BUILD_BUILDER: triggers[1],
    GP_BUILD_SOURCE: path.join(project, "src/edge.wat"),
    GP_BUILD_OUT: out,
    GP_BUILD_REPORT: path.join(project, "artifacts/wasm-edge-build.json"),
  });
});

it("packages the built module and the prebuilt one, each with its sha and profile", async () => {
  const deliverables = created
    .filter((c) => c.type.endsWith(":WasmDeliverable"))
    .map((c) => ({ name: c.name, inputs: { ...c.inputs, __provider: undefined } }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const build = created.find((c) => c.name === "build:wasm:edge");
  const builder = (build?.inputs.triggers as string[] | undefined)?.[1];
  const trigger = sha256(`${sha256(handlerWat)}\0${builder}`);
  expect(deliverables).toEqual([
    {
      name: "wasm:edge",
      inputs: {
        blueprintId: "edge",
        module: path.join(root, "builds/wasm/edge", `${trigger.slice(0, 16)}.wasm`),
        sha256: sha256(handlerWasm),
        runtimeProfile: "wasm_wasi",
        allowNonCompliant: false,
        root,
        __provider: undefined,
      },
    },
    {
      name: "wasm:gateway",
      inputs: {
        blueprintId: "gateway",
        module: path.join(project, "src/prebuilt.wasm"),
        sha256: sha256(handlerWasm),
        runtimeProfile: "channel_automation_wasi",
        allowNonCompliant: false,
        root,
        __provider: undefined,
      },
    },
  ]);
});

it("exports each deliverable's own sha, verdict, reason codes and artifact, and the build id of a built one", async () => {
  expect(await resolved(program.wasm as pulumi.Output<unknown>)).toEqual({
    edge: {
      sha256: sha256(handlerWasm),
      verdict: "compliant",
      reasonCodes: [],
      artifactPath: `/published/edge/${sha256(handlerWasm)}.wasm`,
      buildId: "build:wasm:edge-id",
    },
    gateway: {
      sha256: sha256(handlerWasm),
      verdict: "non_compliant",
      reasonCodes: ["capability_not_in_profile"],
      artifactPath: `/published/gateway/${sha256(handlerWasm)}.wasm`,
    },
  });
});

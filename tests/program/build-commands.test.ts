/**
 * The program's build commands run as declared, through `/bin/sh` as the command provider
 * runs them, with paths that a shell would expand: the paths reach the build as data, nothing
 * in them runs, and the build works.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, expect, it } from "vitest";
import { parseBuildReport, parseWasmBuildReport } from "../../infra/build-report";
import { type LocalCommandInputs, runCommand } from "../../providers/command-plugin/local-command";
import { digestDir } from "../../providers/targets/bundle";
import { ROOT, requireDist } from "../helpers/dist";
import { type Created, mocksWithBuilds } from "../helpers/mock-build";
import { resolved } from "../helpers/outputs";

/** A name that runs `touch pwned` and a command `y` wherever a shell parses it. */
const HOSTILE = "x$(touch pwned)`y`";
const created: Created[] = [];
const project = fs.mkdtempSync(path.join(os.tmpdir(), "gp-prog-quote-"));
const source = path.join(project, "apps/wix", HOSTILE);
const wat = path.join(project, "src", `${HOSTILE}.wat`);

let program: typeof import("../../infra/index");

beforeAll(async () => {
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: glidepath\nruntime: nodejs\n");
  fs.symlinkSync(path.join(ROOT, "dist"), path.join(project, "dist"));
  fs.mkdirSync(source, { recursive: true });
  fs.writeFileSync(path.join(source, "index.html"), "wix\n");
  fs.mkdirSync(path.dirname(wat));
  fs.copyFileSync(path.join(ROOT, "apps/edge-wasm/handler.wat"), wat);
  process.chdir(project);
  pulumi.runtime.setAllConfig({
    "glidepath:environment": "local",
    "glidepath:apps": JSON.stringify({ wix: { target: "local" } }),
    "glidepath:releases": JSON.stringify({
      wix: { stable: { version: "v1", source: `apps/wix/${HOSTILE}` } },
    }),
    "glidepath:wasm": JSON.stringify({ edge: { module: `src/${HOSTILE}.wat` } }),
  });
  await pulumi.runtime.setMocks(
    mocksWithBuilds(created, (inputs, name) => ({
      ...inputs,
      path: `/published/${name}`,
      files: 1,
      artifactPath: "/published/edge.wasm",
      verdict: "compliant",
      reasonCodes: [],
    })),
    "glidepath",
    "local",
    false,
  );
  program = requireDist<typeof import("../../infra/index")>("infra/index.js");
  await resolved(program.weights.wix as pulumi.Output<unknown>);
  await resolved(program.wasm as pulumi.Output<unknown>);
});

/** The registered build command `name`, as the provider receives it. */
function command(name: string): LocalCommandInputs {
  const c = created.find((r) => r.name === name);
  if (c === undefined) throw new Error(`no ${name} among ${created.map((r) => r.name).join(", ")}`);
  return c.inputs as LocalCommandInputs;
}

/** Every file named `pwned` under the project (the commands' working directory). */
function pwned(): string[] {
  return (fs.readdirSync(project, { recursive: true }) as string[]).filter(
    (f) => path.basename(f) === "pwned",
  );
}

it("passes a release source named x$(touch pwned)`y` to its build as data: the build works, nothing runs", async () => {
  const build = command("build:wix@v1");
  const ran = await runCommand(build.create as string, { ...build, dir: project });
  const report = parseBuildReport(ran.stdout, "wix@v1");
  expect(report.bundleDigest).toBe((await digestDir(source)).digest);
  expect(fs.readFileSync(path.join(report.outDir, "index.html"), "utf8")).toBe("wix\n");
  expect(pwned()).toEqual([]);
  await runCommand(build.delete as string, { ...build, dir: project });
  expect(fs.existsSync(report.outDir)).toBe(false);
  expect(pwned()).toEqual([]);
});

it("passes a WASM source named x$(touch pwned)`y`.wat to its build as data: the build works, nothing runs", async () => {
  const build = command("build:wasm:edge");
  const ran = await runCommand(build.create as string, { ...build, dir: project });
  const report = parseWasmBuildReport(ran.stdout, "wasm:edge");
  expect(fs.statSync(report.outFile).size).toBe(report.artifactSizeBytes);
  expect(pwned()).toEqual([]);
  await runCommand(build.delete as string, { ...build, dir: project });
  expect(fs.existsSync(report.outFile)).toBe(false);
  expect(pwned()).toEqual([]);
});

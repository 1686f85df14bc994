/**
 * The CLI's answers to bad input, through the real CLI and engine on a scratch project: exit 2
 * with a stable code naming the field and the value, nothing changed, and with `--json` exactly
 * one JSON document on stdout for every outcome. Covers `--json-output` over a stack file or a
 * directory, a stack file that is not YAML, a misspelled namespace, values echoed in config
 * errors, an unknown command, a missing `--project-dir`, and the ramp's announced duration.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeProject, ROOT, type Run, type ScratchProject } from "../../bench/helpers/scratch-project";
import { type SloServer, startSloServer } from "../helpers/slo-server";
import { addVersion, rolloutArgs } from "./helpers/rollout";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
const execFileP = promisify(execFile);

/** The one JSON document of a `--json` run's stdout (throws when there is not exactly one). */
function oneDocument(r: Run): Record<string, unknown> {
  expect(r.stdout.trim(), `stdout of a --json run\nstderr: ${r.stderr}`).not.toBe("");
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe.skipIf(binDir === undefined)("the CLI on bad input (real engine)", () => {
  let p: ScratchProject;
  let stackFile: string;
  let good: string;
  let slo: SloServer;
  const updates = async () => (await p.history()).length;
  const withStackFile = (edit: (text: string) => string) => fs.writeFile(stackFile, edit(good));

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    stackFile = path.join(p.dir, "Pulumi.local.yaml");
    good = await fs.readFile(stackFile, "utf8");
    slo = await startSloServer(() => ({ kind: "json", body: { score: 50 } }));
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
    const up = await p.glidepath(["up", "--stack", "local"]);
    expect(up.code, up.stderr).toBe(0);
    await addVersion(p.dir, "v2");
  });

  afterEach(async () => {
    await fs.writeFile(stackFile, good);
  });

  afterAll(async () => {
    await slo?.close();
  });

  it("--json-output over the stack file: exit 2 naming the flag, the stack file unchanged (probe 54)", async () => {
    const r = await p.glidepath(["preflight", "--stack", "local", "--json-output", "Pulumi.local.yaml"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('error[GP_ARG_INVALID]: --json-output="Pulumi.local.yaml"');
    expect(await fs.readFile(stackFile, "utf8")).toBe(good);
  });

  it("--json-output onto a directory: exit 2, no temp file left in the project (probe 55)", async () => {
    const before = (await fs.readdir(p.dir)).sort();
    const r = await p.glidepath(["check", "--stack", "local", "--json-output", "apps"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("it is a directory");
    expect((await fs.readdir(p.dir)).sort()).toEqual(before);
  });

  it("--json-output replaces an earlier summary of the same kind", async () => {
    const args = ["preflight", "--stack", "local", "--json-output", "artifacts/pf.json"];
    expect((await p.glidepath(args)).code).toBe(0);
    const again = await p.glidepath(args);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(await fs.readFile(path.join(p.dir, "artifacts/pf.json"), "utf8")).schema).toBe(
      "glidepath.orchestrator-summary/v1",
    );
  });

  it("a stack file indented with a tab: up exits 2 GP_CONFIG_INVALID naming the file and the line; status says so (C6)", async () => {
    await withStackFile((t) => t.replace("      CanaryEnabled: false", "\t  CanaryEnabled: false"));
    const before = await updates();
    const up = await p.glidepath(["up", "--stack", "local"]);
    expect(up.code, up.stderr).toBe(2);
    expect(up.stderr).toContain("error[GP_CONFIG_INVALID]");
    expect(up.stderr).toMatch(/Pulumi\.local\.yaml is not valid YAML: line 14/);
    expect(up.stderr).not.toContain("--show-secrets");
    expect(await updates()).toBe(before);
    const status = await p.glidepath(["status", "--stack", "local", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    expect(oneDocument(status).config).toMatchObject({ valid: false, code: "GP_CONFIG_INVALID" });
    const human = await p.glidepath(["status", "--stack", "local"]);
    expect(human.stdout).toContain("CONFIG INVALID");
  });

  it("an unclosed quote: check exits 2 GP_CONFIG_INVALID (C7)", async () => {
    await withStackFile((t) => t.replace("version: v1", 'version: "v1'));
    const r = await p.glidepath(["check", "--stack", "local"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/error\[GP_CONFIG_INVALID\]: .*Pulumi\.local\.yaml is not valid YAML: line \d+/);
  });

  it("a misspelled namespace is refused by up and check, naming the key (C3)", async () => {
    await withStackFile((t) => `${t}  glidpath:weights:\n    wix: 50\n`);
    const before = await updates();
    const up = await p.glidepath(["up", "--stack", "local"]);
    expect(up.code, up.stderr).toBe(2);
    expect(up.stderr).toContain('glidpath:weights: unknown namespace "glidpath"');
    expect(up.stderr).toContain('did you mean "glidepath:weights"');
    expect(await updates()).toBe(before);
    expect((await p.glidepath(["check", "--stack", "local"])).code).toBe(2);
  });

  it("a namespace nothing reads is a warning; Pulumi's and the providers' pass in silence", async () => {
    await withStackFile((t) => `${t}  somethingelse:key: x\n  command:foo: y\n`);
    const r = await p.glidepath(["preflight", "--stack", "local"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: somethingelse:key: namespace "somethingelse" is read by nothing');
    expect(r.stderr).not.toContain("command:foo");
  });

  it("config errors show the value found (C1)", async () => {
    await withStackFile((t) => t.replace("glidepath:environment: local", "glidepath:environment: 5"));
    const r = await p.glidepath(["check", "--stack", "local"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("glidepath:environment: expected one of: local, staging, production, got 5");
  });

  it("with --json every error is one document on stdout: bad argument, unknown stack, invalid config, unknown command (J2)", async () => {
    const cases: [string[], string][] = [
      [["rollout", "--stack", "local", "--version", "v2", "--min", "abc", "--json"], "GP_ARG_INVALID"],
      [["status", "--stack", "nosuch", "--json"], "GP_STACK_NOT_FOUND"],
      [["deploy", "--stack", "local", "--json"], "GP_ARG_INVALID"],
    ];
    for (const [args, code] of cases) {
      const r = await p.glidepath(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(oneDocument(r)).toEqual({
        error: { code, message: expect.any(String), fix: expect.any(String), exitCode: 2 },
      });
    }
    await withStackFile((t) => t.replace("glidepath:environment: local", "glidepath:environment: 5"));
    const bad = await p.glidepath(["up", "--stack", "local", "--json"]);
    expect(bad.code).toBe(2);
    expect(oneDocument(bad)).toMatchObject({ error: { code: "GP_CONFIG_INVALID", exitCode: 2 } });
  });

  it("an unknown command is named as one (probe 42)", async () => {
    const r = await p.glidepath(["deploy", "--stack", "local"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[GP_ARG_INVALID]: Unknown command: deploy");
    expect(r.stderr).not.toContain("Unknown arguments");
  });

  it("a --project-dir that does not exist: exit 2 GP_ARG_INVALID naming the flag and the path (probe 52)", async () => {
    const missing = path.join(p.dir, "nonexistent");
    const r = await execFileP(
      process.execPath,
      [path.join(ROOT, "bin/glidepath.js"), "status", "--project-dir", missing],
      {
        env: p.env,
      },
    ).then(
      (x) => ({ code: 0, ...x }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `error[GP_ARG_INVALID]: --project-dir="${missing}": ${missing} does not exist`,
    );
  });

  it("check and rollout announce the ramp's duration; a failed gate's --json report is the one document and carries the error", async () => {
    const check = await p.glidepath(["check", "--stack", "local", "--version", "v2"]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain("the ramp would take: 4 steps bake for about 45m (3 × 10m, then 15m)");
    const r = await p.glidepath(rolloutArgs("v2", slo.url, ["--steps", "100", "--json"], "2s"));
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("ramp planned: 1 step bake for about 2s");
    const doc = oneDocument(r);
    expect(doc).toMatchObject({ outcome: "rolled_back", error: { code: "GP_GATE_FAILED", exitCode: 1 } });
  });
});

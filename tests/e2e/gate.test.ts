import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditFile } from "../../automation/lib/audit/log-file";
import { stackBundles } from "../../automation/lib/gate/bundles";
import { buildId, evidenceManifestFile, gateVerdictFile } from "../../automation/lib/gate/verdict";
import { type RemoteWorld, startRemoteWorld } from "../../bench/helpers/remote-world";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { writeEvidenceFixture } from "../helpers/evidence-fixture";
import { initWorldStack, releaseManagerKey, worldEnv } from "../helpers/production-stack";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
const STACK = "production";

describe.skipIf(binDir === undefined)("the deploy gate and production admission", () => {
  let world: RemoteWorld;
  let p: ScratchProject;
  let keyFile: string;
  const run = (args: string[]) => p.glidepath([...args, "--stack", STACK]);
  const writes = () => world.cf.writes.length + world.wix.writes.length + world.gamma.writes.length;
  const backend = () => p.env.PULUMI_BACKEND_URL as string;
  const log = () => auditFile(p.dir, STACK, backend());
  const entries = async () =>
    (await fs.readFile(log(), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { seq: number; kind: string; data: Record<string, unknown> });
  /** Refused before any update or target write: exit 2 with `code`. */
  const refused = async (code: string) => {
    const before = writes();
    const r = await run(["up"]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(2);
    expect(r.stderr).toContain(`error[${code}]`);
    expect(r.stderr).toContain(`glidepath gate --stack ${STACK}`);
    expect(writes()).toBe(before);
    return r.stderr;
  };
  /** Edits a file for the duration of `body`. */
  const editing = async (file: string, edit: (t: string) => string, body: () => Promise<void>) => {
    const was = await fs.readFile(file, "utf8");
    await fs.writeFile(file, edit(was));
    try {
      await body();
    } finally {
      await fs.writeFile(file, was);
    }
  };

  beforeAll(async () => {
    world = await startRemoteWorld();
    p = await makeProject(binDir as string);
    // Preflight wants the scope ids the credentials were issued for, as production needs them.
    p.env = { ...p.env, ...worldEnv(world, STACK) };
    await initWorldStack(p, world, STACK);
    // The release manager's key, outside the project; listed for baselines and checkpoints.
    keyFile = await releaseManagerKey(p.dir, "rm@example.com", [
      "glidepath-audit",
      "glidepath-baseline",
      "glidepath-deploy",
    ]);
  });

  afterAll(async () => {
    await world?.close();
  });

  it("refuses production without a fresh PASS for exactly these bytes, admits one with it, and anchors the audit log", async () => {
    // 1. No baseline, no evidence: the gate FAILs (exit 1) and `up` is refused.
    const failed = await run(["gate", "--json"]);
    expect(failed.code, failed.stderr).toBe(1);
    const fv = JSON.parse(failed.stdout) as {
      result: string;
      checks: { id: string; status: string; detail: string }[];
    };
    expect(fv.result).toBe("FAIL");
    const status = Object.fromEntries(fv.checks.map((c) => [c.id, c.status]));
    expect(status, failed.stdout).toEqual({
      config: "PASS",
      preflight: "PASS",
      reproducible: "PASS",
      wasm: "PASS",
      baseline: "FAIL",
      evidence: "FAIL",
      "rolling-back": "PASS",
      health: "PASS",
    });
    expect(fv.checks.find((c) => c.id === "evidence")?.detail).toContain("glidepath evidence capture");
    await refused("GP_GATE_FAILED");

    // 2. A generated, accepted baseline and this build's evidence: PASS, and `up` is admitted.
    expect((await run(["baseline", "generate"])).code).toBe(0);
    const accept = await run(["baseline", "accept", "--key", keyFile]);
    expect(accept.code, accept.stderr).toBe(0);
    const bundles = await stackBundles(p.dir, STACK);
    expect(Object.keys(bundles)).toEqual(["gamma@v1", "wasm:edge", "wix@v1"]);
    const id = buildId(bundles);
    const shot = await writeEvidenceFixture(evidenceManifestFile(p.dir, STACK, id, backend()), id, bundles);
    const passed = await run(["gate", "--json"]);
    expect(passed.code, passed.stderr).toBe(0);
    const pv = JSON.parse(passed.stdout) as {
      result: string;
      evidence: Record<string, string>;
      verdictDigest: string;
    };
    expect(pv).toMatchObject({ result: "PASS", evidence: { "wix/index": shot } });
    // The release manager approves that verdict; the approval admits one update.
    const approved = await run(["approve", "--key", keyFile, "--expires", "1h"]);
    expect(approved.code, approved.stderr).toBe(0);
    const up = await run(["up"]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(writes()).toBeGreaterThan(0);

    // The audit log holds both verdicts, the approval made and consumed, and the deploy; the
    // update's message anchors the head as it was before the update.
    const log1 = await entries();
    // The refused `up` after the FAIL is there too, with its code.
    expect(log1.map((e) => [e.kind, e.data.result ?? e.data.action ?? e.data.code])).toEqual([
      ["gate", "FAIL"],
      ["refusal", "GP_GATE_FAILED"],
      ["gate", "PASS"],
      ["approval", "created"],
      ["approval", "consumed"],
      ["deploy", "succeeded"],
    ]);
    expect(log1[5]?.data).toMatchObject({
      stack: STACK,
      approval: { signer: "rm@example.com", nonce: log1[4]?.data.nonce },
      buildId: id,
      bundles,
      verdictDigest: pv.verdictDigest,
      deployLogDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    // The deploy log of the release: the gate's checks, the signer, the update; history --build
    // joins it with the audit entry that records its digest.
    const joined = await run(["history", "--build", id, "--json"]);
    expect(joined.code, joined.stderr).toBe(0);
    const { build: record, problems } = JSON.parse(joined.stdout) as {
      build: {
        deployLogs: { file: string; digest: string; recorded: boolean }[];
        missingDeployLogs: unknown[];
      };
      problems: string[];
    };
    expect(problems).toEqual([]);
    expect(record.deployLogs).toEqual([
      expect.objectContaining({ digest: log1[5]?.data.deployLogDigest, recorded: true }),
    ]);
    expect(record.missingDeployLogs).toEqual([]);
    const deployLog = await fs.readFile(record.deployLogs[0]?.file as string, "utf8");
    for (const part of ["## gate", "PASS evidence:", '"signer": "rm@example.com"', '"result": "succeeded"'])
      expect(deployLog).toContain(part);
    const env = world.env(STACK);
    for (const k of ["CLOUDFLARE_API_TOKEN", "WIX_API_KEY", "GAMMA_TOKEN", "PULUMI_CONFIG_PASSPHRASE"])
      expect(deployLog).not.toContain(env[k]);
    const [latest] = await p.history(STACK);
    expect(latest?.message).toMatch(/ audit=4:[0-9a-f]{16}$/);
    const verified = await run(["audit", "verify", "--json"]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ anchors: 1, findings: [] });

    // Cutting the log's last lines (below the anchored head) is caught through the history.
    const bytes = await fs.readFile(log());
    const lines = bytes.toString("utf8").split("\n");
    await fs.writeFile(log(), `${lines.slice(0, 1).join("\n")}\n`);
    const cut = await run(["audit", "verify", "--json"]);
    expect(cut.code).toBe(1);
    expect(
      (JSON.parse(cut.stdout) as { findings: { kind: string }[] }).findings.map((f) => f.kind),
    ).toContain("truncated");
    await fs.writeFile(log(), bytes);

    // 3. One byte of a bundle changed after the PASS.
    await editing(
      path.join(p.dir, "apps/wix/v1/index.html"),
      (t) => `${t} `,
      async () => {
        expect(await refused("GP_GATE_BUNDLE_CHANGED")).toMatch(
          /wix@v1 changed \(gate passed [0-9a-f]{12}…, now [0-9a-f]{12}…\)/,
        );
      },
    );

    // 4. The baseline edited by hand: admission sees another policy, the gate names the file.
    const baseline = path.join(p.dir, "baselines", STACK, "deploy_baseline.env");
    await editing(
      baseline,
      (t) => t.replace("TOLERANCE_PCT=10", "TOLERANCE_PCT=90"),
      async () => {
        await refused("GP_GATE_POLICY_CHANGED");
        const g = await run(["gate", "--json"]);
        expect(g.code).toBe(1);
        const detail = (JSON.parse(g.stdout) as typeof fv).checks.find((c) => c.id === "baseline")?.detail;
        expect(detail).toContain(
          "baselines/production/deploy_baseline.env is not accepted: the baseline was changed after it was accepted",
        );
      },
    );

    // 5. A PASS older than its TTL (the verdict dated two hours back).
    expect((await run(["gate"])).code).toBe(0);
    const verdictFile = gateVerdictFile(p.dir, STACK, backend());
    const v = JSON.parse(await fs.readFile(verdictFile, "utf8")) as { time: string };
    v.time = new Date(Date.now() - 7200_000).toISOString();
    await fs.writeFile(verdictFile, JSON.stringify(v));
    expect(await refused("GP_GATE_STALE")).toMatch(/older than its TTL of 3600s/);
  }, 600_000);
});

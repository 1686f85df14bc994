/**
 * Deploy authority on a production-shaped stack (Cloudflare KV, Wix CMS, Gamma fakes), through
 * the real engine: without the release manager's approval neither `glidepath up` nor a raw
 * `pulumi up` changes anything; with one, the driver's update runs the production policy pack
 * (started through its executable shim) and succeeds, and the approval is consumed; the same
 * approval again is refused. The policy pack is also run on its own against a probe program, to
 * show it enforces without the program's check. The gate verdict is a fixture here (what
 * `glidepath gate` writes).
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { approvalFile } from "../../automation/lib/approval/inputs";
import { auditFile } from "../../automation/lib/audit/log-file";
import { gateVerdictFile } from "../../automation/lib/gate/verdict";
import { type RemoteWorld, startRemoteWorld } from "../../bench/helpers/remote-world";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { admittedVerdict, writeVerdict } from "../helpers/approval";
import { initWorldStack, releaseManagerKey } from "../helpers/production-stack";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
const STACK = "production";
const RM = "rm@example.com";

describe.skipIf(binDir === undefined)(
  "deploy authority: production needs the release manager's approval",
  () => {
    let world: RemoteWorld;
    let p: ScratchProject;
    let keyFile: string;
    const backend = () => p.env.PULUMI_BACKEND_URL as string;
    const writesNow = () => world.cf.writes.length + world.wix.writes.length + world.gamma.writes.length;
    const exported = async () => {
      const r = await p.pulumi(["stack", "export", "--stack", STACK]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout).deployment;
    };
    const auditLines = async () =>
      (await fs.readFile(auditFile(p.dir, STACK, backend()), "utf8"))
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { kind: string; data: Record<string, unknown> });
    const refused = (r: { code: number; stderr: string }, code: string) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`error[${code}]`);
    };

    beforeAll(async () => {
      world = await startRemoteWorld();
      p = await makeProject(binDir as string);
      p.env = { ...p.env, ...world.env(STACK) };
      await initWorldStack(p, world, STACK);
      // The release manager's key lives outside the project; only its public line is committed.
      keyFile = await releaseManagerKey(p.dir, RM, ["glidepath-audit", "glidepath-deploy"]);
    });

    afterAll(async () => {
      await world?.close();
    });

    it("without an approval: glidepath up is refused (GP_APPROVAL_MISSING, exit 2) and a raw pulumi up fails in preview; nothing changes", async () => {
      // The gate passed (its verdict is a fixture here): what is missing is the approval.
      await writeVerdict(gateVerdictFile(p.dir, STACK, backend()), await admittedVerdict(p.dir, STACK));
      const before = await exported();
      const r = await p.glidepath(["up", "--stack", STACK]);
      refused(r, "GP_APPROVAL_MISSING");
      // The attempt changed nothing, and the audit log says who tried and why it was refused.
      expect((await auditLines()).at(-1)).toMatchObject({
        kind: "refusal",
        data: { stack: STACK, command: "up", code: "GP_APPROVAL_MISSING" },
      });
      expect(r.stderr).toContain(approvalFile(p.dir, STACK, p.env));
      expect(r.stderr).toContain("glidepath approve --stack production");
      const raw = await p.pulumi(["up", "--yes", "--stack", STACK]);
      expect(raw.code).not.toBe(0);
      expect(`${raw.stdout}${raw.stderr}`).toContain("GP_APPROVAL_MISSING");
      expect(`${raw.stdout}${raw.stderr}`).toMatch(/preview failed|error: /);
      expect(await exported()).toEqual(before);
      expect(writesNow()).toBe(0);
    });

    it("approve signs the current verdict's bundles; the policy pack, run by the engine through its shim, enforces them on its own", async () => {
      const verdict = await admittedVerdict(p.dir, STACK);
      const bundles = verdict.bundles;
      await writeVerdict(gateVerdictFile(p.dir, STACK, backend()), verdict);
      const r = await p.glidepath([
        "approve",
        "--stack",
        STACK,
        "--key",
        keyFile,
        "--expires",
        "1h",
        "--json",
      ]);
      expect(r.code, r.stderr).toBe(0);
      const made = JSON.parse(r.stdout);
      expect(made).toMatchObject({
        stack: STACK,
        signer: RM,
        bundles,
        file: approvalFile(p.dir, STACK, p.env),
      });
      const created = (await auditLines()).filter((e) => e.kind === "approval");
      expect(created.map((e) => e.data)).toEqual([
        expect.objectContaining({ action: "created", nonce: made.nonce, signer: RM, stack: STACK }),
      ]);
      // The private key never lands in the project, the state or the output.
      const pem = (await fs.readFile(keyFile, "utf8")).split("\n")[1] as string;
      expect(`${r.stdout}${r.stderr}${await fs.readFile(made.file, "utf8")}`).not.toContain(pem);

      // A probe program (one release build, digest from the environment) on a stack named
      // production, previewed with only the policy pack between it and the approval.
      const probe = await fs.mkdtemp(path.join(os.tmpdir(), "gp-pack-probe-"));
      await fs.writeFile(
        path.join(probe, "Pulumi.yaml"),
        stringify({
          name: "pack-probe",
          runtime: "nodejs",
          main: "index.js",
          plugins: {
            providers: [{ name: "command", path: path.join(p.dir, "providers/command-plugin/bin") }],
          },
        }),
      );
      await fs.writeFile(path.join(probe, "package.json"), '{"name":"pack-probe","version":"0.0.0"}\n');
      await fs.writeFile(
        path.join(probe, "index.js"),
        'const { local } = require("@pulumi/command");\nnew local.Command("build:wix@v1", { create: "true", triggers: [process.env.PROBE_DIGEST] });\n',
      );
      await fs.symlink(path.join(p.dir, "node_modules"), path.join(probe, "node_modules"));
      const inProbe = async (args: string[], digest: string) => {
        const env = p.env;
        p.env = { ...env, PROBE_DIGEST: digest };
        try {
          return await p.pulumi(["--cwd", probe, ...args]);
        } finally {
          p.env = env;
        }
      };
      expect((await inProbe(["stack", "init", STACK], "")).code).toBe(0);
      const pack = path.join(p.dir, "policy", "run-pack.sh");
      const preview = (digest: string) =>
        inProbe(["preview", "--stack", STACK, "--policy-pack", pack], digest);
      const other = await preview("f".repeat(64));
      expect(other.code).not.toBe(0);
      expect(other.stdout).toContain("glidepath-production@v0.1.0");
      expect(other.stdout).toContain("[mandatory]  production-approval");
      expect(other.stdout).toContain("GP_APPROVAL_DIGEST_MISMATCH");
      const same = await preview(bundles["wix@v1"] as string);
      expect(same.code, same.stdout).toBe(0);
      expect(same.stdout).toContain("glidepath-production@v0.1.0");
    });

    it("with the approval, glidepath up runs the policy pack and updates production, then consumes the nonce", async () => {
      const r = await p.glidepath(["up", "--stack", STACK]);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain("glidepath-production@v0.1.0");
      expect(writesNow()).toBeGreaterThan(0);
      const approvals = (await auditLines()).filter((e) => e.kind === "approval").map((e) => e.data.action);
      expect(approvals).toEqual(["created", "consumed"]);
    });

    it("the same approval again: glidepath up is refused (GP_APPROVAL_REUSED) and a raw pulumi up fails in preview; nothing changes", async () => {
      const before = await exported();
      const writes = writesNow();
      refused(await p.glidepath(["up", "--stack", STACK]), "GP_APPROVAL_REUSED");
      expect((await auditLines()).at(-1)).toMatchObject({
        kind: "refusal",
        data: { command: "up", code: "GP_APPROVAL_REUSED" },
      });
      const raw = await p.pulumi(["up", "--yes", "--stack", STACK]);
      expect(raw.code).not.toBe(0);
      expect(`${raw.stdout}${raw.stderr}`).toContain("GP_APPROVAL_REUSED");
      expect(await exported()).toEqual(before);
      expect(writesNow()).toBe(writes);
    });
  },
);

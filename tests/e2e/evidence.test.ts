/**
 * Evidence of the local stack's build, end to end: after a real `up`, `glidepath evidence
 * capture` screenshots the key flows from the stack's edge (the Worker on workerd) in headless
 * Chromium and writes the manifest for the build id of the stack's bundles (and refuses a build
 * the edge does not serve); a deploy log and two
 * audit entries of that build are recorded; `glidepath history --build` joins them with the
 * evidence, and reports a deploy log edited afterwards.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit, auditDir, auditFile } from "../../automation/lib/audit/log-file";
import { findChromium } from "../../automation/lib/demo/panel-shot";
import { writeDeployLog } from "../../automation/lib/deploy-log/log-file";
import { verifyEvidence } from "../../automation/lib/evidence/manifest";
import { decodePng } from "../../automation/lib/evidence/png";
import { stackBundles } from "../../automation/lib/gate/bundles";
import { buildId, evidenceManifestFile } from "../../automation/lib/gate/verdict";
import { type Background, makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { readEdgeRecord } from "../../edge/host/discovery";
import { filesUnder, scanTexts } from "../helpers/secret-scan";
import { waitFor } from "./helpers/edge";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
const chromium = findChromium();
if (chromium === undefined && process.env.CI)
  throw new Error("Debian's chromium package is missing (scripts/bootstrap.sh installs it)");
const PASSPHRASE = "glidepath-local-development";

describe.skipIf(binDir === undefined || chromium === undefined)(
  "evidence and history --build on the local stack",
  () => {
    let p: ScratchProject;
    let edgeProc: Background;
    let id: string;
    let backendUrl: string;

    beforeAll(async () => {
      p = await makeProject(binDir as string);
      backendUrl = p.env.PULUMI_BACKEND_URL as string;
      expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
      const up = await p.glidepath(["up", "--stack", "local"]);
      expect(up.code, up.stderr).toBe(0);
      edgeProc = p.start(["edge", "--stack", "local", "--port", "0"]);
      await waitFor("the edge's discovery record", () => readEdgeRecord(p.dir, "local"));
      id = buildId(await stackBundles(p.dir, "local"));
    });

    afterAll(async () => {
      edgeProc?.child.kill("SIGTERM");
      await edgeProc?.done;
    });

    it("captures every key flow as a PNG whose SHA-256 the manifest records, with the fingerprint", async () => {
      const r = await p.glidepath(["evidence", "capture", "--stack", "local", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.buildId).toBe(id);
      const file = evidenceManifestFile(p.dir, "local", id, backendUrl);
      expect(doc.file).toBe(file);
      const v = await verifyEvidence(file, id);
      expect(v?.problems).toEqual([]);
      const m = v?.manifest as NonNullable<typeof v>["manifest"];
      expect(Object.keys(m.bundles)).toEqual(["gamma@v1", "wasm:edge", "wix@v1"]);
      expect(m.shots.map((s) => s.name)).toEqual(["wix/index", "wix/about", "wix/pricing", "panel"]);
      expect(m.fingerprint.browser).toMatch(/^chromium\/\d+\.\d+\.\d+\.\d+ linux-\w+ dpr1 fonts:/);
      expect(m.fingerprint.viewport).toEqual({ width: 1280, height: 900 });
      for (const s of m.shots) {
        const png = decodePng(await fs.readFile(`${file.slice(0, -"evidence.json".length)}${s.file}`));
        expect(png.width, s.name).toBe(1280);
        expect(png.height, s.name).toBeGreaterThanOrEqual(900);
      }
    });

    it("refuses to capture a build the edge does not serve (the config names wix@v2, not deployed): exit 2, nothing written", async () => {
      const stackFile = path.join(p.dir, "Pulumi.local.yaml");
      const before = await fs.readFile(stackFile, "utf8");
      await fs.writeFile(
        stackFile,
        before.replace(/version: v1\n(\s+)source: apps\/wix\/v1/, "version: v2\n$1source: apps/wix/v2"),
      );
      try {
        const other = buildId(await stackBundles(p.dir, "local"));
        expect(other).not.toBe(id);
        const r = await p.glidepath(["evidence", "capture", "--stack", "local"]);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain("GP_EVIDENCE_BUILD_MISMATCH");
        expect(r.stderr).toContain("served by wix@v1, which is not in this build");
        await expect(
          fs.stat(path.dirname(evidenceManifestFile(p.dir, "local", other, backendUrl))),
        ).rejects.toThrow("ENOENT");
      } finally {
        await fs.writeFile(stackFile, before);
      }
    });

    it("history --build joins the build's audit entries, deploy log and evidence; an edited deploy log is reported", async () => {
      const gate = await appendAudit(auditFile(p.dir, "local", backendUrl), {
        kind: "gate",
        data: { stack: "local", result: "PASS", buildId: id },
      });
      const log = await writeDeployLog({
        projectDir: p.dir,
        stack: "local",
        buildId: id,
        backendUrl,
        secrets: [PASSPHRASE],
        sections: [
          { title: "gate", body: { result: "PASS", auditSeq: gate.seq } },
          { title: "update", body: { updateVersion: 1, env: `PULUMI_CONFIG_PASSPHRASE=${PASSPHRASE}` } },
        ],
      });
      await appendAudit(auditFile(p.dir, "local", backendUrl), {
        kind: "deploy",
        data: {
          stack: "local",
          result: "succeeded",
          buildId: id,
          updateVersion: 1,
          deployLogDigest: log.digest,
        },
      });
      const r = await p.glidepath(["history", "--stack", "local", "--build", id, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.problems).toEqual([]);
      expect(doc.build.updates.map((u: { version: number }) => u.version)).toEqual([1]);
      expect(doc.build.audit).toMatchObject({ verified: true });
      expect(doc.build.audit.entries.map((e: { kind: string }) => e.kind)).toEqual(["gate", "deploy"]);
      expect(doc.build.deployLogs).toEqual([{ file: log.file, digest: log.digest, recorded: true }]);
      expect(doc.build.evidence.manifest.buildId).toBe(id);
      // The plain history is unchanged.
      const plain = await p.glidepath(["history", "--stack", "local", "--json"]);
      expect(JSON.parse(plain.stdout).history).toHaveLength(1);
      // Nothing written or printed holds the passphrase.
      expect(
        scanTexts(
          { ...(await filesUnder(auditDir(p.dir, "local", backendUrl))), transcript: p.transcript() },
          [PASSPHRASE],
        ),
      ).toEqual([]);
      // One character of the deploy log changed: the record no longer verifies.
      const text = await fs.readFile(log.file, "utf8");
      await fs.writeFile(log.file, text.replace("PASS", "PASs"));
      const edited = await p.glidepath(["history", "--stack", "local", "--build", id, "--json"]);
      expect(edited.code).toBe(1);
      expect(JSON.parse(edited.stdout).problems).toEqual([
        expect.stringMatching(
          /^deploy log: audit entry \d+ records digest [0-9a-f]{64}, no deploy log of the build has it$/,
        ),
      ]);
      expect(edited.stderr).toContain("GP_AUDIT_INVALID");
    });
  },
);

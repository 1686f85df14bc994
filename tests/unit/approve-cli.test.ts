/**
 * `glidepath approve`, in process through `main`: it signs the stack's current PASS verdict with
 * a listed key, writes the approval beside the verdict and records a `created` audit entry; it
 * writes nothing for a key the allowed signers do not list for glidepath-deploy, without a
 * passing verdict, or when the bundles changed after the gate.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stringify } from "yaml";
import { main } from "../../automation/cli";
import { approvalFile } from "../../automation/lib/approval/inputs";
import { approvalFileSchema, judgeApproval } from "../../automation/lib/approval/payload";
import { auditFile } from "../../automation/lib/audit/log-file";
import { stackBundles } from "../../automation/lib/gate/bundles";
import { gateVerdictFile } from "../../automation/lib/gate/verdict";
import { parseAllowedSigners } from "../../automation/lib/signing/allowed-signers";
import { allowedSignerLine } from "../../automation/lib/signing/keys";
import { passVerdict, writeVerdict } from "../helpers/approval";
import { newKey } from "../helpers/audit-log";
import { capture } from "../helpers/capture";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

async function project(namespaces = ["glidepath-audit", "glidepath-deploy"]) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-approve-cli-"));
  vi.stubEnv("PULUMI_BACKEND_URL", `file://${path.join(dir, "state")}`);
  vi.stubEnv("GLIDEPATH_APPROVAL_FILE", "");
  await fs.writeFile(path.join(dir, "Pulumi.yaml"), "name: glidepath\nruntime: nodejs\n");
  await fs.mkdir(path.join(dir, "apps/wix/v1"), { recursive: true });
  await fs.writeFile(path.join(dir, "apps/wix/v1/index.html"), "<p>v1</p>\n");
  await fs.writeFile(
    path.join(dir, "Pulumi.production.yaml"),
    stringify({
      config: {
        "glidepath:environment": "production",
        "glidepath:releases": { wix: { stable: { version: "v1", source: "apps/wix/v1" } } },
      },
    }),
  );
  const key = newKey();
  const keyFile = path.join(dir, "rm.pem");
  await fs.writeFile(keyFile, key.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  const line = allowedSignerLine("rm@example.com", key, namespaces);
  await fs.writeFile(path.join(dir, "glidepath.allowed_signers"), `${line}\n`);
  const verdict = passVerdict("production", await stackBundles(dir, "production"));
  const argv = ["approve", "--stack", "production", "--key", keyFile, "--project-dir", dir];
  return { dir, keyFile, verdict, argv, signers: parseAllowedSigners(line, "signers") };
}

describe("glidepath approve", () => {
  it("signs the current PASS verdict: the file beside it, a created audit entry, and a payload that admits the update", async () => {
    const { dir, verdict, argv, signers } = await project();
    await writeVerdict(gateVerdictFile(dir, "production"), verdict);
    const io = capture();
    expect(await main([...argv, "--expires", "30m", "--json"]), io.err()).toBe(0);
    const doc = JSON.parse(io.out());
    const file = approvalFile(dir, "production");
    expect(doc).toMatchObject({
      file,
      stack: "production",
      signer: "rm@example.com",
      bundles: verdict.bundles,
    });
    const approval = approvalFileSchema.parse(JSON.parse(await fs.readFile(file, "utf8")));
    expect(new Date(approval.payload.expires).getTime() - new Date(approval.payload.issued).getTime()).toBe(
      30 * 60_000,
    );
    const j = judgeApproval({
      approval,
      file,
      stack: "production",
      verdict,
      signers,
      consumed: new Set(),
      bundles: verdict.bundles,
      now: new Date(),
    });
    expect(j.ok).toBe(true);
    const entries = (await fs.readFile(auditFile(dir, "production"), "utf8")).trim().split("\n");
    expect(entries.map((l) => JSON.parse(l).data)).toEqual([
      expect.objectContaining({ action: "created", nonce: doc.nonce, stack: "production" }),
    ]);
  });

  it("refuses a key not listed for glidepath-deploy (GP_APPROVAL_UNLISTED_SIGNER, exit 2) and writes nothing", async () => {
    const { dir, verdict, argv } = await project(["glidepath-audit"]);
    await writeVerdict(gateVerdictFile(dir, "production"), verdict);
    const io = capture();
    expect(await main(argv)).toBe(2);
    expect(io.err()).toContain("error[GP_APPROVAL_UNLISTED_SIGNER]");
    await expect(fs.stat(approvalFile(dir, "production"))).rejects.toThrow();
  });

  it("refuses without a passing verdict, and when the bundles changed after the gate; writes nothing", async () => {
    const { dir, verdict, argv } = await project();
    const io = capture();
    expect(await main(argv)).toBe(2);
    expect(io.err()).toContain("error[GP_ARG_INVALID]");
    expect(io.err()).toContain("glidepath gate --stack production");
    await writeVerdict(gateVerdictFile(dir, "production"), { ...verdict, result: "FAIL" });
    expect(await main(argv)).toBe(2);
    expect(io.err()).toContain("the gate verdict is FAIL");
    await writeVerdict(gateVerdictFile(dir, "production"), verdict);
    await fs.writeFile(path.join(dir, "apps/wix/v1/index.html"), "<p>changed</p>\n");
    expect(await main(argv)).toBe(2);
    expect(io.err()).toContain("error[GP_APPROVAL_DIGEST_MISMATCH]");
    expect(io.err()).toContain("bundle wix@v1");
    await expect(fs.stat(approvalFile(dir, "production"))).rejects.toThrow();
    await expect(fs.stat(auditFile(dir, "production"))).rejects.toThrow();
  });
});

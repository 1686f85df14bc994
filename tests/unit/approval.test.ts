/**
 * Deploy approvals: the payload, its SSHSIG signature (namespace glidepath-deploy, verifiable by
 * `ssh-keygen -Y verify`), and each refusal code of the one judgement the driver, the program
 * and the policy pack share; plus what the policy pack reads from resources and the audit log.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { approvalRecord, consumedNonces } from "../../automation/lib/approval/consumed";
import {
  APPROVAL_SCHEMA,
  type Approval,
  approvalMessage,
  DEPLOY_NAMESPACE,
  type JudgeInput,
  judgeApproval,
  makeApproval,
} from "../../automation/lib/approval/payload";
import { bundlesOfResources, stackOfResources } from "../../automation/lib/approval/resources";
import { appendAudit } from "../../automation/lib/audit/log-file";
import { verdictDigest } from "../../automation/lib/gate/verdict";
import { parseAllowedSigners } from "../../automation/lib/signing/allowed-signers";
import { allowedSignerLine } from "../../automation/lib/signing/keys";
import { sshsigSign } from "../../automation/lib/signing/sshsig";
import { digestDir, digestDirSync } from "../../providers/targets/bundle";
import { passVerdict } from "../helpers/approval";
import { newKey } from "../helpers/audit-log";

const STACK = "production";
const RM = "rm@example.com";
const BOTH = ["glidepath-audit", DEPLOY_NAMESPACE];
const NOW = new Date("2026-12-02T10:00:00.000Z");
const HOUR = 3_600_000;
const bundles = { "wix@v1": "1".repeat(64), "gamma@v1": "2".repeat(64), "wasm:edge": "3".repeat(64) };
const verdict = passVerdict(STACK, bundles, NOW);
const key = newKey();
const signers = parseAllowedSigners(allowedSignerLine(RM, key, BOTH), "glidepath.allowed_signers");

const approve = (over: Partial<Parameters<typeof makeApproval>[0]> = {}): Approval =>
  makeApproval({ stack: STACK, verdict, signer: RM, key, validMs: 2 * HOUR, now: NOW, ...over });
const judge = (approval: unknown, over: Partial<JudgeInput> = {}) =>
  judgeApproval({
    approval,
    file: "/state/.glidepath-audit/production/approval.json",
    stack: STACK,
    verdict,
    signers,
    consumed: new Set(),
    bundles: { "wix@v1": bundles["wix@v1"], "gamma@v1": bundles["gamma@v1"] },
    now: new Date(NOW.getTime() + 60_000),
    ...over,
  });
const codeOf = (j: ReturnType<typeof judge>) => (j.ok ? "ok" : j.code);

describe("approval payload", () => {
  it("signs the canonical JSON of a schema-tagged payload naming stack, bundles, verdict digest, expiry and nonce", () => {
    const a = approve();
    expect(a.payload).toEqual({
      schema: APPROVAL_SCHEMA,
      stack: STACK,
      bundles,
      verdictDigest: verdictDigest(verdict),
      signer: RM,
      issued: NOW.toISOString(),
      expires: new Date(NOW.getTime() + 2 * HOUR).toISOString(),
      nonce: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const msg = approvalMessage(a.payload);
    expect(JSON.parse(msg)).toEqual(a.payload);
    expect(Object.keys(JSON.parse(msg))).toEqual(Object.keys(a.payload).sort());
    expect(msg).not.toMatch(/\s/);
    expect(approve().payload.nonce).not.toBe(a.payload.nonce);
    const j = judge(a);
    expect(j.ok, JSON.stringify(j)).toBe(true);
  });

  it.skipIf(!hasSshKeygen())(
    "verifies with ssh-keygen -Y verify -n glidepath-deploy against the allowed-signers file",
    async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-approval-"));
      const a = approve();
      await fs.writeFile(path.join(dir, "signers"), `${allowedSignerLine(RM, key, BOTH)}\n`);
      await fs.writeFile(path.join(dir, "payload"), approvalMessage(a.payload));
      const armored = `-----BEGIN SSH SIGNATURE-----\n${a.signature.match(/.{1,70}/g)?.join("\n")}\n-----END SSH SIGNATURE-----\n`;
      await fs.writeFile(path.join(dir, "payload.sig"), armored);
      const verify = (ns: string) =>
        execFileSync(
          "sh",
          ["-c", `ssh-keygen -Y verify -f signers -I ${RM} -n ${ns} -s payload.sig < payload`],
          { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
        ).toString();
      expect(verify(DEPLOY_NAMESPACE)).toContain(`Good "${DEPLOY_NAMESPACE}" signature for ${RM}`);
      expect(() => verify("glidepath-audit")).toThrow();
    },
  );
});

describe("approval refusals (each its own code)", () => {
  it("GP_APPROVAL_MISSING without an approval file", () => {
    const j = judge(undefined);
    expect(j).toMatchObject({ ok: false, code: "GP_APPROVAL_MISSING" });
    expect(j.ok ? "" : j.message).toContain("approval.json");
    expect(j.ok ? "" : j.fix).toContain("glidepath approve --stack production");
  });

  it("GP_APPROVAL_INVALID for a file that is no approval, and for a payload edited after signing", () => {
    expect(codeOf(judge("not json"))).toBe("GP_APPROVAL_INVALID");
    expect(codeOf(judge({ payload: {}, signature: "x" }))).toBe("GP_APPROVAL_INVALID");
    const a = approve();
    const edited = {
      ...a,
      payload: { ...a.payload, expires: new Date(NOW.getTime() + 20 * HOUR).toISOString() },
    };
    const j = judge(edited);
    expect(codeOf(j)).toBe("GP_APPROVAL_INVALID");
    expect(j.ok ? "" : j.message).toMatch(/does not verify over its payload/);
    expect(codeOf(judge({ ...a, signature: "AAAA" }))).toBe("GP_APPROVAL_INVALID");
  });

  it("GP_APPROVAL_UNLISTED_SIGNER for another key, another principal, and a key restricted to glidepath-audit", () => {
    const intruder = newKey();
    expect(codeOf(judge(approve({ key: intruder })))).toBe("GP_APPROVAL_UNLISTED_SIGNER");
    expect(codeOf(judge(approve({ signer: "dev@example.com" })))).toBe("GP_APPROVAL_UNLISTED_SIGNER");
    const auditOnly = parseAllowedSigners(allowedSignerLine(RM, key, ["glidepath-audit"]), "signers");
    const j = judge(approve(), { signers: auditOnly });
    expect(codeOf(j)).toBe("GP_APPROVAL_UNLISTED_SIGNER");
    expect(j.ok ? "" : j.message).toContain('may not sign namespace "glidepath-deploy"');
  });

  it("GP_APPROVAL_NAMESPACE for a valid signature made for another namespace (git, glidepath-audit)", () => {
    for (const namespace of ["git", "glidepath-audit"]) {
      const j = judge(approve({ namespace }));
      expect(codeOf(j)).toBe("GP_APPROVAL_NAMESPACE");
      expect(j.ok ? "" : j.message).toContain(`namespace "${namespace}"`);
    }
  });

  it("GP_APPROVAL_DIGEST_MISMATCH for another stack, verdict, verdict bundles, or a deployed bundle it does not name", () => {
    expect(codeOf(judge(approve({ stack: "staging" })))).toBe("GP_APPROVAL_DIGEST_MISMATCH");
    const newer = passVerdict(STACK, bundles, new Date(NOW.getTime() + 1000));
    expect(codeOf(judge(approve(), { verdict: newer }))).toBe("GP_APPROVAL_DIGEST_MISMATCH");
    expect(codeOf(judge(approve(), { verdict: undefined }))).toBe("GP_APPROVAL_DIGEST_MISMATCH");
    const other = judge(approve(), { bundles: { "wix@v1": "9".repeat(64) } });
    expect(codeOf(other)).toBe("GP_APPROVAL_DIGEST_MISMATCH");
    expect(other.ok ? "" : other.message).toContain("bundle wix@v1 is 9999999999999999…");
    const unnamed = judge(approve(), { bundles: { ...bundles, "wix@v2": "4".repeat(64) } });
    expect(unnamed.ok ? "" : unnamed.message).toContain("wix@v2");
    // A rollback to a subset of what was approved is still admitted.
    expect(codeOf(judge(approve(), { bundles: { "wix@v1": bundles["wix@v1"] } }))).toBe("ok");
  });

  it("GP_APPROVAL_EXPIRED past its expiry, for a ramp that outlasts it, and for a key not valid when it was issued", () => {
    const a = approve();
    expect(codeOf(judge(a, { now: new Date(NOW.getTime() + 2 * HOUR) }))).toBe("GP_APPROVAL_EXPIRED");
    expect(codeOf(judge(a, { lastsMs: 3 * HOUR }))).toBe("GP_APPROVAL_EXPIRED");
    expect(codeOf(judge(a, { lastsMs: HOUR }))).toBe("ok");
    const lapsed = parseAllowedSigners(
      allowedSignerLine(RM, key, BOTH).replace(" ssh-ed25519", ',valid-before="20261201Z" ssh-ed25519'),
      "signers",
    );
    expect(codeOf(judge(a, { signers: lapsed }))).toBe("GP_APPROVAL_EXPIRED");
  });

  it("GP_APPROVAL_REUSED once its nonce is consumed", () => {
    const a = approve();
    expect(codeOf(judge(a, { consumed: new Set([a.payload.nonce]) }))).toBe("GP_APPROVAL_REUSED");
    expect(codeOf(judge(a, { consumed: new Set(["0".repeat(32)]) }))).toBe("ok");
  });

  it("a signature over the payload with the right namespace but by ssh-keygen's format verifies the same (one signer path)", () => {
    const a = approve();
    const resigned = { ...a, signature: sshsigSign(approvalMessage(a.payload), DEPLOY_NAMESPACE, key) };
    expect(codeOf(judge(resigned))).toBe("ok");
  });
});

describe("what the checks read", () => {
  it("consumed nonces come from the stack's audit log (created entries do not count)", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-approval-log-"));
    const file = path.join(dir, ".verification_audit.log");
    const used = approve();
    const fresh = approve();
    await appendAudit(file, approvalRecord(used, "created"));
    await appendAudit(file, approvalRecord(fresh, "created"));
    await appendAudit(file, approvalRecord(used, "consumed"));
    const consumed = consumedNonces(await fs.readFile(file), STACK);
    expect([...consumed]).toEqual([used.payload.nonce]);
    expect(consumedNonces(await fs.readFile(file), "staging").size).toBe(0);
  });

  it("the policy pack reads the stack from URNs and each release's source digest from its build's trigger", () => {
    const res = [
      {
        type: "pulumi:pulumi:Stack",
        name: "glidepath-production",
        urn: "urn:pulumi:production::glidepath::pulumi:pulumi:Stack::glidepath-production",
        props: {},
      },
      {
        type: "command:local:Command",
        name: "build:wix@v1",
        urn: "urn:pulumi:production::glidepath::x::build:wix@v1",
        props: { triggers: ["1".repeat(64)] },
      },
      {
        type: "command:local:Command",
        name: "build:gamma@v2",
        urn: "urn:pulumi:production::glidepath::x::build:gamma@v2",
        props: {},
      },
      {
        type: "command:local:Command",
        name: "wasm-build",
        urn: "urn:pulumi:production::glidepath::x::wasm-build",
        props: { triggers: ["5".repeat(64)] },
      },
      {
        // The real name of a deliverable's build: its digest is the driver's to compare.
        type: "command:local:Command",
        name: "build:wasm:edge",
        urn: "urn:pulumi:production::glidepath::x::build:wasm:edge",
        props: { triggers: ["6".repeat(64)] },
      },
    ];
    expect(stackOfResources(res)).toBe("production");
    expect(bundlesOfResources(res)).toEqual({ "wix@v1": "1".repeat(64), "gamma@v2": "unknown" });
  });

  it("the program's synchronous source digest is the release digest", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-digest-"));
    await fs.mkdir(path.join(dir, "a/b"), { recursive: true });
    await fs.writeFile(path.join(dir, "index.html"), "<p>v1</p>");
    await fs.writeFile(path.join(dir, "a/b/c.txt"), "c");
    await fs.symlink("index.html", path.join(dir, "a/home"));
    expect(digestDirSync(dir)).toBe((await digestDir(dir)).digest);
  });
});

function hasSshKeygen(): boolean {
  try {
    execFileSync("ssh-keygen", ["-?"], { stdio: "ignore" });
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

/**
 * Checkpoint signatures: SSHSIG Ed25519 made with node:crypto, checked against an OpenSSH
 * allowed_signers file; interchangeable with `ssh-keygen -Y sign/verify` both ways.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_NAMESPACE } from "../../automation/lib/audit/checkpoint";
import {
  findSigner,
  matchPattern,
  parseAllowedSigners,
  parseSshTime,
} from "../../automation/lib/signing/allowed-signers";
import { allowedSignerLine } from "../../automation/lib/signing/keys";
import { ed25519Blob, fingerprintOf } from "../../automation/lib/signing/ssh-wire";
import { sshsigSign, sshsigVerify } from "../../automation/lib/signing/sshsig";
import { newKey } from "../helpers/audit-log";

const sshKeygen = (() => {
  try {
    execFileSync("ssh-keygen", ["-?"], { stdio: "ignore" });
    return true;
  } catch (e) {
    return (e as { status?: number }).status !== undefined && (e as NodeJS.ErrnoException).code !== "ENOENT";
  }
})();
if (!sshKeygen) console.log("skipping the ssh-keygen interop tests: ssh-keygen is not installed");

const armor = (b64: string) =>
  `-----BEGIN SSH SIGNATURE-----\n${b64.match(/.{1,70}/g)?.join("\n")}\n-----END SSH SIGNATURE-----\n`;

describe("sshsig", () => {
  const key = newKey();
  const msg = "glidepath audit checkpoint v1\nstack production\nseq 3\nhash 00\n";

  it("verifies its own signature and names the key and namespace; fails on another message", () => {
    const sig = sshsigSign(msg, AUDIT_NAMESPACE, key);
    expect(sshsigVerify(sig, msg)).toMatchObject({
      valid: true,
      namespace: AUDIT_NAMESPACE,
      fingerprint: fingerprintOf(ed25519Blob(key)),
    });
    expect(sshsigVerify(sig, `${msg}x`)?.valid).toBe(false);
    expect(sshsigVerify("not a signature", msg)).toBeUndefined();
  });

  it.skipIf(!sshKeygen)(
    "ssh-keygen -Y verify accepts a glidepath signature, for its namespace only",
    async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-sshsig-"));
      await fs.writeFile(path.join(dir, "allowed"), `${allowedSignerLine("rm@example.com", key)}\n`);
      await fs.writeFile(path.join(dir, "msg"), msg);
      await fs.writeFile(path.join(dir, "msg.sig"), armor(sshsigSign(msg, AUDIT_NAMESPACE, key)));
      const verify = (ns: string) =>
        execFileSync(
          "ssh-keygen",
          ["-Y", "verify", "-f", "allowed", "-I", "rm@example.com", "-n", ns, "-s", "msg.sig"],
          { cwd: dir, input: msg, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] },
        );
      expect(verify(AUDIT_NAMESPACE)).toContain('Good "glidepath-audit" signature for rm@example.com');
      expect(() => verify("git")).toThrow();
    },
  );

  it.skipIf(!sshKeygen)(
    "a signature made by ssh-keygen -Y sign (a key in ssh-agent or on a token) verifies here",
    async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-sshsig-"));
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "rm", "-f", path.join(dir, "k")]);
      await fs.writeFile(path.join(dir, "msg"), msg);
      execFileSync("ssh-keygen", ["-q", "-Y", "sign", "-f", "k", "-n", AUDIT_NAMESPACE, "msg"], { cwd: dir });
      const sig = await fs.readFile(path.join(dir, "msg.sig"), "utf8");
      const got = sshsigVerify(sig, msg);
      expect(got).toMatchObject({ valid: true, namespace: AUDIT_NAMESPACE });
      const printed = execFileSync("ssh-keygen", ["-l", "-f", path.join(dir, "k.pub")], { encoding: "utf8" });
      expect(printed).toContain(got?.fingerprint);
      const pub = (await fs.readFile(path.join(dir, "k.pub"), "utf8")).trim();
      const signers = parseAllowedSigners(`rm@example.com ${pub}\n`, "allowed");
      expect(signers[0]?.fingerprint).toBe(got?.fingerprint);
    },
  );
});

describe("allowed signers", () => {
  const key = newKey();
  const fp = fingerprintOf(ed25519Blob(key));
  const claim = {
    fingerprint: fp,
    principal: "rm@example.com",
    namespace: AUDIT_NAMESPACE,
    at: new Date("2026-06-01T00:00:00Z"),
  };

  it("reads principals, namespaces and the validity window; skips comments and blank lines", () => {
    const text = `# release managers\n\nrm@example.com,*@ops.example.com namespaces="glidepath-audit,glidepath-deploy",valid-after="20260101",valid-before="20270101Z" ${allowedSignerLine("x", key).split(" ").slice(2).join(" ")} a comment\n`;
    const [s] = parseAllowedSigners(text, "allowed");
    expect(s).toMatchObject({
      principals: ["rm@example.com", "*@ops.example.com"],
      namespaces: ["glidepath-audit", "glidepath-deploy"],
      validAfter: new Date("2026-01-01T00:00:00Z"),
      validBefore: new Date("2027-01-01T00:00:00Z"),
      fingerprint: fp,
      line: 3,
    });
    expect(findSigner([s as never], claim).status).toBe("ok");
    expect(findSigner([s as never], { ...claim, principal: "a@ops.example.com" }).status).toBe("ok");
    expect(findSigner([s as never], { ...claim, namespace: "git" }).status).toBe("unlisted");
    expect(findSigner([s as never], { ...claim, at: new Date("2027-01-01T00:00:00Z") }).status).toBe(
      "expired",
    );
    expect(findSigner([s as never], { ...claim, fingerprint: "SHA256:other" }).status).toBe("unlisted");
  });

  it("refuses what it does not support rather than ignore it, naming the file and line", () => {
    const keyPart = allowedSignerLine("x", key).split(" ").slice(2).join(" ");
    expect(() => parseAllowedSigners(`rm cert-authority ${keyPart}\n`, "allowed")).toThrow(
      /allowed:1: option "cert-authority" is not supported/,
    );
    expect(() => parseAllowedSigners("rm ssh-rsa AAAAB3Nza\n", "allowed")).toThrow(
      /allowed:1: key type "ssh-rsa" is not supported/,
    );
    expect(() => parseAllowedSigners(`rm valid-after="2026" ${keyPart}\n`, "allowed")).toThrow(
      /valid-after="2026" is not YYYYMMDD/,
    );
    expect(() => parseAllowedSigners("rm ssh-ed25519 AAAA\n", "allowed")).toThrow(/the key does not decode/);
  });

  it("times and patterns", () => {
    expect(parseSshTime("20261201")).toEqual(new Date("2026-12-01T00:00:00Z"));
    expect(parseSshTime("202612011230Z")).toEqual(new Date("2026-12-01T12:30:00Z"));
    expect(parseSshTime("20261301")).toBeUndefined();
    expect(matchPattern("*@example.com", "rm@example.com")).toBe(true);
    expect(matchPattern("rm@example.com", "rm@exampleXcom")).toBe(false);
  });
});

/**
 * `glidepath audit verify|repair|checkpoint|signer`, in process through `main`: exit 1 naming the
 * line and the kind, one JSON document with --json, repair of a torn line only, checkpoints signed
 * by a listed key only.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../automation/cli";
import { appendAudit } from "../../automation/lib/audit/log-file";
import { allowedSignerLine } from "../../automation/lib/signing/keys";
import { newKey } from "../helpers/audit-log";
import { capture } from "../helpers/capture";

afterEach(() => {
  vi.restoreAllMocks();
});

async function setup(entries = 5) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-audit-cli-"));
  const log = path.join(dir, ".verification_audit.log");
  for (let i = 1; i <= entries; i++) await appendAudit(log, { kind: "deploy", data: { i } });
  const key = newKey();
  const keyFile = path.join(dir, "rm.pem");
  await fs.writeFile(keyFile, key.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  const signers = path.join(dir, "allowed_signers");
  await fs.writeFile(signers, `${allowedSignerLine("rm@example.com", key)}\n`);
  const base = ["--stack", "production", "--log", log, "--allowed-signers", signers, "--no-history"];
  return { dir, log, keyFile, signers, base };
}

describe("glidepath audit", () => {
  it("verify: exit 0 on a clean log; with --json one document", async () => {
    const { base } = await setup();
    const io = capture();
    expect(await main(["audit", "verify", ...base, "--json"])).toBe(0);
    const doc = JSON.parse(io.out());
    expect(doc).toMatchObject({ ok: true, lines: 5, head: { seq: 5 }, findings: [], unsigned: 5 });
  });

  it("verify: exit 1 naming the line and the kind of a flipped byte", async () => {
    const { base, log } = await setup();
    const bytes = await fs.readFile(log);
    const second = bytes.indexOf(10) + 1;
    bytes[bytes.indexOf('"i":2', second) + 4] = 0x37; // "i":2 → "i":7
    await fs.writeFile(log, bytes);
    const io = capture();
    expect(await main(["audit", "verify", ...base])).toBe(1);
    expect(io.out()).toContain("line 2: hash-mismatch: the line changed after entry 3");
    expect(io.err()).toContain("error[GP_AUDIT_INVALID]");
    expect(io.err()).toContain("line 2: hash-mismatch");
  });

  it("verify: a log cut short fails against an anchor (--anchor stands in for the stack history)", async () => {
    const { base, log } = await setup();
    const io = capture();
    expect(await main(["audit", "verify", ...base, "--json"])).toBe(0);
    const head = JSON.parse(io.out()).head;
    const lines = (await fs.readFile(log, "utf8")).split("\n");
    await fs.writeFile(log, `${lines.slice(0, 3).join("\n")}\n`);
    vi.restoreAllMocks();
    const io2 = capture();
    expect(
      await main([
        "audit",
        "verify",
        ...base,
        "--anchor",
        `audit=${head.seq}:${head.hash.slice(0, 16)}`,
        "--json",
      ]),
    ).toBe(1);
    expect(JSON.parse(io2.out()).findings).toEqual([expect.objectContaining({ line: 4, kind: "truncated" })]);
  });

  it("repair: removes a torn last line and records it; refuses a log without one (exit 2)", async () => {
    const { base, log } = await setup();
    const io = capture();
    expect(await main(["audit", "repair", ...base])).toBe(2);
    expect(io.err()).toContain("error[GP_AUDIT_REPAIR_REFUSED]");
    await fs.appendFile(log, '{"seq":6,"pr');
    expect(await main(["audit", "verify", ...base])).toBe(1);
    expect(io.out()).toContain("line 6: torn-last-line");
    expect(io.err()).toContain("audit repair --stack production");
    expect(await main(["audit", "repair", ...base])).toBe(0);
    expect(io.out()).toContain("removed the torn line 6 (12 bytes");
    expect(await main(["audit", "verify", ...base])).toBe(0);
  });

  it("checkpoint: signs the head with a listed key; the log then verifies with a signed checkpoint", async () => {
    const { base, keyFile } = await setup();
    const io = capture();
    expect(
      await main(["audit", "checkpoint", ...base, "--key", keyFile, "--principal", "rm@example.com"]),
    ).toBe(0);
    expect(await main(["audit", "verify", ...base, "--json"])).toBe(0);
    const doc = JSON.parse(io.out().slice(io.out().indexOf("{")));
    expect(doc).toMatchObject({ ok: true, checkpoints: 1, signedThrough: 5, unsigned: 1 });
    // The key material never shows.
    const pem = await fs.readFile(keyFile, "utf8");
    expect(io.out() + io.err()).not.toContain(pem.split("\n")[1]);
  });

  it("checkpoint: refuses an unlisted key, and a log that does not verify (nothing written)", async () => {
    const { base, log, dir } = await setup();
    const other = path.join(dir, "other.pem");
    await fs.writeFile(other, newKey().export({ type: "pkcs8", format: "pem" }));
    const io = capture();
    expect(
      await main(["audit", "checkpoint", ...base, "--key", other, "--principal", "rm@example.com"]),
    ).toBe(2);
    expect(io.err()).toContain("error[GP_SIGNING_KEY_INVALID]");
    const lines = (await fs.readFile(log, "utf8")).split("\n");
    const swapped = `${[lines[0], lines[2], lines[1], lines[3], lines[4]].join("\n")}\n`;
    await fs.writeFile(log, swapped);
    const { keyFile } = { keyFile: path.join(dir, "rm.pem") };
    expect(
      await main(["audit", "checkpoint", ...base, "--key", keyFile, "--principal", "rm@example.com"]),
    ).toBe(1);
    expect(io.err()).toContain("line 2: reordered");
    expect(await fs.readFile(log, "utf8")).toBe(swapped);
  });

  it("signer: prints the allowed-signers line of a key; a missing or bad key is exit 2 naming the file", async () => {
    const { keyFile, dir } = await setup(0);
    const io = capture();
    expect(await main(["audit", "signer", "--key", keyFile, "--principal", "rm@example.com"])).toBe(0);
    expect(io.out()).toMatch(
      /^rm@example.com namespaces="glidepath-audit" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA\S+\n$/,
    );
    await fs.writeFile(path.join(dir, "bad.pem"), "not a key");
    expect(await main(["audit", "signer", "--key", path.join(dir, "bad.pem"), "--principal", "x"])).toBe(2);
    expect(io.err()).toContain(
      `error[GP_SIGNING_KEY_INVALID]: signing key ${path.join(dir, "bad.pem")} is not a PEM private key`,
    );
  });

  it("bad input: an anchor that is not audit=<seq>:<hex> is exit 2 naming the flag", async () => {
    const { base } = await setup(0);
    const io = capture();
    expect(await main(["audit", "verify", ...base, "--anchor", "42"])).toBe(2);
    expect(io.err()).toContain("--anchor");
  });
});

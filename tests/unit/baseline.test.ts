/**
 * The deploy baseline: parse/format round trip, strict parsing, each drift finding kind
 * (beyond tolerance with the file and both values, near, removed, added), the absolute floor,
 * and signed acceptance (accepted bytes pass; a hand edit, another namespace, an unlisted key fail).
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { acceptanceProblem, signAcceptance } from "../../automation/lib/baseline/accept";
import { allowedMove, compareBaseline, describeDrift } from "../../automation/lib/baseline/compare";
import {
  type Baseline,
  countFile,
  formatBaseline,
  parseBaseline,
} from "../../automation/lib/baseline/format";
import { policyDigestOf } from "../../automation/lib/gate/policy";
import { parseAllowedSigners } from "../../automation/lib/signing/allowed-signers";
import { allowedSignerLine } from "../../automation/lib/signing/keys";
import { sshsigSign } from "../../automation/lib/signing/sshsig";

const base: Baseline = {
  stack: "production",
  tolerancePct: 10,
  minAbsLines: 2,
  minAbsBytes: 50,
  files: { "wix/index.html": { lines: 100, bytes: 4000 }, "gamma/index.html": { lines: 10, bytes: 300 } },
};

describe("baseline format", () => {
  it("round-trips and counts lines as newlines plus an unterminated last line", () => {
    expect(parseBaseline(formatBaseline(base))).toEqual({
      ...base,
      files: {
        "gamma/index.html": base.files["gamma/index.html"],
        "wix/index.html": base.files["wix/index.html"],
      },
    });
    expect(countFile(Buffer.from("a\nb\n"))).toEqual({ lines: 2, bytes: 4 });
    expect(countFile(Buffer.from("a\nb"))).toEqual({ lines: 2, bytes: 3 });
    expect(countFile(Buffer.from(""))).toEqual({ lines: 0, bytes: 0 });
  });

  it("refuses unknown keys, duplicates, bad numbers, and a FILE line added by hand (file-set digest)", () => {
    const text = formatBaseline(base);
    expect(() => parseBaseline(`${text}COLOR=red\n`)).toThrow(/unknown key COLOR/);
    expect(() => parseBaseline(`${text}STACK=x\n`)).toThrow(/STACK is set twice/);
    expect(() => parseBaseline(text.replace("TOLERANCE_PCT=10", "TOLERANCE_PCT=ten"))).toThrow(
      /TOLERANCE_PCT=ten/,
    );
    expect(() => parseBaseline(`${text}FILE=wix/new.js lines=1 bytes=2\n`)).toThrow(/FILESET_SHA256/);
    expect(() =>
      parseBaseline(text.replace("FILE=wix/index.html lines=100", "FILE=wix/index.html lines=x")),
    ).toThrow(/line \d+: expected FILE=/);
  });
});

describe("compareBaseline", () => {
  it("fails +11% lines at 10% tolerance naming the file, the baseline and the new value; +9% passes with a warning", () => {
    const over = compareBaseline(base, { ...base.files, "wix/index.html": { lines: 111, bytes: 4000 } });
    expect(over.ok).toBe(false);
    expect(over.findings).toEqual([
      { kind: "drift", file: "wix/index.html", metric: "lines", baseline: 100, current: 111, allowed: 10 },
    ]);
    expect(describeDrift(over.findings[0] as never)).toBe(
      "wix/index.html: lines 100 → 111 (+11.0%), beyond the tolerance of ±10",
    );
    const near = compareBaseline(base, { ...base.files, "wix/index.html": { lines: 91, bytes: 4000 } });
    expect(near.ok).toBe(true);
    expect(near.findings.map((f) => f.kind)).toEqual(["near"]);
  });

  it("judges both directions and uses the absolute floor on small files", () => {
    expect(allowedMove(10, 10, 2)).toBe(2);
    expect(compareBaseline(base, { ...base.files, "gamma/index.html": { lines: 12, bytes: 300 } }).ok).toBe(
      true,
    );
    const shrunk = compareBaseline(base, { ...base.files, "gamma/index.html": { lines: 10, bytes: 240 } });
    expect(shrunk.findings).toEqual([
      { kind: "drift", file: "gamma/index.html", metric: "bytes", baseline: 300, current: 240, allowed: 50 },
    ]);
  });

  it("fails a watched file removed and a new file added", () => {
    const r = compareBaseline(base, {
      "wix/index.html": base.files["wix/index.html"] as never,
      "wix/app.js": { lines: 1, bytes: 1 },
    });
    expect(r.ok).toBe(false);
    expect(r.findings).toEqual([
      { kind: "removed", file: "gamma/index.html" },
      { kind: "added", file: "wix/app.js" },
    ]);
  });
});

describe("baseline acceptance", () => {
  const { privateKey } = generateKeyPairSync("ed25519");
  const other = generateKeyPairSync("ed25519").privateKey;
  const signers = parseAllowedSigners(
    allowedSignerLine("rm@example.com", privateKey, ["glidepath-baseline"]),
    "signers",
  );
  const bytes = Buffer.from(formatBaseline(base));

  it("covers the exact bytes it signed", () => {
    expect(
      acceptanceProblem(
        signAcceptance("production", bytes, "rm@example.com", privateKey),
        "production",
        bytes,
        signers,
      ),
    ).toBeUndefined();
  });

  it("fails a hand edit after acceptance, another stack, an unlisted key, another namespace", () => {
    const ok = signAcceptance("production", bytes, "rm@example.com", privateKey);
    const edited = Buffer.from(bytes.toString().replace("lines=100", "lines=101"));
    expect(acceptanceProblem(ok, "production", edited, signers)).toMatch(/changed after it was accepted/);
    expect(acceptanceProblem(ok, "staging", bytes, signers)).toMatch(/for stack "production"/);
    const unlisted = signAcceptance("production", bytes, "rm@example.com", other);
    expect(acceptanceProblem(unlisted, "production", bytes, signers)).toMatch(/is not listed/);
    const wrongNs = { ...ok, signature: sshsigSign("x", "glidepath-audit", privateKey) };
    expect(acceptanceProblem(wrongNs, "production", bytes, signers)).toMatch(/namespace "glidepath-audit"/);
  });

  it("the policy digest moves with the baseline's bytes and the gate's settings", () => {
    const p = policyDigestOf({ ttlSeconds: 3600 }, bytes);
    expect(policyDigestOf({ ttlSeconds: 3600 }, Buffer.from(`${bytes}\n`))).not.toBe(p);
    expect(policyDigestOf({ ttlSeconds: 60 }, bytes)).not.toBe(p);
    expect(policyDigestOf({ ttlSeconds: 3600 }, undefined)).not.toBe(p);
    expect(policyDigestOf({ ttlSeconds: 3600 }, bytes)).toBe(p);
  });
});

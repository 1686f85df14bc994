/**
 * The audit log's verifier over raw bytes: each kind of tampering is named with its line and a
 * stable kind, and a clean log verifies.
 */
import { describe, expect, it } from "vitest";
import { formatAnchor, parseAnchors } from "../../automation/lib/audit/anchor";
import { checkpointRecord } from "../../automation/lib/audit/checkpoint";
import { canonicalLine, EMPTY_HEAD, GENESIS, lineHash, nextEntry } from "../../automation/lib/audit/entry";
import { describeFinding, type VerifyOptions, verifyLog } from "../../automation/lib/audit/verify";
import { buildLog, newKey, STACK, signersFor } from "../helpers/audit-log";

const key = newKey();
const signers = signersFor(key);
const log = buildLog(42, { key, checkpointEvery: 10 });
const anchorAt = (seq: number, update = 7) =>
  parseAnchors(
    `glidepath up production: wix@v2 ${formatAnchor(log.heads[seq - 1] as never)}`,
    `stack history update ${update}`,
  );
const opts: VerifyOptions = { stack: STACK, signers };

const cat = (lines: Buffer[]) => Buffer.concat(lines);
const kinds = (bytes: Buffer, o: VerifyOptions = opts) =>
  verifyLog(bytes, o).findings.map((f) => [f.line, f.kind]);

describe("verifyLog", () => {
  it("a clean log with signed checkpoints verifies, and its head is the last line", () => {
    const r = verifyLog(log.bytes, { ...opts, anchors: anchorAt(42) });
    expect(r.findings).toEqual([]);
    expect(r).toMatchObject({
      ok: true,
      lines: 42,
      head: log.heads[41],
      checkpoints: 4,
      signedThrough: 39,
      anchors: 1,
    });
  });

  it("an empty log verifies with the genesis head", () => {
    expect(verifyLog(Buffer.alloc(0))).toMatchObject({ ok: true, lines: 0, head: { seq: 0, hash: GENESIS } });
  });

  it("fails on one flipped byte in line 17, naming line 17: hash-mismatch", () => {
    const bytes = Buffer.from(log.bytes);
    const at = cat(log.lines.slice(0, 16)).length + (log.lines[16] as Buffer).indexOf("step") + 1;
    bytes[at] = (bytes[at] as number) ^ 0x01; // "step" → "sxep": still valid JSON, still canonical
    const r = verifyLog(bytes, opts);
    expect(r.findings.map((f) => [f.line, f.kind])).toEqual([[17, "hash-mismatch"]]);
    expect(describeFinding(r.findings[0] as never)).toMatch(
      /^line 17: hash-mismatch: the line changed after entry 18 \(line 18\) was written/,
    );
  });

  it("fails on an altered prev field, naming the line that holds it", () => {
    const line = log.lines[16]?.toString() as string;
    const prev = JSON.parse(line).prev as string;
    const altered = line.replace(prev, `${prev[0] === "a" ? "b" : "a"}${prev.slice(1)}`);
    const lines = [...log.lines];
    lines[16] = Buffer.from(altered);
    // Line 17's own hash changed too, so entry 18 no longer matches it: both name line 17.
    expect(kinds(cat(lines))).toEqual([[17, "hash-mismatch"]]);
  });

  it("fails on a deleted line 17, naming line 17: sequence-gap 16→18", () => {
    const lines = log.lines.filter((_, i) => i !== 16);
    const r = verifyLog(cat(lines), opts);
    expect(r.findings.map((f) => [f.line, f.kind])).toEqual([[17, "sequence-gap"]]);
    expect(describeFinding(r.findings[0] as never)).toBe(
      "line 17: sequence-gap: seq 18 follows 16: entry 17 is missing (deleted)",
    );
  });

  it("fails on two deleted lines as one gap (the aws-cli#7054 class: two consecutive deletions)", () => {
    const lines = log.lines.filter((_, i) => i !== 16 && i !== 17);
    expect(verifyLog(cat(lines), opts).findings.map(describeFinding)).toEqual([
      "line 17: sequence-gap: seq 19 follows 16: entries 17–18 are missing (deleted)",
    ]);
  });

  it("fails on the first lines cut off, naming line 1", () => {
    expect(kinds(cat(log.lines.slice(3)))).toEqual([[1, "sequence-gap"]]);
  });

  it("fails on lines 17 and 18 swapped, naming line 17: reordered", () => {
    const lines = [...log.lines];
    [lines[16], lines[17]] = [lines[17] as Buffer, lines[16] as Buffer];
    const r = verifyLog(cat(lines), opts);
    expect(r.findings.map((f) => [f.line, f.kind])).toEqual([[17, "reordered"]]);
    expect(describeFinding(r.findings[0] as never)).toContain("lines 17 and 18 are swapped");
  });

  it("fails on a repeated line, naming the copy", () => {
    const lines = [...log.lines.slice(0, 17), log.lines[16] as Buffer, ...log.lines.slice(17)];
    expect(kinds(cat(lines))).toEqual([[18, "sequence-mismatch"]]);
  });

  it("a log whose last 3 lines were cut verifies as a chain, and fails against the stack history anchor: truncated", () => {
    const cut = cat(log.lines.slice(0, 39));
    expect(verifyLog(cut, opts).ok).toBe(true);
    const r = verifyLog(cut, { ...opts, anchors: [...anchorAt(20, 3), ...anchorAt(42, 9)] });
    expect(r.findings.map((f) => [f.line, f.kind])).toEqual([[40, "truncated"]]);
    expect(describeFinding(r.findings[0] as never)).toBe(
      "line 40: truncated: the log ends at seq 39 but stack history update 9 anchors seq 42: its last lines were cut off",
    );
  });

  it("fails on bytes after the last newline: trailing-bytes (the aws-cli#10324 class)", () => {
    const r = verifyLog(Buffer.concat([log.bytes, Buffer.from("garbage")]), opts);
    expect(r.findings.map((f) => [f.line, f.kind])).toEqual([[43, "trailing-bytes"]]);
    expect(r.torn).toBeUndefined();
    // A complete forged entry with the wrong seq after the end is not the start of entry 43 either.
    const forged = canonicalLine(nextEntry({ seq: 50, hash: GENESIS }, { kind: "deploy", data: {} }));
    expect(kinds(Buffer.concat([log.bytes, forged.subarray(0, forged.length - 1)]))).toEqual([
      [43, "trailing-bytes"],
    ]);
    // The newline of the last line replaced by a letter: the line no longer ends as JSON.
    const bytes = Buffer.from(log.bytes);
    bytes[bytes.length - 1] = 0x78;
    expect(kinds(bytes)).toEqual([[42, "trailing-bytes"]]);
  });

  it("reports a torn last line as such, wherever the write was cut, and only then offers it for repair", () => {
    const next = canonicalLine(nextEntry(log.heads[41] as never, { kind: "deploy", data: { to: "v3" } }));
    for (const cutAt of [1, 10, 30, 80, 120, next.length - 1]) {
      const bytes = Buffer.concat([log.bytes, next.subarray(0, cutAt)]);
      const r = verifyLog(bytes, opts);
      expect(
        r.findings.map((f) => [f.line, f.kind]),
        `cut at ${cutAt}`,
      ).toEqual([[43, "torn-last-line"]]);
      expect(r.torn).toEqual({ line: 43, offset: log.bytes.length, bytes: cutAt });
    }
    // A crash can also leave the file extended with zeros.
    const zeros = Buffer.concat([log.bytes, next.subarray(0, 20), Buffer.alloc(512)]);
    expect(kinds(zeros)).toEqual([[43, "torn-last-line"]]);
  });

  it("a torn last line under an anchor that covers it is not a crash: truncated too, and no repair", () => {
    const lines = cat(log.lines.slice(0, 41));
    const torn = Buffer.concat([lines, (log.lines[41] as Buffer).subarray(0, 50)]);
    const r = verifyLog(torn, { ...opts, anchors: anchorAt(42) });
    expect(r.findings.map((f) => [f.line, f.kind])).toEqual([
      [42, "torn-last-line"],
      [42, "truncated"],
    ]);
    expect(r.torn).toBeUndefined();
  });

  it("fails on a whole-log forgery signed by an unlisted key: unlisted-signer at each checkpoint", () => {
    const forged = buildLog(42, { key: newKey(), checkpointEvery: 10 });
    const r = verifyLog(forged.bytes, opts);
    expect(r.findings.map((f) => [f.line, f.kind])).toEqual([
      [10, "unlisted-signer"],
      [20, "unlisted-signer"],
      [30, "unlisted-signer"],
      [40, "unlisted-signer"],
    ]);
    expect(describeFinding(r.findings[0] as never)).toMatch(
      /^line 10: unlisted-signer: checkpoint signed by "rm@example.com": key SHA256:\S+ is not listed$/,
    );
  });

  it("a rewritten log fails against the stack history anchor: anchor-mismatch at the anchored line", () => {
    const forged = buildLog(42, { start: new Date("2026-12-02T00:00:00Z") });
    expect(kinds(forged.bytes, { anchors: anchorAt(25) })).toEqual([[25, "anchor-mismatch"]]);
  });

  it("fails on a checkpoint whose signature does not verify, or signs another head, or another stack", () => {
    const lines = [...log.lines];
    const cp = JSON.parse(lines[9]?.toString() as string);
    const sig = Buffer.from(cp.data.signature, "base64");
    sig[sig.length - 1] = (sig[sig.length - 1] as number) ^ 0x01;
    const rebuilt = (data: Record<string, unknown>, time: string = cp.time) => {
      const out = [...log.lines];
      out[9] = canonicalLine({ ...cp, time, data: { ...cp.data, ...data } });
      // Re-chain the rest as a forger would.
      let head = { seq: 10, hash: lineHash(out[9] as Buffer) };
      for (let i = 10; i < out.length; i++) {
        const e = JSON.parse(out[i]?.toString() as string);
        const rec =
          e.kind === "checkpoint"
            ? checkpointRecord(STACK, head, "rm@example.com", key, new Date(e.time))
            : e;
        out[i] = canonicalLine({ ...nextEntry(head, rec, new Date(e.time)) });
        head = { seq: i + 1, hash: lineHash(out[i] as Buffer) };
      }
      return cat(out);
    };
    expect(kinds(rebuilt({ signature: sig.toString("base64") }))).toEqual([[10, "signature-invalid"]]);
    expect(kinds(rebuilt({ seq: 8 }))).toEqual([[10, "checkpoint-mismatch"]]);
    // Re-dated: the entry's time alone, or with the signed time (the signature covers it).
    const later = "2026-12-01T09:00:00.000Z";
    expect(kinds(rebuilt({}, later))).toEqual([[10, "checkpoint-mismatch"]]);
    expect(kinds(rebuilt({ time: later }, later))).toEqual([[10, "signature-invalid"]]);
    expect(kinds(rebuilt({}), { ...opts, stack: "staging" })).toEqual([
      [10, "checkpoint-mismatch"],
      [20, "checkpoint-mismatch"],
      [30, "checkpoint-mismatch"],
      [40, "checkpoint-mismatch"],
    ]);
  });

  it("fails on a checkpoint made outside its key's valid-after/valid-before window (the CVE-2023-31439 class)", () => {
    const expired = signersFor(key, "rm@example.com", 'valid-before="20261201"');
    expect(kinds(log.bytes, { ...opts, signers: expired })[0]).toEqual([10, "signer-expired"]);
    const later = signersFor(key, "rm@example.com", 'valid-after="20270101"');
    expect(kinds(log.bytes, { ...opts, signers: later })[0]).toEqual([10, "signer-expired"]);
  });

  it("fails on a checkpoint by a key listed for another principal or namespace: unlisted-signer", () => {
    expect(kinds(log.bytes, { ...opts, signers: signersFor(key, "other@example.com") })[0]).toEqual([
      10,
      "unlisted-signer",
    ]);
    const gitOnly = signersFor(key, "rm@example.com").map((s) => ({ ...s, namespaces: ["git"] }));
    expect(kinds(log.bytes, { ...opts, signers: gitOnly })[0]).toEqual([10, "unlisted-signer"]);
  });

  it("fails on a line that is not a canonical entry: malformed", () => {
    const lines = [...log.lines];
    const e = JSON.parse(lines[4]?.toString() as string);
    lines[4] = Buffer.from(`${JSON.stringify(e, null, 1).replace(/\n/g, "")}\n`);
    expect(kinds(cat(lines))).toEqual([
      [5, "malformed"],
      [5, "hash-mismatch"],
    ]);
    lines[4] = Buffer.from('{"seq":5}\n');
    expect(kinds(cat(lines))[0]).toEqual([5, "malformed"]);
  });

  it("entry 1 must chain to the genesis", () => {
    const first = canonicalLine(nextEntry({ seq: 0, hash: "0".repeat(64) }, { kind: "gate", data: {} }));
    expect(kinds(first)).toEqual([[1, "hash-mismatch"]]);
    expect(verifyLog(canonicalLine(nextEntry(EMPTY_HEAD, { kind: "gate", data: {} }))).ok).toBe(true);
  });
});

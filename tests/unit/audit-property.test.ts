/**
 * Property: any single-byte change anywhere in the log is reported at the line that holds the
 * byte. The head is anchored (as every production update's message anchors it), which is what
 * covers the last line: no later entry records its hash.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatAnchor, parseAnchors } from "../../automation/lib/audit/anchor";
import { verifyLog } from "../../automation/lib/audit/verify";
import { type BuiltLog, buildLog, newKey, STACK, signersFor } from "../helpers/audit-log";

const key = newKey();
const signed = buildLog(12, { key, checkpointEvery: 5 });
const plain = buildLog(8);

function optsFor(log: BuiltLog) {
  const head = log.heads[log.heads.length - 1] as never;
  return {
    stack: STACK,
    signers: signersFor(key),
    anchors: parseAnchors(formatAnchor(head), "stack history update 4"),
  };
}

/** The 1-based line that holds byte `at` (its newline included). */
function lineOf(log: BuiltLog, at: number): number {
  let end = 0;
  for (let i = 0; i < log.lines.length; i++) {
    end += (log.lines[i] as Buffer).length;
    if (at < end) return i + 1;
  }
  throw new Error("past the end");
}

function flipped(log: BuiltLog, at: number, mask: number): Buffer {
  const bytes = Buffer.from(log.bytes);
  bytes[at] = (bytes[at] as number) ^ mask;
  return bytes;
}

describe("single-byte changes", () => {
  it("the unchanged logs verify", () => {
    expect(verifyLog(signed.bytes, optsFor(signed)).findings).toEqual([]);
    expect(verifyLog(plain.bytes, optsFor(plain)).findings).toEqual([]);
  });

  it("any single-byte change (checkpoints included) is reported, first at the line that holds the byte, and only there", () => {
    const log = signed;
    const opts = optsFor(log);
    fc.assert(
      fc.property(fc.nat({ max: log.bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, mask) => {
        const line = lineOf(log, at);
        const findings = verifyLog(flipped(log, at, mask), opts).findings;
        expect(findings.length).toBeGreaterThan(0);
        expect(findings[0]?.line).toBe(line);
        // A new newline splits the line in two; otherwise nothing is reported at any other line.
        if (((log.bytes[at] as number) ^ mask) !== 0x0a)
          expect(findings.every((f) => f.line === line)).toBe(true);
      }),
      { numRuns: 3000, seed: 15 },
    );
  });

  it("every byte of a log, each of its 8 one-bit flips, is reported at its line", () => {
    const log = plain;
    const opts = optsFor(log);
    for (let at = 0; at < log.bytes.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const line = lineOf(log, at);
        const findings = verifyLog(flipped(log, at, 1 << bit), opts).findings;
        const newline = ((log.bytes[at] as number) ^ (1 << bit)) === 0x0a;
        if (
          findings.length === 0 ||
          findings.some((f) => f.line !== line && !newline) ||
          findings[0]?.line !== line
        )
          throw new Error(`byte ${at} bit ${bit}: expected line ${line}, got ${JSON.stringify(findings)}`);
      }
    }
  });
});

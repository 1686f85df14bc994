/**
 * The sequence check of the audit log: which line holds which seq, and the findings where lines
 * are missing, swapped, repeated or out of place. It looks one or two lines ahead to name the
 * cause once (a deleted line is one gap, two swapped lines one `reordered`, a line whose seq was
 * altered one `sequence-mismatch`) rather than every line after it. Pure.
 */

/** A finding of the sequence check (0-based line index). */
export interface SequenceFinding {
  index: number;
  kind: "sequence-gap" | "sequence-mismatch" | "reordered";
  message: string;
}

/** What the sequence check concluded. */
export interface SequenceResult {
  /** seq → index of the line that holds it (or, for a damaged line, should). */
  lineOf: Map<number, number>;
  /** The last seq the log reaches (0 when empty). */
  last: number;
  findings: SequenceFinding[];
}

const range = (a: number, b: number) => (a === b ? `entry ${a} is` : `entries ${a}–${b} are`);

/**
 * Assigns seqs to lines.
 *
 * @param seqs - the seq of each line, undefined for a line that does not parse
 * @param spans - for a line that does not parse, how many entries it seems to hold (lines run
 *   together when a newline is lost) @default - 1 each
 */
export function checkSequence(
  seqs: readonly (number | undefined)[],
  spans: readonly number[] = [],
): SequenceResult {
  const lineOf = new Map<number, number>();
  const findings: SequenceFinding[] = [];
  let accepted = 0;
  for (let i = 0; i < seqs.length; i++) {
    const e = accepted + 1;
    const [s, s1, s2] = [seqs[i], seqs[i + 1], seqs[i + 2]];
    const last = i === seqs.length - 1;
    const line = i + 1;
    if (s === undefined) {
      // A line that does not parse (reported as malformed): it held e, or e and e + 1 run
      // together (a newline lost), or it was put there and the sequence goes on after it.
      if (s1 === e) continue;
      lineOf.set(e, i);
      accepted = e + Math.max((spans[i] ?? 1) - 1, s1 === e + 2 ? 1 : 0);
      continue;
    }
    if (s === e && lineOf.has(e)) {
      const first = (lineOf.get(e) as number) + 1;
      findings.push({ index: i, kind: "sequence-mismatch", message: `seq ${s} repeats line ${first}` });
      accepted = e;
    } else if (s === e) {
      lineOf.set(e, i);
      accepted = e;
    } else if (s === e + 1 && s1 === e && (s2 === undefined || s2 === e + 2)) {
      findings.push({
        index: i,
        kind: "reordered",
        message: `lines ${line} and ${line + 1} are swapped: line ${line} holds entry ${s}, line ${line + 1} entry ${e}`,
      });
      lineOf.set(e + 1, i);
      lineOf.set(e, i + 1);
      accepted = e + 1;
      i++;
    } else if (!last && s1 === e + 1) {
      findings.push({
        index: i,
        kind: "sequence-mismatch",
        message: `line ${line} holds seq ${s} where ${e} belongs`,
      });
      lineOf.set(e, i);
      accepted = e;
    } else if (!last && s1 === e) {
      findings.push({
        index: i,
        kind: "sequence-mismatch",
        message: `line ${line} (seq ${s}) does not belong here${s < e ? " (it repeats an earlier seq)" : ""}: the sequence goes on with entry ${e} at line ${line + 1}`,
      });
    } else if (s > e) {
      findings.push({
        index: i,
        kind: "sequence-gap",
        message: `seq ${s} follows ${e - 1}: ${range(e, s - 1)} missing (deleted)`,
      });
      lineOf.set(s, i);
      accepted = s;
    } else {
      findings.push({ index: i, kind: "sequence-mismatch", message: `seq ${s} goes back after ${e - 1}` });
      accepted = s;
    }
  }
  return { lineOf, last: accepted, findings };
}

/**
 * Drift against the baseline (pure): a watched file's lines or bytes that moved by more than
 * the tolerance, a watched file that is gone, a file that is not watched yet. A move is within
 * tolerance when `|new − old| ≤ max(old × TOLERANCE_PCT / 100, MIN_ABS_…)`, in either direction.
 */
import type { Baseline, FileCounts } from "./format";

/** One finding of {@link compareBaseline}. */
export type DriftFinding =
  | {
      kind: "drift";
      file: string;
      metric: "lines" | "bytes";
      baseline: number;
      current: number;
      allowed: number;
    }
  | { kind: "removed"; file: string }
  | { kind: "added"; file: string }
  /** Within tolerance but past half of it: reported, does not fail. */
  | {
      kind: "near";
      file: string;
      metric: "lines" | "bytes";
      baseline: number;
      current: number;
      allowed: number;
    };

/** The result of a comparison. */
export interface DriftResult {
  /** True when no finding fails (only `near` ones, or none). */
  ok: boolean;
  findings: DriftFinding[];
}

/**
 * How far a count may move: the percentage of the baseline value, and never less than the floor.
 *
 * @param baseline - the baseline value
 * @param pct - the percentage
 * @param floor - the absolute floor
 */
export function allowedMove(baseline: number, pct: number, floor: number): number {
  return Math.max(Math.floor((baseline * pct) / 100), floor);
}

/**
 * Compares the current counts with a baseline.
 *
 * @param baseline - the parsed baseline
 * @param current - watched file → counts, as the bundles are now
 */
export function compareBaseline(
  baseline: Baseline,
  current: Readonly<Record<string, FileCounts>>,
): DriftResult {
  const findings: DriftFinding[] = [];
  const names = [...new Set([...Object.keys(baseline.files), ...Object.keys(current)])].sort();
  for (const file of names) {
    const was = baseline.files[file];
    const now = current[file];
    if (was === undefined) findings.push({ kind: "added", file });
    else if (now === undefined) findings.push({ kind: "removed", file });
    else
      for (const metric of ["lines", "bytes"] as const) {
        const floor = metric === "lines" ? baseline.minAbsLines : baseline.minAbsBytes;
        const allowed = allowedMove(was[metric], baseline.tolerancePct, floor);
        const move = Math.abs(now[metric] - was[metric]);
        const f = { file, metric, baseline: was[metric], current: now[metric], allowed };
        if (move > allowed) findings.push({ kind: "drift", ...f });
        else if (move > 0 && move * 2 > allowed) findings.push({ kind: "near", ...f });
      }
  }
  return { ok: findings.every((f) => f.kind === "near"), findings };
}

/**
 * One finding in words: the file, the baseline value and the new one.
 *
 * @param f - the finding
 */
export function describeDrift(f: DriftFinding): string {
  switch (f.kind) {
    case "added":
      return `${f.file}: a new file the baseline does not watch`;
    case "removed":
      return `${f.file}: watched by the baseline, gone from the bundle`;
    default: {
      const pct =
        f.baseline === 0
          ? ""
          : ` (${f.current >= f.baseline ? "+" : ""}${(((f.current - f.baseline) / f.baseline) * 100).toFixed(1)}%)`;
      return `${f.file}: ${f.metric} ${f.baseline} → ${f.current}${pct}, ${f.kind === "drift" ? "beyond" : "near"} the tolerance of ±${f.allowed}`;
    }
  }
}

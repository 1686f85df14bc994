/**
 * The demo's step table (pure): per ramp step and app, the weight, the requests the edge
 * answered from each release during the step's bake window and the canary's observed share of
 * them, each release's SLO (the canary's over what the gate judged), and the gate's verdict.
 */

/** What the edge measured for one release over a window. */
export interface ReleaseFigures {
  /** Requests. */
  total: number;
  /** Good requests. */
  good: number;
  /** 100 × good / total (100 without requests). */
  score: number;
}

/** One row. */
export interface StepRow {
  /** The canary version of the ramp. */
  version: string;
  /** The stable version during the ramp. */
  stable: string;
  app: string;
  weight: number;
  /** The gate's verdict (`pass`, `fail`, `insufficient_traffic`). */
  verdict: string;
  /** Why it failed. */
  reason?: string;
  /** The canary over the bake window. */
  canaryFigures: ReleaseFigures;
  /** The stable release over the bake window. */
  stableFigures: ReleaseFigures;
  /** The canary over what the gate judged: the bake window and one sampling interval before it. */
  canaryJudged: ReleaseFigures;
}

/**
 * The canary's share of an app's requests in a row, in percent; null without requests.
 *
 * @param row - the row
 */
export function observedShare(row: StepRow): number | null {
  const all = row.canaryFigures.total + row.stableFigures.total;
  return all === 0 ? null : (100 * row.canaryFigures.total) / all;
}

function pct(n: number | null): string {
  return n === null ? "-" : `${n.toFixed(1)}%`;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => c.padEnd(widths[i] ?? 0))
    .join("  ")
    .trimEnd();
}

/**
 * The table as text.
 *
 * @param rows - the rows, in order
 */
export function renderStepTable(rows: readonly StepRow[]): string {
  const head = [
    "ramp",
    "app",
    "weight",
    "share",
    "canary req",
    "canary SLO",
    "stable req",
    "stable SLO",
    "verdict",
  ];
  const body = rows.map((r) => [
    `${r.stable}→${r.version}`,
    r.app,
    `${r.weight}%`,
    pct(observedShare(r)),
    String(r.canaryFigures.total),
    pct(r.canaryJudged.total ? r.canaryJudged.score : null),
    String(r.stableFigures.total),
    pct(r.stableFigures.total ? r.stableFigures.score : null),
    r.reason ? `${r.verdict} (${r.reason})` : r.verdict,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? "").length)));
  return [pad(head, widths), ...body.map((b) => pad(b, widths))].join("\n");
}

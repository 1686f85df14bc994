/**
 * The SLO gate of one step's bake window (pure). Two modes:
 *
 * - `threshold`: the first sample below `minSlo` fails the step.
 * - `burn-rate`: the error budget (100 − objective) burns over a long and a short window;
 *   the step fails when both burn faster than `maxBurnRate` (multi-window burn-rate alerting).
 *   Only samples with good/total counts take part.
 *
 * In both, `maxMisses` failed samples in a row fail the step closed, and a minimum-traffic
 * guard (`minRequests`) keeps a step with too little data from passing at the window's end.
 */
import type { SloSample } from "./sample";

/** Gate settings. */
export interface GateSpec {
  /** Minimum score (percent) per sample (threshold mode). */
  minSlo: number;
  /** Consecutive misses that fail the gate closed. */
  maxMisses: number;
  /** The judging mode. */
  mode: "threshold" | "burn-rate";
  /** Burn-rate settings (burn-rate mode). */
  burn: { objective: number; longWindowMs: number; shortWindowMs: number; maxBurnRate: number };
  /** Requests (Σ total) the window must see before a verdict; 0 disables the guard. */
  minRequests: number;
}

/** The gate's verdict so far. */
export type GateVerdict =
  | { status: "pending" }
  | { status: "pass"; samples: number; minScore: number | null }
  | { status: "fail"; reason: "below_min" | "misses" | "burn_rate"; detail: string }
  | { status: "insufficient_traffic"; requests: number; needed: number };

/** The window being judged (epoch ms). */
export interface GateWindow {
  startedAt: number;
  endsAt: number;
  now: number;
}

/** Count, misses, and the lowest and latest scores of samples (for progress and reports). */
export function summarizeSamples(samples: readonly SloSample[]): {
  count: number;
  misses: number;
  minScore: number | null;
  lastScore: number | null;
} {
  const scores = samples.flatMap((s) => (s.ok ? [s.score] : []));
  return {
    count: samples.length,
    misses: samples.length - scores.length,
    minScore: scores.length ? Math.min(...scores) : null,
    lastScore: scores.length ? (scores[scores.length - 1] as number) : null,
  };
}

/** Error-budget burn rate of the counted samples in [now − windowMs, now]; null without requests. */
export function burnRate(
  samples: readonly SloSample[],
  objective: number,
  now: number,
  windowMs: number,
): number | null {
  let bad = 0;
  let total = 0;
  for (const s of samples) {
    if (!s.ok || s.total === undefined || s.good === undefined || s.at < now - windowMs || s.at > now)
      continue;
    bad += s.total - s.good;
    total += s.total;
  }
  if (total === 0) return null;
  return bad / total / ((100 - objective) / 100);
}

/**
 * Judges a window's samples (oldest first).
 *
 * @param spec - the gate
 * @param samples - the samples so far
 * @param window - the window and the current time
 */
export function judgeGate(spec: GateSpec, samples: readonly SloSample[], window: GateWindow): GateVerdict {
  let streak = 0;
  const kinds: string[] = [];
  for (const s of samples) {
    if (s.ok) {
      streak = 0;
      kinds.length = 0;
      if (spec.mode === "threshold" && s.score < spec.minSlo) {
        return {
          status: "fail",
          reason: "below_min",
          detail: `sample ${s.score.toFixed(2)} < min ${spec.minSlo.toFixed(2)}`,
        };
      }
    } else {
      streak++;
      kinds.push(s.miss);
      if (streak >= spec.maxMisses) {
        return {
          status: "fail",
          reason: "misses",
          detail: `${streak} failed samples in a row (${kinds.join(", ")})`,
        };
      }
    }
  }
  if (spec.mode === "burn-rate") {
    const b = spec.burn;
    const long = burnRate(samples, b.objective, window.now, b.longWindowMs);
    const short = burnRate(samples, b.objective, window.now, b.shortWindowMs);
    if (long !== null && short !== null && long > b.maxBurnRate && short > b.maxBurnRate) {
      return {
        status: "fail",
        reason: "burn_rate",
        detail: `error budget burning at ${long.toFixed(1)}× (long) and ${short.toFixed(1)}× (short) > ${b.maxBurnRate}×`,
      };
    }
  }
  if (window.now < window.endsAt) return { status: "pending" };
  const ok = samples.filter((s) => s.ok);
  if (ok.length === 0)
    return { status: "fail", reason: "misses", detail: "no successful sample in the window" };
  const requests = ok.reduce((n, s) => n + (s.ok ? (s.total ?? 0) : 0), 0);
  if (spec.minRequests > 0 && requests < spec.minRequests) {
    return { status: "insufficient_traffic", requests, needed: spec.minRequests };
  }
  return { status: "pass", samples: samples.length, minScore: summarizeSamples(samples).minScore };
}

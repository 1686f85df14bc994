/**
 * The SLO gate of one step's bake window (pure). Two modes:
 *
 * - `threshold`: the first sample below `minSlo` fails the step.
 * - `burn-rate`: the error budget (100 − objective) burns over a long and a short window;
 *   the step fails when both burn faster than `maxBurnRate` (multi-window burn-rate alerting).
 *   Only samples with good/total counts take part; others still end a miss streak.
 *
 * In both, the gate fails closed on missing evidence:
 *
 * - misses in a row: `maxMisses` failed samples in a row fail the step at once (default 3);
 * - misses over the window: at the window's end, a share of failed samples above
 *   `maxMissRatio` fails it (default 0.25: a source failing every other sample never has 3 in
 *   a row, but half the window is blind);
 * - a window that ends without one usable sample fails;
 * - too little traffic: with counts (the edge, `{good,total}` bodies), a window that counted
 *   fewer than `minRequests` requests is `insufficient_traffic` (default 100; the driver holds
 *   the step up to `maxHolds` windows, then fails it). Score-only samples cannot be counted:
 *   their window's traffic is `unknown` ({@link SampleSummary.traffic}) and the guard does not
 *   apply. Defaults and their reasoning: `defaults.ts`.
 */
import type { OkSample, SloSample } from "./sample";

/** Burn-rate settings. */
export interface BurnSpec {
  /** SLO objective in percent; the error budget is 100 − objective. */
  objective: number;
  /** Long window (ms). */
  longWindowMs: number;
  /** Short window (ms). */
  shortWindowMs: number;
  /** Burn rate both windows must exceed to fail the gate, e.g. 14.4. */
  maxBurnRate: number;
}

/** The burn-rate settings `glidepath:rollout.burn` defaults to: 99.9, 1h, 5m, 14.4. */
export const DEFAULT_BURN: Readonly<BurnSpec> = {
  objective: 99.9,
  longWindowMs: 3_600_000,
  shortWindowMs: 300_000,
  maxBurnRate: 14.4,
};

/** Gate settings. */
export interface GateSpec {
  /** Minimum score (percent) per sample (threshold mode). */
  minSlo: number;
  /** Failed samples in a row that fail the gate closed at once. @default 3 */
  maxMisses: number;
  /**
   * The largest share (0–1) of failed samples a window may end with; above it the window fails
   * closed (`misses`). 1 turns the rule off.
   * @default DEFAULT_MAX_MISS_RATIO (0.25)
   */
  maxMissRatio: number;
  /** `threshold` (every sample ≥ minSlo) or `burn-rate` (error budget, needs good/total counts). */
  mode: "threshold" | "burn-rate";
  /** Burn-rate settings (burn-rate mode). @default DEFAULT_BURN (99.9, 1h, 5m, 14.4) */
  burn?: BurnSpec;
  /**
   * Requests (Σ total of the counted ok samples) the window must see before it may pass; 0
   * disables the guard. It applies only when the window holds samples with good/total counts:
   * a window of score-only samples has unknown traffic ({@link SampleSummary.traffic}).
   * @default DEFAULT_MIN_REQUESTS (100; the reasoning is in `defaults.ts`)
   */
  minRequests: number;
}

/** The gate's verdict so far. */
export type GateVerdict =
  /** The window runs and nothing failed yet. */
  | { status: "pending" }
  /** The window ended with every rule met; `minScore` is the lowest ok score. */
  | { status: "pass"; samples: number; minScore: number }
  | { status: "fail"; reason: "below_min" | "misses" | "burn_rate"; detail: string }
  /** The window ended with fewer requests than `minRequests`. */
  | { status: "insufficient_traffic"; requests: number; needed: number };

/** The window being judged (epoch ms). */
export interface GateWindow {
  /** Start of the window (kept for reports; the rules do not use it). */
  startedAt: number;
  /** End of the window: from `now ≥ endsAt` on, the verdict is final. */
  endsAt: number;
  /** The current time. */
  now: number;
}

/** Progress figures of a sequence of samples. */
export interface SampleSummary {
  /** Samples taken. */
  count: number;
  /** Failed samples among them. */
  misses: number;
  /** Lowest ok score, or null without one. */
  minScore: number | null;
  /** Latest ok score, or null without one. */
  lastScore: number | null;
  /** Requests the counted samples saw (Σ total); absent when no sample has counts. */
  requests?: number;
  /** Good requests among them (Σ good); absent when no sample has counts. */
  good?: number;
  /**
   * `counted` when at least one ok sample gave good/total counts, so the minimum-traffic guard
   * could judge the requests; `unknown` otherwise (a score-only source, or no ok sample): the
   * guard could not apply.
   */
  traffic: Traffic;
}

/** Whether a window's requests were counted (see {@link SampleSummary.traffic}). */
export type Traffic = "counted" | "unknown";

/**
 * Count, misses, and the lowest and latest scores of samples (for progress and reports).
 *
 * @param samples - samples, oldest first
 */
export function summarizeSamples(samples: readonly SloSample[]): SampleSummary {
  const scores = samples.flatMap((s) => (s.ok ? [s.score] : []));
  const summary: SampleSummary = {
    count: samples.length,
    misses: samples.length - scores.length,
    minScore: scores.length > 0 ? Math.min(...scores) : null,
    lastScore: scores.at(-1) ?? null,
    traffic: "unknown",
  };
  const withCounts = samples.filter(counted);
  if (withCounts.length > 0) {
    summary.requests = withCounts.reduce((n, s) => n + s.total, 0);
    summary.good = withCounts.reduce((n, s) => n + s.good, 0);
    summary.traffic = "counted";
  }
  return summary;
}

/** Whether an ok sample carries good/total counts. */
function counted(s: SloSample): s is OkSample & { good: number; total: number } {
  return s.ok && s.good !== undefined && s.total !== undefined;
}

/**
 * Error-budget burn rate of the counted samples with `at` in [now − windowMs, now]:
 * (Σ(total − good) / Σ total) / ((100 − objective) / 100).
 *
 * @param samples - samples; those without counts are ignored
 * @param objective - SLO objective (percent)
 * @param now - the window's end (epoch ms)
 * @param windowMs - the window's length (ms)
 * @returns the burn rate, or null when the window holds no requests
 */
export function burnRate(
  samples: readonly SloSample[],
  objective: number,
  now: number,
  windowMs: number,
): number | null {
  let bad = 0;
  let total = 0;
  for (const s of samples) {
    if (!counted(s) || s.at < now - windowMs || s.at > now) continue;
    bad += s.total - s.good;
    total += s.total;
  }
  if (total === 0) return null;
  const budget = (100 - objective) / 100;
  if (budget <= 0) return bad > 0 ? Number.POSITIVE_INFINITY : 0;
  return bad / total / budget;
}

/** A score for a message: two decimals, more when two decimals would hide the difference. */
function pct(score: number, min: number): [string, string] {
  const [a, b] = [score.toFixed(2), min.toFixed(2)];
  return a === b ? [String(score), String(min)] : [a, b];
}

/** Miss kinds with runs collapsed: `timeout ×3, error`. */
function kindsText(kinds: readonly string[]): string {
  const runs: [string, number][] = [];
  for (const k of kinds) {
    const last = runs.at(-1);
    if (last?.[0] === k) last[1]++;
    else runs.push([k, 1]);
  }
  return runs.map(([k, n]) => (n > 1 ? `${k} ×${n}` : k)).join(", ");
}

/** A share as a percentage beside its bound, with a decimal when whole percents would look equal. */
function shareText(share: number, max: number): [string, string] {
  for (const digits of [0, 1, 2]) {
    const [a, b] = [(100 * share).toFixed(digits), (100 * max).toFixed(digits)];
    if (a !== b) return [`${a}%`, `${b}%`];
  }
  return [`${100 * share}%`, `${100 * max}%`];
}

/**
 * Judges one app's samples of a step's bake window. Rules, in sample order:
 * a threshold-mode ok sample below `minSlo` fails (`below_min`); `maxMisses` misses in a row
 * fail closed (`misses`; an ok sample ends the streak). Then, in burn-rate mode, both windows
 * burning faster than `maxBurnRate` at `now` fail (`burn_rate`). Before `endsAt` the verdict is
 * otherwise `pending`. From `endsAt` on: no usable ok sample (in burn-rate mode, one with
 * counts) fails closed (`misses`); a share of failed samples above `maxMissRatio` fails closed
 * (`misses`, e.g. "2 of 4 samples failed (50% > 25%)"); with counted samples, fewer than
 * `minRequests` requests is `insufficient_traffic` (score-only samples: the guard does not
 * apply); else `pass`.
 *
 * @param spec - the gate
 * @param samples - the window's samples so far, oldest first
 * @param window - the window and the current time
 */
export function judgeGate(spec: GateSpec, samples: readonly SloSample[], window: GateWindow): GateVerdict {
  let kinds: string[] = [];
  let lastMiss = "";
  for (const s of samples) {
    if (s.ok) {
      kinds = [];
      if (spec.mode === "threshold" && s.score < spec.minSlo) {
        const [score, min] = pct(s.score, spec.minSlo);
        return { status: "fail", reason: "below_min", detail: `sample ${score} < min ${min}` };
      }
      continue;
    }
    kinds.push(s.miss);
    lastMiss = s.detail;
    if (kinds.length >= spec.maxMisses) {
      return {
        status: "fail",
        reason: "misses",
        detail: `${kinds.length} failed sample${kinds.length === 1 ? "" : "s"} in a row (${kindsText(kinds)}); last: ${lastMiss}`,
      };
    }
  }
  const burn = spec.burn ?? DEFAULT_BURN;
  if (spec.mode === "burn-rate") {
    const long = burnRate(samples, burn.objective, window.now, burn.longWindowMs);
    const short = burnRate(samples, burn.objective, window.now, burn.shortWindowMs);
    if (long !== null && short !== null && long > burn.maxBurnRate && short > burn.maxBurnRate) {
      return {
        status: "fail",
        reason: "burn_rate",
        detail: `error budget burning ${long.toFixed(1)}× (long) and ${short.toFixed(1)}× (short) > ${burn.maxBurnRate}×`,
      };
    }
  }
  if (window.now < window.endsAt) return { status: "pending" };
  const usable = samples.filter((s): s is OkSample => (spec.mode === "burn-rate" ? counted(s) : s.ok));
  if (usable.length === 0) {
    return {
      status: "fail",
      reason: "misses",
      detail:
        spec.mode === "burn-rate"
          ? "no sample with good/total counts in the window (burn-rate mode needs them)"
          : "no successful sample in the window",
    };
  }
  const failed = samples.length - samples.filter((s) => s.ok).length;
  if (failed / samples.length > spec.maxMissRatio) {
    const [share, max] = shareText(failed / samples.length, spec.maxMissRatio);
    return {
      status: "fail",
      reason: "misses",
      detail: `${failed} of ${samples.length} samples failed (${share} > ${max}); last: ${lastMiss}`,
    };
  }
  const withCounts = usable.filter(counted);
  const requests = withCounts.reduce((n, s) => n + s.total, 0);
  if (spec.minRequests > 0 && withCounts.length > 0 && requests < spec.minRequests) {
    return { status: "insufficient_traffic", requests, needed: spec.minRequests };
  }
  return { status: "pass", samples: samples.length, minScore: Math.min(...usable.map((s) => s.score)) };
}

/**
 * How long a ramp bakes, for the line `check` and `rollout` print before anything starts
 * (pure). Every step but the last bakes for the window, the last for the final window; each
 * step's `pulumi up` comes on top (seconds each on the local target).
 */

/** A ramp's steps and windows, as the plan holds them. */
export interface RampTiming {
  /** Canary weights, one per step. */
  steps: readonly number[];
  /** Bake window of every step but the last (ms). */
  windowMs: number;
  /** Bake window of the last step (ms). */
  finalWindowMs: number;
}

/**
 * The total bake time of a ramp (ms): `(steps − 1) × window + final window`; 0 without steps.
 *
 * @param t - the ramp's steps and windows
 */
export function rampBakeMs(t: RampTiming): number {
  if (t.steps.length === 0) return 0;
  return (t.steps.length - 1) * t.windowMs + t.finalWindowMs;
}

/**
 * A duration for people: `45m`, `1h 5m`, `6s`, `1m 30s`.
 *
 * @param ms - milliseconds
 */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const parts: [number, string][] = [
    [Math.floor(s / 3600), "h"],
    [Math.floor((s % 3600) / 60), "m"],
    [s % 60, "s"],
  ];
  const shown = parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`);
  return shown.length === 0 ? "0s" : shown.join(" ");
}

/**
 * The sentence: `4 steps bake for about 45m (3 × 10m, then 15m), plus one update per step`.
 *
 * @param t - the ramp's steps and windows
 */
export function rampDurationLine(t: RampTiming): string {
  const n = t.steps.length;
  const total = formatDuration(rampBakeMs(t));
  const breakdown =
    n <= 1
      ? formatDuration(t.finalWindowMs)
      : `${n - 1} × ${formatDuration(t.windowMs)}, then ${formatDuration(t.finalWindowMs)}`;
  return `${n} step${n === 1 ? "" : "s"} bake for about ${total} (${breakdown}), plus one update per step`;
}

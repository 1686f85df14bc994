/**
 * The local edge as an SLO source: each sample is one app's canary (or, without a canary,
 * stable) release over the requests the edge answered since the previous sample of that app,
 * as counts (`good`, `total`). Samples never overlap, so the gate's sums (minimum traffic,
 * burn rate) count each request once.
 */
import { httpSloSource } from "./http-source";
import type { SloSource } from "./sample";

/**
 * Where the first sample of an app starts: one interval before it. A bake's first sample is
 * taken as the bake opens, so what the gate judged for a step starts one interval before the
 * bake window (the canary's traffic since its route took effect).
 *
 * @param at - the first sample's time, or the bake's start (epoch ms)
 * @param intervalMs - the sampling interval
 */
export function lookBack(at: number, intervalMs: number): number {
  return at - intervalMs;
}

/** Options of {@link edgeSloSource}. */
export interface EdgeSloOptions {
  /** The edge's base URL, `http://127.0.0.1:<port>/`. */
  baseUrl: string;
  /** Per-request timeout (ms). */
  timeoutMs: number;
  /** The first sample of an app covers this much time before it (ms). */
  intervalMs: number;
  /** Clock. @default Date.now */
  now?: () => number;
}

/**
 * An edge SLO source.
 *
 * @param opts - where the edge is and how to sample it
 */
export function edgeSloSource(opts: EdgeSloOptions): SloSource {
  const now = opts.now ?? Date.now;
  const base = new URL(opts.baseUrl);
  const since = new Map<string, number>();
  return {
    describe: () => `edge ${base.origin}`,
    async sample(app, signal) {
      const until = now();
      const from = since.get(app) ?? lookBack(until, opts.intervalMs);
      const url = new URL("/_glidepath/slo", base);
      url.searchParams.set("app", app);
      url.searchParams.set("since", String(from));
      url.searchParams.set("until", String(until));
      const s = await httpSloSource({
        url: url.toString(),
        timeoutMs: opts.timeoutMs,
        now: () => until,
      }).sample(app, signal);
      if (s.ok) since.set(app, until);
      return s;
    },
  };
}

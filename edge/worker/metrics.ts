/**
 * The outcomes the edge served, kept in memory per app and release, and their SLO over a time
 * range (pure; the Worker owns one store per isolate). A request is bad when it is a server
 * error (5xx), a page the stable release serves but this release lost (`missing`), or slower
 * than the latency objective. Every other answer is good, so a visitor's typo (a 404 both
 * releases give) does not count against a release.
 */

/** One served request. */
export interface Outcome {
  /** When it was answered (epoch ms). */
  at: number;
  /** HTTP status sent. */
  status: number;
  /** Time spent in the edge (ms). */
  ms: number;
  /** A 404 for a path the app's stable release serves. */
  missing?: boolean;
  /** Recorded by the chaos endpoint, not by a request. */
  injected?: boolean;
}

/** The SLO of one release over a range. */
export interface SloFigures {
  /** Requests in the range. */
  total: number;
  /** Good requests in the range. */
  good: number;
  /** 100 × good / total; 100 with no requests (no evidence either way: see `enough`). */
  score: number;
  /** Whether `total` reached the minimum-traffic guard. */
  enough: boolean;
  /** Server errors (5xx). */
  errors: number;
  /** 404s of paths the stable release serves. */
  missing: number;
  /** Requests slower than the latency objective. */
  slow: number;
  /** Outcomes recorded by the chaos endpoint. */
  injected: number;
  /** Latency percentiles (ms) of the range; null with no requests. */
  p50: number | null;
  p99: number | null;
}

/** Per release, the newest outcomes kept. */
export const RING_SIZE = 50_000;

/**
 * Whether an outcome is good.
 *
 * @param o - the outcome
 * @param latencyObjectiveMs - slower is bad
 */
export function isGood(o: Outcome, latencyObjectiveMs: number): boolean {
  return o.status < 500 && !o.missing && o.ms <= latencyObjectiveMs;
}

/**
 * The q-quantile (0–1) of sorted numbers, nearest rank.
 *
 * @param sorted - ascending
 * @param q - e.g. 0.99
 */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? null;
}

/**
 * The SLO figures of some outcomes.
 *
 * @param outcomes - the range's outcomes
 * @param latencyObjectiveMs - slower is bad
 * @param minRequests - the minimum-traffic guard
 */
export function summarize(
  outcomes: readonly Outcome[],
  latencyObjectiveMs: number,
  minRequests: number,
): SloFigures {
  let good = 0;
  let errors = 0;
  let missing = 0;
  let slow = 0;
  let injected = 0;
  const ms: number[] = [];
  for (const o of outcomes) {
    if (isGood(o, latencyObjectiveMs)) good++;
    if (o.status >= 500) errors++;
    if (o.missing) missing++;
    if (o.ms > latencyObjectiveMs) slow++;
    if (o.injected) injected++;
    ms.push(o.ms);
  }
  ms.sort((a, b) => a - b);
  const total = outcomes.length;
  return {
    total,
    good,
    score: total === 0 ? 100 : Math.round((10_000 * good) / total) / 100,
    enough: total >= minRequests,
    errors,
    missing,
    slow,
    injected,
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
  };
}

/** Outcomes per `<app>/<release key>`, each a bounded ring in time order. */
export class OutcomeStore {
  private readonly rings = new Map<string, Outcome[]>();

  /**
   * @param capacity - outcomes kept per release @default RING_SIZE
   */
  constructor(private readonly capacity = RING_SIZE) {}

  /**
   * Records an outcome.
   *
   * @param app - the app
   * @param release - the release key (`v2@…`)
   * @param o - the outcome
   */
  record(app: string, release: string, o: Outcome): void {
    const key = `${app}/${release}`;
    let ring = this.rings.get(key);
    if (ring === undefined) {
      ring = [];
      this.rings.set(key, ring);
    }
    ring.push(o);
    // Trim in chunks so recording stays O(1) amortized.
    if (ring.length > this.capacity * 1.25) ring.splice(0, ring.length - this.capacity);
  }

  /**
   * The outcomes of a release answered at or after `since` (and before `until`).
   *
   * @param app - the app
   * @param release - the release key
   * @param since - epoch ms, inclusive
   * @param until - epoch ms, exclusive @default Infinity
   */
  range(app: string, release: string, since: number, until = Number.POSITIVE_INFINITY): Outcome[] {
    const ring = this.rings.get(`${app}/${release}`) ?? [];
    // Outcomes are appended in time order: binary-search the start.
    let lo = 0;
    let hi = ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ring[mid] as Outcome).at < since) lo = mid + 1;
      else hi = mid;
    }
    const out: Outcome[] = [];
    for (let i = lo; i < ring.length; i++) {
      const o = ring[i] as Outcome;
      if (o.at >= until) break;
      out.push(o);
    }
    return out;
  }

  /**
   * The release keys recorded for an app.
   *
   * @param app - the app
   */
  releases(app: string): string[] {
    const prefix = `${app}/`;
    return [...this.rings.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  /** Forgets every outcome. */
  clear(): void {
    this.rings.clear();
  }
}

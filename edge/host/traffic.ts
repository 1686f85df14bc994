/**
 * A bounded synthetic traffic generator for the local edge: a fixed request rate from a fixed
 * population of visitors (each request carries its visitor key, as a returning browser carries
 * its cookie), over the apps' pages. Loopback only; it stops by itself after `maxRequests` or
 * `maxDurationMs`, whichever comes first.
 */

/** Options of {@link startTraffic}. */
export interface TrafficOptions {
  /** The edge, `http://127.0.0.1:<port>/`; any other host is refused. */
  baseUrl: URL;
  /** Pages to request per app, e.g. `{ wix: ["", "about.html"] }` (relative to `/<app>/`). */
  paths: Record<string, readonly string[]>;
  /** Requests per second, all apps together. @default 100 */
  ratePerSecond?: number;
  /** Distinct visitors. @default 1000 */
  visitors?: number;
  /** Requests in flight at most; beyond it requests are skipped (counted), never queued. @default 32 */
  maxInFlight?: number;
  /** Stop after this many requests. @default 100000 */
  maxRequests?: number;
  /** Stop after this long (ms). @default 600000 (10 minutes) */
  maxDurationMs?: number;
  /** Seed of the visitor and page choice. @default 1 */
  seed?: number;
}

/** What the generator saw, per app. */
export interface TrafficStats {
  sent: number;
  /** Requests not sent because `maxInFlight` were still waiting (the edge was slower than the rate). */
  skipped: number;
  /** Requests that got no HTTP answer. */
  failed: number;
  apps: Record<
    string,
    { total: number; byStatus: Record<string, number>; byRelease: Record<string, number> }
  >;
}

/** A running generator. */
export interface Traffic {
  /** Figures so far. */
  stats(): TrafficStats;
  /** Stops sending and waits for requests in flight. */
  stop(): Promise<TrafficStats>;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Starts sending.
 *
 * @param opts - where, what and how much
 * @throws Error when the base URL is not loopback, or no app has a page
 */
export function startTraffic(opts: TrafficOptions): Traffic {
  if (!LOOPBACK.has(opts.baseUrl.hostname)) {
    throw new Error(`traffic goes to loopback only; ${opts.baseUrl.hostname} is not 127.0.0.1`);
  }
  const targets = Object.entries(opts.paths).flatMap(([app, paths]) => paths.map((p) => ({ app, path: p })));
  if (targets.length === 0) throw new Error("traffic needs at least one page");
  const rate = Math.min(Math.max(opts.ratePerSecond ?? 100, 1), 2000);
  const visitors = Math.max(opts.visitors ?? 1000, 1);
  const maxInFlight = opts.maxInFlight ?? 32;
  const maxRequests = opts.maxRequests ?? 100_000;
  const maxDurationMs = opts.maxDurationMs ?? 600_000;
  const random = prng(opts.seed ?? 1);
  const stats: TrafficStats = { sent: 0, skipped: 0, failed: 0, apps: {} };
  let scheduled = 0;
  const started = Date.now();
  let inFlight = 0;
  let stopped = false;
  const idle = new Set<() => void>();

  const one = async (): Promise<void> => {
    const t = targets[Math.floor(random() * targets.length)] as { app: string; path: string };
    const visitor = `v${Math.floor(random() * visitors)}`;
    const a = stats.apps[t.app] ?? { total: 0, byStatus: {}, byRelease: {} };
    stats.apps[t.app] = a;
    stats.sent++;
    inFlight++;
    try {
      const res = await fetch(new URL(`/${t.app}/${t.path}`, opts.baseUrl), {
        headers: { "x-glidepath-visitor": visitor },
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      a.total++;
      a.byStatus[res.status] = (a.byStatus[res.status] ?? 0) + 1;
      const release = res.headers.get("x-glidepath-release") ?? "none";
      a.byRelease[release] = (a.byRelease[release] ?? 0) + 1;
    } catch {
      stats.failed++;
    } finally {
      inFlight--;
      if (inFlight === 0) for (const f of idle) f();
    }
  };

  const timer = setInterval(() => {
    const elapsed = Date.now() - started;
    if (stopped || elapsed >= maxDurationMs || scheduled >= maxRequests) {
      void stop();
      return;
    }
    const due = Math.min(Math.floor((elapsed * rate) / 1000), maxRequests) - scheduled;
    scheduled += due;
    const now = Math.min(due, maxInFlight - inFlight);
    stats.skipped += due - Math.max(now, 0);
    for (let i = 0; i < now; i++) void one();
  }, 10);

  const stop = async (): Promise<TrafficStats> => {
    stopped = true;
    clearInterval(timer);
    if (inFlight > 0) await new Promise<void>((resolve) => idle.add(resolve));
    return stats;
  };
  return { stats: () => stats, stop };
}

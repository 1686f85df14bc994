/**
 * Prometheus as an SLO source: each sample of an app asks Prometheus's HTTP API
 * (`GET /api/v1/query`, an instant query at the sample's time) for the canary's good and total
 * requests since the previous sample of that app, and for the time of the newest scraped
 * sample. Queries and placeholders: `prometheus-query.ts`.
 *
 * Fail closed: an unreachable server or a non-2xx answer (`error`), no answer in time
 * (`timeout`), a body that is not JSON (`not_json`), an API error (`query_error`), an empty
 * vector (`empty`), NaN or ±Inf (`not_a_number`), a newest sample older than `maxAgeMs` or none
 * (`stale`), and impossible counts (`out_of_range`) are misses. Zero requests is an ok sample
 * with `total: 0`: the gate's minimum-traffic guard then refuses to pass the window.
 *
 * The URL may carry credentials (userinfo becomes Basic auth; query values are sent along, e.g.
 * a proxy's token); neither appears in `describe()` or a detail.
 */
import { redactUrl } from "../redact";
import { getText, mask, type Target, targetOf } from "./http-get";
import { figuresToSample } from "./http-shapes";
import {
  countsOf,
  DEFAULT_PROM_QUERIES,
  expandQuery,
  type PromQueries,
  readQueryAnswer,
} from "./prometheus-query";
import { clip, missSample, type SloSample, type SloSource } from "./sample";

/**
 * How old the newest scraped sample may be, by default: two minutes, above the usual scrape
 * intervals (15 s to 1 min) with room for one failed scrape.
 *
 * @default 120000
 */
export const DEFAULT_MAX_AGE_MS = 120_000;

/** Options of {@link prometheusSloSource}. */
export interface PrometheusSloOptions {
  /** Prometheus's base URL, `http(s)://[user:password@]host[:port][/prefix]`. */
  url: string;
  /** The canary's version (`$release`). */
  release: string;
  /** PromQL templates. @default DEFAULT_PROM_QUERIES */
  queries?: Partial<PromQueries>;
  /** The newest scraped sample may be this old (ms). @default DEFAULT_MAX_AGE_MS (2 minutes) */
  maxAgeMs?: number;
  /** Per-request timeout (ms). */
  timeoutMs: number;
  /** The first sample of an app covers this much time before it (ms). */
  intervalMs: number;
  /** Clock. @default Date.now */
  now?: () => number;
}

/** The API URL of an instant query at `at`, keeping the base URL's path prefix and query. */
function queryUrl(target: Target, query: string, at: number): string {
  const u = new URL(target.href);
  u.pathname = `${u.pathname.replace(/\/+$/, "")}/api/v1/query`;
  u.searchParams.set("query", query);
  u.searchParams.set("time", (at / 1000).toFixed(3));
  return u.toString();
}

/**
 * A Prometheus SLO source.
 *
 * @param opts - where Prometheus is, what to ask it, and how to sample
 */
export function prometheusSloSource(opts: PrometheusSloOptions): SloSource {
  const now = opts.now ?? Date.now;
  const queries: PromQueries = { ...DEFAULT_PROM_QUERIES, ...opts.queries };
  const maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const where = redactUrl(opts.url);
  const target = targetOf(opts.url);
  const since = new Map<string, number>();
  return {
    describe: () => `prometheus ${where}`,
    async sample(app, signal) {
      const at = now();
      if (target === undefined) return missSample(at, "error", "the Prometheus URL is not a valid URL");
      const windowMs = at - (since.get(app) ?? at - opts.intervalMs);
      const ask = async (name: keyof PromQueries) => {
        const query = expandQuery(queries[name], { app, release: opts.release, windowMs });
        const got = await getText(target, queryUrl(target, query, at), opts.timeoutMs, signal);
        if (!got.ok) return { ok: false as const, miss: got.kind, detail: `${name}: ${got.detail}` };
        let body: unknown;
        try {
          body = JSON.parse(got.text);
        } catch {
          if (got.status < 200 || got.status > 299) {
            return { ok: false as const, miss: "error" as const, detail: `${name}: HTTP ${got.status}` };
          }
          return {
            ok: false as const,
            miss: "not_json" as const,
            detail: `${name}: not JSON: ${JSON.stringify(clip(got.text.trim(), 60))}`,
          };
        }
        return readQueryAnswer(name, got.status, body);
      };
      const [good, total, fresh] = await Promise.all([ask("good"), ask("total"), ask("fresh")]);
      // The first failure in query order: total, good, then freshness.
      if (!total.ok) return missSample(at, total.miss, mask(total.detail, target.secrets));
      if (!good.ok) return missSample(at, good.miss, mask(good.detail, target.secrets));
      if (!fresh.ok) {
        const kind = fresh.miss === "empty" ? "stale" : fresh.miss;
        const detail =
          fresh.miss === "empty"
            ? "fresh: no scraped sample of the canary's series (is the scrape up?)"
            : fresh.detail;
        return missSample(at, kind, mask(detail, target.secrets));
      }
      const age = at - fresh.value * 1000;
      if (age > maxAgeMs) {
        return missSample(
          at,
          "stale",
          `the newest scraped sample is ${Math.round(age / 1000)} s old (at most ${Math.round(maxAgeMs / 1000)} s allowed)`,
        );
      }
      const s: SloSample = figuresToSample(countsOf(good.value, total.value), at);
      if (s.ok) since.set(app, at);
      return s;
    },
  };
}

/**
 * PromQL for the Prometheus SLO source (pure): the default queries over the edge's metrics,
 * placeholder expansion, and the reading of one `/api/v1/query` answer.
 *
 * Placeholders: `$app` (the sampled app), `$release` (the canary's version, e.g. `v2`), and
 * `$window` (the time since the app's previous sample, as a PromQL duration such as `3000ms`;
 * the first sample looks one interval back). Each sample covers its own window, so the gate's
 * sums (minimum traffic, burn rate) count a request once. `$app` and `$release` are inserted
 * with PromQL string escaping, so they belong inside double quotes.
 */
import type { MissKind } from "./sample";

/** The PromQL templates of a Prometheus source. */
export interface PromQueries {
  /** Good requests of the canary over the window (one number). */
  good: string;
  /** All requests of the canary over the window (one number). */
  total: string;
  /** The timestamp (seconds) of the newest scraped sample of the canary's series. */
  fresh: string;
}

/**
 * The default queries, over the local edge's `/_glidepath/metrics`: good requests as the edge
 * judges them (not 5xx, not a page the stable release serves that the canary lost, within the
 * latency objective), over every answered request; freshness from the request counters.
 */
export const DEFAULT_PROM_QUERIES: Readonly<PromQueries> = {
  good: 'sum(increase(glidepath_edge_good_requests_total{app="$app",release="$release"}[$window]))',
  total: 'sum(increase(glidepath_edge_requests_total{app="$app",release="$release"}[$window]))',
  fresh: 'max(timestamp(glidepath_edge_requests_total{app="$app",release="$release"}))',
};

/** The placeholders a template may use. */
export const PLACEHOLDERS = ["app", "release", "window"] as const;

/**
 * Placeholders in a template that are not {@link PLACEHOLDERS} (`$job` …), for the config's
 * check. `$$` is not special in PromQL, so any `$name` counts.
 *
 * @param template - the PromQL template
 */
export function unknownPlaceholders(template: string): string[] {
  const known: readonly string[] = PLACEHOLDERS;
  return [...template.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)]
    .map((m) => m[1] as string)
    .filter((name) => !known.includes(name));
}

/** A PromQL string literal's content: backslash and double quote escaped. */
function promString(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/**
 * A template with its placeholders filled.
 *
 * @param template - the PromQL template
 * @param values - the app, the release and the window (ms, at least 1)
 */
export function expandQuery(
  template: string,
  values: { app: string; release: string; windowMs: number },
): string {
  const window = `${Math.max(1, Math.round(values.windowMs))}ms`;
  return template.replace(/\$(app|release|window)\b/g, (_, name: string) =>
    name === "window" ? window : promString(name === "app" ? values.app : values.release),
  );
}

/** What one answer gave: a number, or a miss. */
export type QueryValue = { ok: true; value: number } | { ok: false; miss: MissKind; detail: string };

/** One sample value as the API writes it (`"12.5"`, `"NaN"`, `"+Inf"`). */
function sampleValue(v: unknown): number | undefined {
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== "number" || typeof v[1] !== "string") {
    return undefined;
  }
  const text = v[1];
  if (text === "NaN") return Number.NaN;
  if (text === "+Inf" || text === "Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  const n = Number(text);
  return text.trim() === "" || Number.isNaN(n) ? undefined : n;
}

/**
 * Reads one `/api/v1/query` answer (the envelope `{status, data: {resultType, result}}`, or
 * `{status: "error", errorType, error}`) as one number. A vector must hold exactly one series
 * (wrap a query in `sum()`); a scalar is taken as it is.
 *
 * @param name - which query (`good`, `total`, `fresh`), for details
 * @param httpStatus - the HTTP status of the answer
 * @param body - the parsed JSON body
 */
export function readQueryAnswer(name: string, httpStatus: number, body: unknown): QueryValue {
  const miss = (kind: MissKind, detail: string): QueryValue => ({ ok: false, miss: kind, detail });
  const b = body as { status?: unknown; errorType?: unknown; error?: unknown; data?: unknown } | null;
  if (typeof b !== "object" || b === null || Array.isArray(b))
    return miss("bad_shape", `${name}: not an API envelope`);
  if (b.status === "error") {
    const type = typeof b.errorType === "string" ? b.errorType : "error";
    const text = typeof b.error === "string" ? b.error : "no message";
    return miss("query_error", `${name}: ${type}: ${text}`);
  }
  if (httpStatus < 200 || httpStatus > 299) return miss("error", `${name}: HTTP ${httpStatus}`);
  if (b.status !== "success") return miss("bad_shape", `${name}: status ${JSON.stringify(b.status)}`);
  const data = b.data as { resultType?: unknown; result?: unknown } | null | undefined;
  if (typeof data !== "object" || data === null) return miss("bad_shape", `${name}: no "data"`);
  let value: number | undefined;
  if (data.resultType === "scalar") {
    value = sampleValue(data.result);
  } else if (data.resultType === "vector") {
    if (!Array.isArray(data.result)) return miss("bad_shape", `${name}: "result" is not a list`);
    if (data.result.length === 0) return miss("empty", `${name}: no series matched (empty vector)`);
    if (data.result.length > 1) {
      return miss(
        "bad_shape",
        `${name}: ${data.result.length} series; the query must give one (wrap it in sum())`,
      );
    }
    value = sampleValue((data.result[0] as { value?: unknown } | null)?.value);
  } else {
    return miss(
      "bad_shape",
      `${name}: result type ${JSON.stringify(data.resultType)}; expected a vector or scalar`,
    );
  }
  if (value === undefined) return miss("bad_shape", `${name}: a sample value that is not [time, "number"]`);
  if (!Number.isFinite(value))
    return miss("not_a_number", `${name} is ${value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN"}`);
  return { ok: true, value };
}

/**
 * Counts from two query values: rounded to whole requests (`increase()` extrapolates to the
 * window's edges, so it gives fractions), good capped at total when it exceeds it by at most
 * 10% (`increase()` extrapolates each series on its own); negative or larger gaps are
 * impossible and left for the gate's range check.
 *
 * @param good - the good query's value
 * @param total - the total query's value
 */
export function countsOf(good: number, total: number): { good: number; total: number } {
  const t = Math.round(total);
  let g = Math.round(good);
  if (g > t && t >= 0 && g <= t * 1.1 + 1) g = t;
  return { good: g, total: t };
}

/**
 * The edge's request counters in the Prometheus text exposition format (version 0.0.4), for
 * `GET /_glidepath/metrics` (pure; the Worker owns one set per isolate). Recording a request is
 * a few integer additions on objects kept per app and release; the text is built only when a
 * scraper asks for it.
 *
 * Metrics, each labelled `app` and `release` (the release's version, such as `v2`):
 *
 * - `glidepath_edge_requests_total{class}`: answered requests by status class (`2xx`, `3xx`,
 *   `4xx`, `5xx`; anything else is `other`).
 * - `glidepath_edge_good_requests_total`: requests the edge judges good by the same rule as its
 *   own SLO endpoint: not a server error, not a page the stable release serves that this
 *   release lost, not slower than the latency objective.
 * - `glidepath_edge_request_duration_seconds`: a histogram of the time spent in the edge
 *   (`_bucket{le}`, `_sum`, `_count`).
 *
 * A release's series start at 0 for every class the first time it is recorded or named by a
 * route ({@link EdgeCounters.touch}), so a query sees a series from the start rather than an
 * empty result that reads like a broken scrape.
 */

/** The histogram's upper bounds, in seconds (the `+Inf` bucket is implied). */
export const DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Status classes, in the order they are rendered. */
export const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx", "other"] as const;

/** A status class label value. */
export type StatusClass = (typeof STATUS_CLASSES)[number];

/**
 * The class of an HTTP status: `2xx` … `5xx`, `other` outside 200–599.
 *
 * @param status - the status code
 */
export function statusClass(status: number): StatusClass {
  const i = Math.floor(status / 100) - 2;
  return STATUS_CLASSES[i >= 0 && i < 4 ? i : 4] as StatusClass;
}

/** One release's counters. */
interface Series {
  app: string;
  release: string;
  /** Requests per {@link STATUS_CLASSES} index. */
  byClass: number[];
  good: number;
  /** Requests per {@link DURATION_BUCKETS} index (not cumulative; the `+Inf` one last). */
  buckets: number[];
  /** Σ seconds. */
  seconds: number;
}

/** Escapes a label value (backslash, double quote, line feed). */
function labelValue(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A float as the text format writes it. */
function num(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "+Inf";
  if (n === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(n);
}

/** The edge's counters per app and release. */
export class EdgeCounters {
  private readonly series = new Map<string, Series>();

  /** The series of a release, created at 0 when missing. */
  private of(app: string, release: string): Series {
    const key = `${app}\n${release}`;
    let s = this.series.get(key);
    if (s === undefined) {
      s = {
        app,
        release,
        byClass: STATUS_CLASSES.map(() => 0),
        good: 0,
        buckets: [...DURATION_BUCKETS.map(() => 0), 0],
        seconds: 0,
      };
      this.series.set(key, s);
    }
    return s;
  }

  /**
   * Makes sure a release's series exist (at 0 when new).
   *
   * @param app - the app
   * @param release - the release's version
   */
  touch(app: string, release: string): void {
    this.of(app, release);
  }

  /**
   * Counts one answered request.
   *
   * @param app - the app
   * @param release - the release's version
   * @param status - the HTTP status sent
   * @param ms - time spent in the edge (ms)
   * @param good - whether the edge's SLO rule judged it good
   */
  record(app: string, release: string, status: number, ms: number, good: boolean): void {
    const s = this.of(app, release);
    const c = STATUS_CLASSES.indexOf(statusClass(status));
    s.byClass[c] = (s.byClass[c] as number) + 1;
    if (good) s.good++;
    const seconds = Math.max(0, ms) / 1000;
    let i = 0;
    while (i < DURATION_BUCKETS.length && seconds > (DURATION_BUCKETS[i] as number)) i++;
    s.buckets[i] = (s.buckets[i] as number) + 1;
    s.seconds += seconds;
  }

  /** Forgets every series (the admin reset). */
  clear(): void {
    this.series.clear();
  }

  /** The text exposition of every series, families in a fixed order, series sorted by app and release. */
  render(): string {
    const all = [...this.series.values()].sort((a, b) =>
      a.app === b.app ? (a.release < b.release ? -1 : 1) : a.app < b.app ? -1 : 1,
    );
    const base = (s: Series) => `app="${labelValue(s.app)}",release="${labelValue(s.release)}"`;
    const out: string[] = [
      "# HELP glidepath_edge_requests_total Requests the edge answered, by app, release and status class.",
      "# TYPE glidepath_edge_requests_total counter",
    ];
    for (const s of all) {
      STATUS_CLASSES.forEach((c, i) => {
        out.push(`glidepath_edge_requests_total{${base(s)},class="${c}"} ${s.byClass[i]}`);
      });
    }
    out.push(
      "# HELP glidepath_edge_good_requests_total Requests the edge judged good (not 5xx, not a page the stable release serves that this release lost, within the latency objective).",
      "# TYPE glidepath_edge_good_requests_total counter",
    );
    for (const s of all) out.push(`glidepath_edge_good_requests_total{${base(s)}} ${s.good}`);
    out.push(
      "# HELP glidepath_edge_request_duration_seconds Time the edge spent on a request.",
      "# TYPE glidepath_edge_request_duration_seconds histogram",
    );
    for (const s of all) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((le, i) => {
        cumulative += s.buckets[i] as number;
        out.push(`glidepath_edge_request_duration_seconds_bucket{${base(s)},le="${num(le)}"} ${cumulative}`);
      });
      cumulative += s.buckets[DURATION_BUCKETS.length] as number;
      out.push(`glidepath_edge_request_duration_seconds_bucket{${base(s)},le="+Inf"} ${cumulative}`);
      out.push(`glidepath_edge_request_duration_seconds_sum{${base(s)}} ${num(s.seconds)}`);
      out.push(`glidepath_edge_request_duration_seconds_count{${base(s)}} ${cumulative}`);
    }
    return `${out.join("\n")}\n`;
  }
}

/** The text format's content type. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

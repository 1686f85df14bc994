/**
 * The edge's `/_glidepath/metrics` text: checked by `promtool check metrics` (Prometheus's own
 * parser and linter) and read back for the figures recorded.
 */
import { describe, expect, it } from "vitest";
import { DURATION_BUCKETS, EdgeCounters, statusClass } from "../../edge/worker/exposition";
import { promtoolCheckMetrics, skipWithoutPrometheus } from "../helpers/prometheus";

/** `name{labels} value` lines as a map (comments dropped). */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

describe("status classes", () => {
  it("maps statuses to 2xx–5xx and anything else to other", () => {
    expect([200, 204, 301, 404, 499, 500, 503, 599, 100, 600].map(statusClass)).toEqual([
      "2xx",
      "2xx",
      "3xx",
      "4xx",
      "4xx",
      "5xx",
      "5xx",
      "5xx",
      "other",
      "other",
    ]);
  });
});

describe("the edge's counters", () => {
  const c = new EdgeCounters();
  c.touch("wix", "v3");
  c.record("wix", "v1", 200, 2, true);
  c.record("wix", "v1", 200, 700, false);
  c.record("wix", "v1", 503, 0, false);
  c.record("wix", "v1", 404, 1, true);
  c.record("gamma", 'v"2\\x', 200, 20_000, false);
  const text = c.render();
  const s = samples(text);

  it("counts requests by class, good requests, and a cumulative latency histogram", () => {
    expect(s.get('glidepath_edge_requests_total{app="wix",release="v1",class="2xx"}')).toBe(2);
    expect(s.get('glidepath_edge_requests_total{app="wix",release="v1",class="4xx"}')).toBe(1);
    expect(s.get('glidepath_edge_requests_total{app="wix",release="v1",class="5xx"}')).toBe(1);
    expect(s.get('glidepath_edge_good_requests_total{app="wix",release="v1"}')).toBe(2);
    const bucket = (le: string) =>
      s.get(`glidepath_edge_request_duration_seconds_bucket{app="wix",release="v1",le="${le}"}`);
    expect([bucket("0.001"), bucket("0.0025"), bucket("0.5"), bucket("1"), bucket("+Inf")]).toEqual([
      2, 3, 3, 4, 4,
    ]);
    expect(s.get('glidepath_edge_request_duration_seconds_count{app="wix",release="v1"}')).toBe(4);
    expect(s.get('glidepath_edge_request_duration_seconds_sum{app="wix",release="v1"}')).toBeCloseTo(
      0.703,
      9,
    );
    // Slower than the last bound: only in +Inf.
    expect(
      s.get(`glidepath_edge_request_duration_seconds_bucket{app="gamma",release="v\\"2\\\\x",le="10"}`),
    ).toBe(0);
    expect(DURATION_BUCKETS.at(-1)).toBe(10);
  });

  it("has series at 0 for a release a route named before its first request", () => {
    expect(s.get('glidepath_edge_requests_total{app="wix",release="v3",class="2xx"}')).toBe(0);
    expect(s.get('glidepath_edge_good_requests_total{app="wix",release="v3"}')).toBe(0);
    expect(s.get('glidepath_edge_request_duration_seconds_count{app="wix",release="v3"}')).toBe(0);
  });

  it.skipIf(skipWithoutPrometheus())("fails if promtool finds the exposition invalid or lints it", () => {
    const r = promtoolCheckMetrics(text);
    expect(r, text).toEqual({ code: 0, output: "" });
    // promtool itself refuses a broken exposition (the check can fail).
    expect(promtoolCheckMetrics("glidepath_edge_requests_total{app=wix} 1\n").code).not.toBe(0);
  });

  it("is empty of series after a reset", () => {
    const d = new EdgeCounters();
    d.record("wix", "v1", 200, 1, true);
    d.clear();
    expect([...samples(d.render()).keys()]).toEqual([]);
  });
});

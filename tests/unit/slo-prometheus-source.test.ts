/**
 * Prometheus as an SLO source, against a loopback fake of its query API: the default queries
 * and the override, each kind of miss (fail closed), zero traffic left to the minimum-traffic
 * guard, burn-rate mode on its counts, no credential in any text, and the config's rules.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type GateSpec, judgeGate } from "../../automation/lib/slo/gate";
import {
  countsOf,
  DEFAULT_PROM_QUERIES,
  expandQuery,
  readQueryAnswer,
  unknownPlaceholders,
} from "../../automation/lib/slo/prometheus-query";
import { prometheusSloSource } from "../../automation/lib/slo/prometheus-source";
import type { SloSample } from "../../automation/lib/slo/sample";
import { parseStackConfig } from "../../infra/config";
import {
  type PromAnswer,
  type PromFake,
  type PromRequest,
  startPromFake,
} from "../helpers/prometheus-api-fake";

const NOW = 1_800_000_000_000;
const FAST = 2_000;

/** Which query a request is: the freshness one, the good one, or the total one. */
function nameOf(r: PromRequest): "fresh" | "good" | "total" {
  if (r.query.includes("timestamp(")) return "fresh";
  return r.query.includes("good") || r.query.includes('code!~"5.."') ? "good" : "total";
}

describe("prometheusSloSource", { timeout: 10_000 }, () => {
  let fake: PromFake;
  /** Answers by query name; fresh defaults to a sample scraped 1 s ago. */
  const answer = (by: Partial<Record<"good" | "total" | "fresh", PromAnswer>>) =>
    fake.setBehavior(
      (r) =>
        by[nameOf(r)] ??
        (nameOf(r) === "fresh"
          ? { kind: "vector", values: [String((NOW - 1000) / 1000)] }
          : { kind: "vector", values: ["100"] }),
    );
  let clock = NOW;
  const source = (extra: Partial<Parameters<typeof prometheusSloSource>[0]> = {}) =>
    prometheusSloSource({
      url: fake.url,
      release: "v2",
      timeoutMs: FAST,
      intervalMs: 1000,
      now: () => clock,
      ...extra,
    });
  const sampleWith = async (
    by: Partial<Record<"good" | "total" | "fresh", PromAnswer>>,
  ): Promise<SloSample> => {
    answer(by);
    return source().sample("wix");
  };
  const vector = (...values: string[]): PromAnswer => ({ kind: "vector", values });

  beforeAll(async () => {
    fake = await startPromFake(() => vector("1"));
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    clock = NOW;
  });

  it("reads the canary's good and total requests through instant queries at the sample's time", async () => {
    clock = NOW;
    answer({ good: vector("995"), total: vector("1000") });
    const before = fake.requests().length;
    const src = source();
    expect(await src.sample("wix")).toEqual({ ok: true, at: NOW, score: 99.5, good: 995, total: 1000 });
    const asked = fake.requests().slice(before);
    expect(asked.map((r) => r.path)).toEqual(["/api/v1/query", "/api/v1/query", "/api/v1/query"]);
    expect(asked.every((r) => r.time === (NOW / 1000).toFixed(3))).toBe(true);
    expect(asked.map((r) => r.query).sort()).toEqual(
      [
        'sum(increase(glidepath_edge_good_requests_total{app="wix",release="v2"}[1000ms]))',
        'sum(increase(glidepath_edge_requests_total{app="wix",release="v2"}[1000ms]))',
        'max(timestamp(glidepath_edge_requests_total{app="wix",release="v2"}))',
      ].sort(),
    );
    // The next sample covers the time since this one: windows do not overlap.
    clock = NOW + 2500;
    await src.sample("wix");
    expect(fake.requests().at(-1)?.query).toMatch(/\[2500ms\]|timestamp/);
    expect(
      fake
        .requests()
        .slice(-3)
        .some((r) => r.query.includes("[2500ms]")),
    ).toBe(true);
    clock = NOW;
    expect(src.describe()).toBe(`prometheus ${fake.url}/`);
  });

  it("uses an overridden query, keeping the defaults of the others, under the base URL's path prefix", async () => {
    answer({ good: vector("9"), total: vector("10") });
    const before = fake.requests().length;
    const s = await source({
      url: `${fake.url}/prom/`,
      queries: {
        good: 'sum(increase(http_requests_total{job="$app",version="$release",code!~"5.."}[$window]))',
      },
    }).sample("gamma");
    expect(s).toMatchObject({ ok: true, good: 9, total: 10, score: 90 });
    const asked = fake.requests().slice(before);
    expect(asked.every((r) => r.path === "/prom/api/v1/query")).toBe(true);
    expect(asked.map((r) => r.query)).toContain(
      'sum(increase(http_requests_total{job="gamma",version="v2",code!~"5.."}[1000ms]))',
    );
    expect(asked.map((r) => r.query)).toContain(
      expandQuery(DEFAULT_PROM_QUERIES.total, { app: "gamma", release: "v2", windowMs: 1000 }),
    );
  });

  const misses: [string, Partial<Record<"good" | "total" | "fresh", PromAnswer>>, string, RegExp][] = [
    ["an empty vector", { total: vector() }, "empty", /total: no series matched/],
    ["NaN", { good: vector("NaN") }, "not_a_number", /good is NaN/],
    ["+Inf", { total: vector("+Inf") }, "not_a_number", /total is \+Inf/],
    [
      "an API error (bad query, HTTP 400)",
      { total: { kind: "error", code: 400, errorType: "bad_data", error: "parse error at char 5" } },
      "query_error",
      /total: bad_data: parse error at char 5/,
    ],
    [
      "an execution error (HTTP 422)",
      {
        good: {
          kind: "error",
          code: 422,
          errorType: "execution",
          error: "query processing would load too many samples",
        },
      },
      "query_error",
      /good: execution:/,
    ],
    [
      "an HTTP error without an envelope",
      { total: { kind: "status", code: 502 } },
      "error",
      /total: HTTP 502/,
    ],
    ["HTML", { total: { kind: "garbage" } }, "not_json", /total: not JSON: "<html>login<\/html>"/],
    ["two series (no sum())", { total: vector("1", "2") }, "bad_shape", /2 series; the query must give one/],
    [
      "a matrix",
      { total: { kind: "raw", body: { status: "success", data: { resultType: "matrix", result: [] } } } },
      "bad_shape",
      /result type "matrix"/,
    ],
    [
      "a value that is not a number",
      {
        total: {
          kind: "raw",
          body: {
            status: "success",
            data: { resultType: "vector", result: [{ metric: {}, value: [1, "abc"] }] },
          },
        },
      },
      "bad_shape",
      /not \[time, "number"\]/,
    ],
    ["negative counts", { good: vector("-3"), total: vector("-3") }, "out_of_range", /impossible counts/],
    [
      "good far above total",
      { good: vector("200"), total: vector("100") },
      "out_of_range",
      /impossible counts: good 200, total 100/,
    ],
    [
      "a stale series (newest sample 10 min old)",
      { fresh: vector(String((NOW - 600_000) / 1000)) },
      "stale",
      /600 s old \(at most 120 s allowed\)/,
    ],
    ["no scraped sample at all", { fresh: vector() }, "stale", /no scraped sample/],
  ];
  it.each(misses)("fails closed on %s", async (_, by, kind, detail) => {
    const s = await sampleWith(by);
    expect(s).toMatchObject({ ok: false, miss: kind });
    expect(s.ok ? "" : s.detail).toMatch(detail);
  });

  it("fails closed on a server that does not answer in time, and on one that is not there", async () => {
    answer({ total: { kind: "hang" } });
    expect(await source({ timeoutMs: 50 }).sample("wix")).toMatchObject({ ok: false, miss: "timeout" });
    const closed = await startPromFake(() => vector("1"));
    await closed.close();
    const gone = prometheusSloSource({
      url: closed.url,
      release: "v2",
      timeoutMs: FAST,
      intervalMs: 1000,
    });
    const s = await gone.sample("wix");
    expect(s).toMatchObject({ ok: false, miss: "error" });
    expect(s.ok ? "" : s.detail).toMatch(/cannot reach the source \(ECONNREFUSED\)/);
  });

  it("keeps a window it could not read: the next sample covers it too", async () => {
    const src = source();
    answer({});
    await src.sample("wix");
    clock = NOW + 2000;
    answer({ total: vector() });
    expect(await src.sample("wix")).toMatchObject({ ok: false, miss: "empty" });
    clock = NOW + 3000;
    answer({});
    const before = fake.requests().length;
    expect(await src.sample("wix")).toMatchObject({ ok: true });
    expect(
      fake
        .requests()
        .slice(before)
        .some((r) => r.query.includes("[3000ms]")),
    ).toBe(true);
  });

  it("fails if zero canary requests pass: an ok sample of 0 requests that the traffic guard refuses", async () => {
    const s = await sampleWith({ good: vector("0"), total: vector("0") });
    expect(s).toEqual({ ok: true, at: NOW, score: 100, good: 0, total: 0 });
    const spec: GateSpec = {
      minSlo: 99,
      maxMisses: 3,
      maxMissRatio: 0.25,
      mode: "threshold",
      minRequests: 10,
    };
    expect(judgeGate(spec, [s, s, s], { startedAt: NOW - 3000, endsAt: NOW, now: NOW })).toEqual({
      status: "insufficient_traffic",
      requests: 0,
      needed: 10,
    });
  });

  it("fails a burning canary in burn-rate mode on its counts, and passes a healthy one", async () => {
    const spec: GateSpec = {
      minSlo: 99,
      maxMisses: 3,
      maxMissRatio: 0.25,
      mode: "burn-rate",
      burn: { objective: 99.9, longWindowMs: 60_000, shortWindowMs: 5_000, maxBurnRate: 14.4 },
      minRequests: 10,
    };
    const window = { startedAt: NOW - 3000, endsAt: NOW, now: NOW };
    const bad = await sampleWith({ good: vector("95"), total: vector("100") });
    expect(judgeGate(spec, [bad], window)).toMatchObject({ status: "fail", reason: "burn_rate" });
    const fine = await sampleWith({ good: vector("100"), total: vector("100") });
    expect(judgeGate(spec, [fine, fine], window)).toMatchObject({ status: "pass" });
  });

  it("sends userinfo as Basic auth and never shows it or a query value", async () => {
    const secretUrl = `${fake.url.replace("http://", "http://alice:S3cretPa55@")}/?token=T0kenValue99`;
    answer({ total: { kind: "error", code: 400, errorType: "bad_data", error: "bad" } });
    const before = fake.requests().length;
    const src = source({ url: secretUrl });
    const s = await src.sample("wix");
    const asked = fake.requests().slice(before);
    expect(asked[0]?.authorization).toBe(`Basic ${Buffer.from("alice:S3cretPa55").toString("base64")}`);
    const text = JSON.stringify([s, src.describe()]);
    for (const secret of ["alice", "S3cretPa55", "T0kenValue99"]) expect(text).not.toContain(secret);
    expect(src.describe()).toBe(`prometheus ${fake.url}/?token=***`);
  });
});

describe("PromQL templates and answers (pure)", () => {
  it("fills the placeholders, escaping the labels as PromQL strings", () => {
    expect(
      expandQuery('x{a="$app",r="$release"}[$window] $apps', {
        app: 'w"x\\',
        release: "v2",
        windowMs: 1234.6,
      }),
    ).toBe('x{a="w\\"x\\\\",r="v2"}[1235ms] $apps');
    expect(expandQuery("[$window]", { app: "a", release: "r", windowMs: 0 })).toBe("[1ms]");
    expect(unknownPlaceholders('sum(x{job="$job"}[$window]) / $app $rel')).toEqual(["job", "rel"]);
  });

  it("reads a scalar, and caps good at total within extrapolation's error only", () => {
    expect(
      readQueryAnswer("total", 200, {
        status: "success",
        data: { resultType: "scalar", result: [1, "12.5"] },
      }),
    ).toEqual({
      ok: true,
      value: 12.5,
    });
    expect(countsOf(100.4, 99.6)).toEqual({ good: 100, total: 100 });
    expect(countsOf(104.2, 100)).toEqual({ good: 100, total: 100 });
    expect(countsOf(150, 100)).toEqual({ good: 150, total: 100 });
    expect(countsOf(47.3, 49.6)).toEqual({ good: 47, total: 50 });
  });
});

describe("glidepath:rollout.slo with source prometheus", () => {
  const base = {
    "glidepath:environment": "local",
    "glidepath:apps": JSON.stringify({ wix: { target: "local" } }),
  };
  const parse = (slo: unknown, secret = false) =>
    parseStackConfig(
      { ...base, "glidepath:rollout": JSON.stringify({ slo }) },
      secret ? new Set(["glidepath:rollout"]) : new Set(),
    );
  const issues = (r: ReturnType<typeof parse>) =>
    r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);

  it("takes a URL with the default queries and a 2m maximum age", () => {
    const r = parse({ source: "prometheus", url: "http://127.0.0.1:9090" });
    expect(r.ok && r.config.rollout.slo).toEqual({
      source: "prometheus",
      url: "http://127.0.0.1:9090",
      maxAge: "2m",
    });
  });

  it("takes query overrides with the known placeholders", () => {
    const r = parse({
      source: "prometheus",
      url: "http://p:9090/",
      query: { good: 'sum(x{app="$app"}[$window])' },
      maxAge: "30s",
    });
    expect(r.ok, JSON.stringify(issues(r))).toBe(true);
  });

  it("fails if a query is blank, has an unknown placeholder, an unknown key, or the URL is not http(s)", () => {
    expect(issues(parse({ source: "prometheus", url: "http://p:9090", query: { total: " " } }))).toEqual([
      "glidepath:rollout.slo.query.total: expected a PromQL query, got an empty value",
    ]);
    expect(
      issues(parse({ source: "prometheus", url: "http://p:9090", query: { good: 'sum(x{job="$job"})' } })),
    ).toEqual([
      'glidepath:rollout.slo.query.good: unknown placeholder $job in "sum(x{job=\\"$job\\"})"; use $app, $release, $window',
    ]);
    expect(issues(parse({ source: "prometheus", url: "http://p:9090", query: { bad: "x" } }))[0]).toMatch(
      /^glidepath:rollout\.slo\.query: .*"bad"/,
    );
    expect(issues(parse({ source: "prometheus", url: "ftp://p:9090" }))[0]).toMatch(
      /^glidepath:rollout\.slo\.url: expected an http\(s\) URL/,
    );
    expect(issues(parse({ source: "prometheus" }))[0]).toMatch(/^glidepath:rollout\.slo\.url: /);
  });

  it("fails if a URL with credentials is stored in clear, and takes it as a secret", () => {
    const url = "http://u:Pr0mT0ken@127.0.0.1:9090/";
    expect(issues(parse({ source: "prometheus", url }))).toEqual([
      "glidepath:rollout.slo.url: expected a secret: the URL carries credentials (userinfo or query values) that would be stored and shown in clear; set it with `pulumi config set --secret --path glidepath:rollout.slo.url <url>`",
    ]);
    expect(parse({ source: "prometheus", url }, true).ok).toBe(true);
  });
});

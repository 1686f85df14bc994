/**
 * Prometheus as the SLO source, through the real engine: `glidepath edge` serves a scratch
 * project under synthetic traffic, Debian's `prometheus` (started here on loopback, a temporary
 * TSDB) scrapes the edge's `/_glidepath/metrics` every second, and `glidepath rollout` gates
 * each step on PromQL answers about the canary. A healthy v2 is promoted; the faulty v3 (a
 * release that lost files its stable release serves) is rolled back, in threshold mode and in
 * burn-rate mode; with Prometheus gone, every sample is a miss and the ramp fails closed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RolloutReport, rolloutReportSchema } from "../../automation/lib/driver/report";
import { writeStackKeys } from "../../automation/lib/driver/stack-file";
import { type Background, makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import type { EdgeRecord } from "../../edge/host/discovery";
import type { Traffic } from "../../edge/host/traffic";
import {
  type PrometheusServer,
  promtoolCheckMetrics,
  skipWithoutPrometheus,
  startPrometheus,
} from "../helpers/prometheus";
import { startEdgeUnderTraffic } from "./helpers/edge";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
const noPrometheus = binDir === undefined ? true : skipWithoutPrometheus();

/**
 * The ramp's settings: two steps of 12 s sampled every 3 s, so each sample's `increase()`
 * window holds about three 1 s scrapes and one late scrape on a busy machine still leaves two.
 * A sample whose window holds fewer is an `empty` miss (so is the first sample of the first
 * step when the canary's series is one scrape old): a window may hold two misses in five
 * (`maxMissRatio` 0.4).
 */
const rollout = (url: string, mode: "threshold" | "burn-rate") => ({
  steps: [50, 100],
  window: "12s",
  finalWindow: "12s",
  interval: "3s",
  minSlo: 99,
  maxMisses: 3,
  maxMissRatio: 0.4,
  mode,
  burn: { objective: 99.9, longWindow: "1m", shortWindow: "10s", maxBurnRate: 14.4 },
  minRequests: 10,
  maxHolds: 2,
  slo: { source: "prometheus", url, maxAge: "10s" },
});

describe.skipIf(noPrometheus)("Prometheus as the SLO source", () => {
  let p: ScratchProject;
  let edgeProc: Background;
  let edge: EdgeRecord;
  let traffic: Traffic;
  let prom: PrometheusServer;

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
    const up = await p.glidepath(["up", "--stack", "local"]);
    expect(up.code, up.stderr).toBe(0);
    ({ edgeProc, edge, traffic } = await startEdgeUnderTraffic(p, 600_000));
    prom = await startPrometheus([{ address: new URL(edge.url).host, path: "/_glidepath/metrics" }]);
    await prom.waitForScrapes(2);
  });

  afterAll(async () => {
    await traffic?.stop();
    await prom?.stop();
    edgeProc?.child.kill("SIGTERM");
    await edgeProc?.done;
  });

  /** Runs a rollout of `version` gated on Prometheus in `mode`, and parses its report. */
  const ramp = async (version: string, mode: "threshold" | "burn-rate", url = prom.url) => {
    await writeStackKeys(p.dir, "local", { rollout: rollout(url, mode) });
    const r = await p.glidepath(["rollout", "--stack", "local", "--version", version, "--json"]);
    return {
      ...r,
      report: r.stdout.trim() === "" ? undefined : rolloutReportSchema.parse(JSON.parse(r.stdout)),
    };
  };

  it("fails if the edge's live /_glidepath/metrics is not valid exposition text (promtool)", async () => {
    const res = await fetch(new URL("/_glidepath/metrics", edge.url));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text).toMatch(/^glidepath_edge_requests_total\{app="wix",release="v1",class="2xx"\} [1-9]\d*$/m);
    expect(promtoolCheckMetrics(text)).toEqual({ code: 0, output: "" });
  });

  it("scrapes the edge: its request counters reach Prometheus by app, release and class", async () => {
    const url = new URL("/api/v1/query", prom.url);
    url.searchParams.set("query", 'sum by (app, release) (glidepath_edge_requests_total{class="2xx"})');
    const body = (await (await fetch(url)).json()) as {
      data: { result: { metric: { app: string; release: string }; value: [number, string] }[] };
    };
    const seen = body.data.result.map((r) => `${r.metric.app}@${r.metric.release}`).sort();
    expect(seen).toEqual(["gamma@v1", "wix@v1"]);
    expect(body.data.result.every((r) => Number(r.value[1]) > 0)).toBe(true);
  });

  let v2: RolloutReport | undefined;
  it("promotes a healthy v2 gated on Prometheus's answers about the canary", async () => {
    const r = await ramp("v2", "threshold");
    expect(r.code, `${r.stderr}\n${prom.log().slice(-1000)}`).toBe(0);
    v2 = r.report;
    expect(v2?.outcome).toBe("promoted");
    expect(v2?.gate?.source).toBe(`prometheus ${prom.url}`);
    expect(v2?.steps.map((s) => [s.weight, s.verdict])).toEqual([
      [50, "pass"],
      [100, "pass"],
    ]);
    for (const s of v2?.steps ?? []) {
      for (const app of ["wix", "gamma"]) {
        // Counted from Prometheus's increase() of the canary's counters, and enough of them.
        expect(s.slo[app]?.traffic).toBe("counted");
        expect(s.slo[app]?.requests).toBeGreaterThanOrEqual(10);
        expect(s.slo[app]?.minScore).toBeGreaterThanOrEqual(99);
      }
    }
    expect((await p.history())[0]?.message).toMatch(/^glidepath promote/);
  });

  it("fails if the faulty v3 is not caught: Prometheus shows its lost pages, the gate rolls it back", async () => {
    const before = (await p.history()).length;
    const r = await ramp("v3", "threshold");
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain("GP_GATE_FAILED");
    expect(r.report?.outcome).toBe("rolled_back");
    expect(r.report?.steps[0]).toMatchObject({
      weight: 50,
      verdict: "fail",
      reason: expect.stringMatching(/below_min/),
    });
    const h = await p.history();
    expect(h.length - before).toBe(2);
    expect(h[1]?.message).toBe("glidepath canary:50 gamma@v3 wix@v3");
    expect(h[0]?.result).toBe("succeeded");
  });

  it("fails if burn-rate mode on Prometheus lets the faulty v3 through: the error budget burns, it is rolled back", async () => {
    const r = await ramp("v3", "burn-rate");
    expect(r.code, r.stderr).toBe(1);
    expect(r.report?.outcome).toBe("rolled_back");
    expect(r.report?.gate?.mode).toBe("burn-rate");
    expect(r.report?.steps[0]).toMatchObject({
      weight: 50,
      verdict: "fail",
      reason: expect.stringMatching(/burn_rate/),
    });
  });

  it("fails closed when Prometheus is unreachable: every sample is a miss, the canary is rolled back", async () => {
    const url = prom.url;
    await prom.stop();
    const r = await ramp("v3", "threshold", url);
    expect(r.code, r.stderr).toBe(1);
    expect(r.report?.outcome).toBe("rolled_back");
    expect(r.report?.steps[0]?.reason).toMatch(/misses.*error ×3.*cannot reach the source \(ECONNREFUSED\)/);
  });
});

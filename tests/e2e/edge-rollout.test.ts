/**
 * The local edge in the loop: `glidepath edge` (the Worker on workerd) serves a scratch
 * project's releases while synthetic traffic flows; `glidepath rollout` samples the edge's own
 * measurements. A healthy ramp splits traffic by weight and stays sticky per visitor; the
 * faulty v3 (a release that lost files its stable release serves) is caught by the gate and
 * rolled back, after which the edge serves the stable release alone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { releaseFigures } from "../../automation/lib/demo/probe";
import { DEMO_ROLLOUT } from "../../automation/lib/demo/project";
import { type RolloutReport, rolloutReportSchema } from "../../automation/lib/driver/report";
import { writeStackKeys } from "../../automation/lib/driver/stack-file";
import { lookBack } from "../../automation/lib/slo/edge-source";
import { type Background, makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { type EdgeRecord, readEdgeKey } from "../../edge/host/discovery";
import type { Traffic } from "../../edge/host/traffic";
import { bucketOf } from "../../edge/worker/bucket";
import { durationMs } from "../../infra/config";
import { startEdgeUnderTraffic, VISITORS } from "./helpers/edge";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
/** The traffic generator's visitor keys (`v0` … `v999`). */
const visitors = Array.from({ length: VISITORS }, (_, i) => `v${i}`);
/** A release's figures at the edge over [since, until). */
const figures = (edge: string, app: string, version: string, since: number, until: number) =>
  releaseFigures(new URL(edge), app, version, since, until);

/** The release that answered a visitor, or `HTTP <status> <body>` for an answer without one. */
async function releaseFor(edge: string, app: string, visitor: string): Promise<string> {
  const res = await fetch(new URL(`/${app}/`, edge), { headers: { "x-glidepath-visitor": visitor } });
  const body = await res.text();
  return res.headers.get("x-glidepath-release") ?? `HTTP ${res.status} ${body.slice(0, 80)}`;
}

describe.skipIf(binDir === undefined)("the local edge in the rollout loop", () => {
  let p: ScratchProject;
  let edgeProc: Background;
  let edge: EdgeRecord;
  let traffic: Traffic;

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    await writeStackKeys(p.dir, "local", { rollout: DEMO_ROLLOUT });
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
    const up = await p.glidepath(["up", "--stack", "local"]);
    expect(up.code, up.stderr).toBe(0);
    ({ edgeProc, edge, traffic } = await startEdgeUnderTraffic(p));
  });

  afterAll(async () => {
    await traffic?.stop();
    edgeProc?.child.kill("SIGTERM");
    await edgeProc?.done;
  });

  it("serves v1 to everyone before a ramp, tagging each response with its release and the app's flags", async () => {
    expect(edge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    for (const app of ["wix", "gamma"]) {
      for (let i = 0; i < 10; i++) expect(await releaseFor(edge.url, app, `before-${i}`)).toBe(`${app}@v1`);
      // The app's flags, as the stack published them, reach its pages.
      const res = await fetch(new URL(`/${app}/`, edge.url));
      await res.arrayBuffer();
      expect(res.headers.get("x-glidepath-flags")).toBe("CanaryEnabled=false");
      expect(res.headers.get("set-cookie")).toMatch(
        /^gp_visitor=[0-9a-f-]{36}; Path=\/; SameSite=Lax; HttpOnly$/,
      );
    }
  });

  it("rejects the admin endpoints without the right x-wiredchaos-key, changing nothing, and accepts the right key", async () => {
    const key = (await readEdgeKey(p.dir, "local"))?.trim() ?? "";
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const check = new URL("/_glidepath/admin/check", edge.url);
    expect((await fetch(check)).status).toBe(401);
    expect((await fetch(check, { headers: { "x-wiredchaos-key": "wrong" } })).status).toBe(401);
    expect((await fetch(check, { headers: { "x-wiredchaos-key": `${key}x` } })).status).toBe(401);
    expect((await fetch(check, { headers: { "x-wiredchaos-key": key } })).status).toBe(200);
    const since = Date.now() - 60_000;
    const before = await figures(edge.url, "wix", "v1", since, Date.now());
    const body = JSON.stringify({ app: "wix", side: "stable", count: 500, status: 503 });
    const refused = await fetch(new URL("/_glidepath/admin/faults", edge.url), {
      method: "POST",
      body,
      headers: { "content-type": "application/json", "x-wiredchaos-key": "wrong" },
    });
    expect(refused.status).toBe(401);
    const after = await figures(edge.url, "wix", "v1", since, Date.now());
    expect(after.total - after.good).toBe(before.total - before.good);
  });

  let v2: RolloutReport;
  const seen = new Map<string, string[]>();
  // 20 visitors whose wix buckets are 0, 5, 10, … 95: every step moves some of them.
  const watched = Array.from({ length: 20 }, (_, k) => {
    for (let i = 0; ; i++) if (bucketOf("wix", `sticky-${k}-${i}`) === k * 5) return `sticky-${k}-${i}`;
  });

  /** Asks the watched visitors' releases every 500 ms until stopped, into `into`. */
  const watch = (into: Map<string, string[]>) => {
    let on = true;
    const done = (async () => {
      while (on) {
        for (const visitor of watched) {
          const r = await releaseFor(edge.url, "wix", visitor);
          into.set(visitor, [...(into.get(visitor) ?? []), r]);
        }
        await new Promise((res) => setTimeout(res, 500));
      }
    })();
    return async () => {
      on = false;
      await done;
    };
  };
  /** Every answer of the synthetic traffic with a 5xx status, as `<app> <status> ×<count>`. */
  const serverErrors = () =>
    Object.entries(traffic.stats().apps).flatMap(([app, a]) =>
      Object.entries(a.byStatus)
        .filter(([status]) => Number(status) >= 500)
        .map(([status, n]) => `${app} ${status} ×${n}`),
    );

  it("ramps v2 on the edge's own measurements: each step's canary share matches its weight, visitors sticky", async () => {
    const stop = watch(seen);
    const r = await p.glidepath(["rollout", "--stack", "local", "--version", "v2", "--json"]);
    await stop();
    expect(r.code, r.stderr).toBe(0);
    v2 = rolloutReportSchema.parse(JSON.parse(r.stdout));
    expect(v2.outcome).toBe("promoted");
    expect(v2.steps.map((s) => [s.weight, s.verdict])).toEqual([
      [5, "pass"],
      [25, "pass"],
      [50, "pass"],
      [100, "pass"],
    ]);
    const shares: string[] = [];
    for (const s of v2.steps) {
      for (const app of ["wix", "gamma"]) {
        const since = s.startedAt as number;
        const until = s.endedAt as number;
        const canary = await figures(edge.url, app, "v2", since, until);
        const stable = await figures(edge.url, app, "v1", since, until);
        const n = canary.total + stable.total;
        const share = (100 * canary.total) / n;
        // The population's own share (its visitors' buckets), then the sample's binomial spread.
        const population =
          (100 * visitors.filter((v) => bucketOf(app, v) < s.weight).length) / visitors.length;
        const sigma = 100 * Math.sqrt(((population / 100) * (1 - population / 100)) / n);
        shares.push(
          `${app}@${s.weight}%: ${share.toFixed(1)}% of ${n} (population ${population.toFixed(1)}%)`,
        );
        expect(n).toBeGreaterThan(300);
        expect(
          Math.abs(population - s.weight),
          `${app}: the visitors' buckets at ${s.weight}%`,
        ).toBeLessThanOrEqual(3);
        // The watcher's visitors (below) are spread evenly over the buckets: their share is the weight.
        expect(
          Math.abs(share - s.weight),
          `${app} at ${s.weight}%: observed ${share.toFixed(1)}%`,
        ).toBeLessThanOrEqual(Math.abs(population - s.weight) + Math.max(2, 3.5 * sigma));
        expect(canary.score).toBe(100);
        // The gate saw the same requests the edge counted for the canary, and judged them.
        expect(s.slo[app]?.requests).toBeGreaterThan(0);
      }
    }
    console.log(`observed canary shares: ${shares.join("; ")}`);
    // Sticky: a visitor never goes back to v1 once it was served v2, and some moved mid-ramp.
    // No answer lacks a release (an edge error), not even while v1 is retired at promotion.
    let moved = 0;
    const errors: string[] = [];
    let answers = 0;
    for (const [visitor, all] of seen) {
      answers += all.length;
      errors.push(...all.filter((x) => x.startsWith("HTTP ")));
      const releases = all.filter((x) => !x.startsWith("HTTP "));
      const first = releases.indexOf("wix@v2");
      if (first > 0) moved++;
      if (first >= 0) {
        expect(
          releases.slice(first).every((x) => x === "wix@v2"),
          `${visitor}: ${releases.join(" ")}`,
        ).toBe(true);
      }
    }
    expect(answers).toBeGreaterThan(0);
    expect(errors, `edge errors among ${answers} answers`).toEqual([]);
    expect(serverErrors(), "the traffic's 5xx answers across the ramp and the promotion").toEqual([]);
    expect(moved).toBeGreaterThan(5);
  });

  it("fails if the faulty v3 is not caught: the gate rolls it back and the edge serves v2 alone", async () => {
    const before = (await p.history()).length;
    const during = new Map<string, string[]>();
    const stop = watch(during);
    const r = await p.glidepath(["rollout", "--stack", "local", "--version", "v3", "--json"]);
    await stop();
    expect(r.code, r.stderr).toBe(1);
    // The rollback retires v3 while visitors are on it: none of them gets an edge error.
    const answers = [...during.values()].flat();
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((x) => x.startsWith("HTTP "))).toEqual([]);
    expect(r.stderr).toContain("GP_GATE_FAILED");
    const v3 = rolloutReportSchema.parse(JSON.parse(r.stdout));
    expect(v3.outcome).toBe("rolled_back");
    expect(v3.steps[0]).toMatchObject({
      weight: 5,
      verdict: "fail",
      reason: expect.stringMatching(/below_min/),
    });
    // The app the gate failed lost a file at the edge: its v3 figures are below the minimum.
    const s = v3.steps[0];
    const failed = (s?.reason ?? "").split(":")[0] as string;
    expect(["wix", "gamma"]).toContain(failed);
    // The gate's first sample looks one interval back from the bake's start (the canary's
    // traffic since the step's route took effect).
    const figs = await figures(
      edge.url,
      failed,
      "v3",
      lookBack(s?.startedAt as number, durationMs(DEMO_ROLLOUT.interval)),
      s?.endedAt as number,
    );
    expect(figs.score).toBeLessThan(99);
    const h = await p.history();
    expect(h.length - before).toBe(2);
    expect(h[1]?.message).toBe("glidepath canary:5 gamma@v3 wix@v3");
    expect(h[0]?.result).toBe("succeeded");
    for (const app of ["wix", "gamma"]) {
      for (let i = 0; i < 50; i++) expect(await releaseFor(edge.url, app, `after-${i}`)).toBe(`${app}@v2`);
    }
    expect(traffic.stats().failed).toBe(0);
    expect(serverErrors(), "the traffic's 5xx answers across the ramp, promotion and rollback").toEqual([]);
  });

  it("fails if a rollout on the edge source runs without an edge: exit 2, nothing deployed", async () => {
    edgeProc.child.kill("SIGINT");
    await edgeProc.done;
    await traffic.stop();
    const before = (await p.history()).length;
    const r = await p.glidepath(["rollout", "--stack", "local", "--version", "v3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("GP_EDGE_NOT_RUNNING");
    expect(r.stderr).toContain("glidepath edge --stack local");
    expect((await p.history()).length).toBe(before);
  });
});

/**
 * The SLO gate: threshold, misses, burn rate, the window's end and the traffic guard, each at
 * its boundaries; plus a property: a threshold-mode window holding a sample below the minimum
 * never passes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sloSummarySchema } from "../../automation/lib/events/schema";
import {
  burnRate,
  DEFAULT_BURN,
  type GateSpec,
  type GateVerdict,
  judgeGate,
  summarizeSamples,
} from "../../automation/lib/slo/gate";
import { MISS_KINDS, type MissKind, type SloSample } from "../../automation/lib/slo/sample";
import { durationMs, rolloutSchema } from "../../infra/config";

const spec: GateSpec = { minSlo: 99, maxMisses: 3, maxMissRatio: 1, mode: "threshold", minRequests: 0 };
const ok = (score: number, at = 0, counts?: { good: number; total: number }): SloSample => ({
  ok: true,
  at,
  score,
  ...counts,
});
const miss = (kind: MissKind = "error", at = 0): SloSample => ({
  ok: false,
  at,
  miss: kind,
  detail: `d-${kind}`,
});
const during = { startedAt: 0, endsAt: 10_000, now: 5_000 };
const ended = { startedAt: 0, endsAt: 10_000, now: 10_000 };

describe("judgeGate (threshold)", () => {
  const table: [string, Partial<GateSpec>, SloSample[], typeof during, GateVerdict][] = [
    ["no samples yet is pending", {}, [], during, { status: "pending" }],
    ["good samples during the window are pending", {}, [ok(99.5), ok(100)], during, { status: "pending" }],
    [
      "a score exactly at the minimum passes",
      {},
      [ok(99.5), ok(99)],
      ended,
      { status: "pass", samples: 2, minScore: 99 },
    ],
    [
      "one millisecond before the end is still pending",
      {},
      [ok(100)],
      { ...ended, now: 9_999 },
      { status: "pending" },
    ],
    ["exactly at endsAt is final", {}, [ok(100)], ended, { status: "pass", samples: 1, minScore: 100 }],
    [
      "past endsAt is final",
      {},
      [ok(100)],
      { ...ended, now: 12_000 },
      { status: "pass", samples: 1, minScore: 100 },
    ],
    [
      "a sample below the minimum fails at once",
      {},
      [ok(99.5), ok(97)],
      during,
      { status: "fail", reason: "below_min", detail: "sample 97.00 < min 99.00" },
    ],
    [
      "a sample just below the minimum shows enough digits",
      {},
      [ok(98.999)],
      during,
      { status: "fail", reason: "below_min", detail: "sample 98.999 < min 99" },
    ],
    [
      "a low sample fails even when later samples are good",
      {},
      [ok(90), ok(100), ok(100)],
      ended,
      { status: "fail", reason: "below_min", detail: "sample 90.00 < min 99.00" },
    ],
    [
      "maxMisses misses in a row fail closed, naming their kinds and the last detail",
      {},
      [ok(100), miss("timeout"), miss("not_json"), miss("error")],
      during,
      {
        status: "fail",
        reason: "misses",
        detail: "3 failed samples in a row (timeout, not_json, error); last: d-error",
      },
    ],
    [
      "runs of one kind are collapsed",
      { maxMisses: 4 },
      [miss("timeout"), miss("timeout"), miss("timeout"), miss("bad_shape")],
      during,
      {
        status: "fail",
        reason: "misses",
        detail: "4 failed samples in a row (timeout ×3, bad_shape); last: d-bad_shape",
      },
    ],
    ["maxMisses − 1 misses are pending", {}, [miss(), miss()], during, { status: "pending" }],
    [
      "an ok sample resets the streak",
      {},
      [miss(), miss(), ok(100), miss(), miss()],
      during,
      { status: "pending" },
    ],
    [
      "maxMisses 1 fails on the first miss",
      { maxMisses: 1 },
      [ok(100), miss("out_of_range")],
      during,
      {
        status: "fail",
        reason: "misses",
        detail: "1 failed sample in a row (out_of_range); last: d-out_of_range",
      },
    ],
    [
      "the first failure in sample order wins (misses before a low score)",
      {},
      [miss(), miss(), miss(), ok(1)],
      during,
      { status: "fail", reason: "misses", detail: "3 failed samples in a row (error ×3); last: d-error" },
    ],
    [
      "the first failure in sample order wins (a low score before misses)",
      {},
      [ok(1), miss(), miss(), miss()],
      during,
      { status: "fail", reason: "below_min", detail: "sample 1.00 < min 99.00" },
    ],
    [
      "a window ending with misses only fails closed",
      {},
      [miss(), miss()],
      ended,
      { status: "fail", reason: "misses", detail: "no successful sample in the window" },
    ],
    [
      "a window ending with no sample fails closed",
      {},
      [],
      ended,
      { status: "fail", reason: "misses", detail: "no successful sample in the window" },
    ],
    [
      "misses and an ok sample at the end pass (misses count; the minimum is over ok samples)",
      {},
      [miss(), miss(), ok(99.4)],
      ended,
      { status: "pass", samples: 3, minScore: 99.4 },
    ],
    [
      "the guard reports too little traffic",
      { minRequests: 100 },
      [ok(100, 0, { good: 40, total: 40 }), miss(), ok(100, 1, { good: 59, total: 59 })],
      ended,
      { status: "insufficient_traffic", requests: 99, needed: 100 },
    ],
    [
      "the guard passes at exactly minRequests",
      { minRequests: 100 },
      [ok(100, 0, { good: 60, total: 60 }), ok(100, 1, { good: 40, total: 40 })],
      ended,
      { status: "pass", samples: 2, minScore: 100 },
    ],
    [
      "the guard cannot apply to score-only samples: the window passes (its traffic is unknown)",
      { minRequests: 1 },
      [ok(100), ok(100)],
      ended,
      { status: "pass", samples: 2, minScore: 100 },
    ],
    [
      "the guard counts only the counted samples of a mixed window",
      { minRequests: 10 },
      [ok(100), ok(100, 0, { good: 9, total: 9 })],
      ended,
      { status: "insufficient_traffic", requests: 9, needed: 10 },
    ],
    [
      "the guard sees a no-traffic sample (score 100, total 0) as no requests",
      { minRequests: 1 },
      [ok(100, 0, { good: 0, total: 0 })],
      ended,
      { status: "insufficient_traffic", requests: 0, needed: 1 },
    ],
    [
      "with the guard off, a no-traffic window passes",
      {},
      [ok(100, 0, { good: 0, total: 0 })],
      ended,
      { status: "pass", samples: 1, minScore: 100 },
    ],
    [
      "the guard waits for the window's end",
      { minRequests: 100 },
      [ok(100, 0, { good: 1, total: 1 })],
      during,
      { status: "pending" },
    ],
    [
      "a low score fails before the guard is consulted",
      { minRequests: 100 },
      [ok(50, 0, { good: 1, total: 2 })],
      ended,
      { status: "fail", reason: "below_min", detail: "sample 50.00 < min 99.00" },
    ],
  ];
  it.each(table)("%s", (_what, over, samples, window, verdict) => {
    expect(judgeGate({ ...spec, ...over }, samples, window)).toEqual(verdict);
  });

  it("fails a window whose share of failed samples is above maxMissRatio, though never 3 in a row", () => {
    const flaky = [ok(100), miss("error"), ok(100), miss("timeout")];
    const gate = { ...spec, maxMissRatio: 0.25 };
    expect(judgeGate(gate, flaky, during)).toEqual({ status: "pending" });
    expect(judgeGate(gate, flaky, ended)).toEqual({
      status: "fail",
      reason: "misses",
      detail: "2 of 4 samples failed (50% > 25%); last: d-timeout",
    });
    const alternating = Array.from({ length: 21 }, (_, i) => (i % 2 === 0 ? ok(100) : miss("error")));
    expect(judgeGate(gate, alternating, ended)).toMatchObject({
      status: "fail",
      reason: "misses",
      detail: "10 of 21 samples failed (48% > 25%); last: d-error",
    });
  });

  it("passes a window whose share of failed samples is at maxMissRatio", () => {
    const samples = [miss(), ok(100), ok(100), ok(100)];
    expect(judgeGate({ ...spec, maxMissRatio: 0.25 }, samples, ended)).toEqual({
      status: "pass",
      samples: 4,
      minScore: 100,
    });
    expect(judgeGate({ ...spec, maxMissRatio: 0 }, samples, ended)).toMatchObject({
      status: "fail",
      detail: "1 of 4 samples failed (25% > 0%); last: d-error",
    });
  });

  it("never passes a window holding a sample below the minimum", () => {
    const sample = fc.oneof(
      fc.double({ min: 0, max: 100, noNaN: true }).map((s) => ok(s)),
      fc
        .record({ good: fc.nat(1000), bad: fc.nat(1000) })
        .map(({ good, bad }) =>
          ok(good + bad === 0 ? 100 : (100 * good) / (good + bad), 0, { good, total: good + bad }),
        ),
      fc.constantFrom(...MISS_KINDS).map((k) => miss(k)),
    );
    const gate = fc.record({
      minSlo: fc.double({ min: 0, max: 100, noNaN: true }),
      maxMisses: fc.integer({ min: 1, max: 5 }),
      maxMissRatio: fc.double({ min: 0, max: 1, noNaN: true }),
      minRequests: fc.nat(2000),
    });
    fc.assert(
      fc.property(
        gate,
        fc.array(sample, { maxLength: 30 }),
        fc.integer({ min: 0, max: 20_000 }),
        (g, samples, now) => {
          fc.pre(samples.some((s) => s.ok && s.score < g.minSlo));
          const v = judgeGate({ ...g, mode: "threshold" }, samples, { ...ended, now });
          expect(v.status).not.toBe("pass");
        },
      ),
    );
  });
});

describe("judgeGate (burn rate)", () => {
  // Objective 99.9: a 0.1% error budget, so 2% errors burn it 20× and 1% 10×.
  const burn: GateSpec = {
    ...spec,
    mode: "burn-rate",
    burn: { objective: 99.9, longWindowMs: 60_000, shortWindowMs: 5_000, maxBurnRate: 14.4 },
  };
  const counts = (bad: number, total: number, at: number) =>
    ok(100 - (100 * bad) / total, at, { good: total - bad, total });

  it("computes the burn rate over [now − window, now], ignoring samples without counts", () => {
    const samples = [counts(20, 1000, 0), counts(0, 1000, 5_000), ok(1, 5_000), miss("error", 5_000)];
    expect(burnRate(samples, 99.9, 5_000, 5_000)).toBeCloseTo(10);
    expect(burnRate(samples, 99.9, 5_000, 4_999)).toBe(0);
    expect(burnRate(samples, 99.9, 4_999, 60_000)).toBeCloseTo(20);
    expect(burnRate([ok(1, 0)], 99.9, 0, 1000)).toBeNull();
    expect(burnRate([counts(1, 1000, 10)], 99.9, 0, 1000)).toBeNull();
  });

  const table: [string, SloSample[], number, GateVerdict["status"], string?][] = [
    [
      "fails when both windows burn faster than the maximum",
      [counts(20, 1000, 1000), counts(20, 1000, 4000)],
      4000,
      "fail",
      "burn_rate",
    ],
    [
      "passes on when only the long window burns (a spike that stopped)",
      [counts(200, 1000, 1000), counts(0, 1000, 9000)],
      9000,
      "pending",
    ],
    [
      "passes on when only the short window burns (a blip)",
      [counts(0, 100_000, 1000), counts(20, 1000, 9000)],
      9000,
      "pending",
    ],
    ["ignores scores below minSlo (the budget decides)", [counts(0, 1000, 0), ok(50, 0)], 10_000, "pass"],
    [
      "fails closed at the end without one counted sample",
      [ok(100, 0), ok(100, 1)],
      10_000,
      "fail",
      "misses",
    ],
    ["still fails closed on a miss streak", [miss(), miss(), miss()], 5_000, "fail", "misses"],
  ];
  it.each(table)("%s", (_what, samples, now, status, reason) => {
    const v = judgeGate(burn, samples, { ...ended, now });
    expect(v.status).toBe(status);
    if (reason !== undefined) expect(v).toMatchObject({ reason });
  });

  it("fails only above the maximum, not at it", () => {
    // Objective 99: a 1% budget; 2% errors burn exactly 2×.
    const exact: GateSpec = {
      ...burn,
      burn: { objective: 99, longWindowMs: 60_000, shortWindowMs: 5_000, maxBurnRate: 2 },
    };
    expect(judgeGate(exact, [counts(20, 1000, 1000)], { ...during, now: 1000 })).toEqual({
      status: "pending",
    });
    expect(judgeGate(exact, [counts(21, 1000, 1000)], { ...during, now: 1000 })).toMatchObject({
      reason: "burn_rate",
    });
  });

  it("names both burn rates when it fails", () => {
    expect(judgeGate(burn, [counts(20, 1000, 1000)], { ...during, now: 1000 })).toEqual({
      status: "fail",
      reason: "burn_rate",
      detail: "error budget burning 20.0× (long) and 20.0× (short) > 14.4×",
    });
  });

  it("defaults the burn settings to glidepath:rollout.burn's defaults (99.9, 1h, 5m, 14.4)", () => {
    const { burn: _, ...noBurn } = burn;
    const b = rolloutSchema.parse({}).burn;
    expect(DEFAULT_BURN).toEqual({
      objective: b.objective,
      longWindowMs: durationMs(b.longWindow),
      shortWindowMs: durationMs(b.shortWindow),
      maxBurnRate: b.maxBurnRate,
    });
    const long = { startedAt: 0, endsAt: 1_000_000 };
    expect(judgeGate(noBurn, [counts(20, 1000, 0)], { ...long, now: 300_000 })).toMatchObject({
      reason: "burn_rate",
    });
    expect(judgeGate(noBurn, [counts(20, 1000, 0)], { ...long, now: 300_001 })).toEqual({
      status: "pending",
    });
  });

  it("applies the traffic guard to counted samples", () => {
    expect(judgeGate({ ...burn, minRequests: 5000 }, [counts(0, 1000, 0), ok(100, 0)], ended)).toEqual({
      status: "insufficient_traffic",
      requests: 1000,
      needed: 5000,
    });
  });
});

describe("summarizeSamples", () => {
  it("counts samples and misses, with the lowest and latest scores", () => {
    expect(summarizeSamples([ok(99.5), miss(), ok(99.1), ok(99.8), miss()])).toEqual({
      count: 5,
      misses: 2,
      minScore: 99.1,
      lastScore: 99.8,
      traffic: "unknown",
    });
    expect(summarizeSamples([miss()])).toEqual({
      count: 1,
      misses: 1,
      minScore: null,
      lastScore: null,
      traffic: "unknown",
    });
    expect(summarizeSamples([])).toEqual({
      count: 0,
      misses: 0,
      minScore: null,
      lastScore: null,
      traffic: "unknown",
    });
  });

  it("records traffic: counted with counts and unknown for score-only samples (the guard could not apply)", () => {
    expect(summarizeSamples([ok(100), ok(99.5)])).toMatchObject({ traffic: "unknown" });
    expect(summarizeSamples([ok(100), ok(100, 0, { good: 0, total: 0 })])).toEqual({
      count: 2,
      misses: 0,
      minScore: 100,
      lastScore: 100,
      requests: 0,
      good: 0,
      traffic: "counted",
    });
  });

  it("fits the SLO summary schema of reports and SWARM events, which still reads lines without traffic", () => {
    expect(sloSummarySchema.parse(summarizeSamples([ok(100)]))).toMatchObject({ traffic: "unknown" });
    const old = { count: 1, misses: 0, minScore: 100, lastScore: 100 };
    expect(sloSummarySchema.parse(old)).toEqual(old);
    expect(sloSummarySchema.safeParse({ ...old, traffic: "guessed" }).success).toBe(false);
  });
});

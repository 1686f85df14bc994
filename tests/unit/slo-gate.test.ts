/**
 * The SLO gate: threshold, misses, burn rate, the window's end and the traffic guard.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { burnRate, type GateSpec, judgeGate, summarizeSamples } from "../../automation/lib/slo/gate";
import type { SloSample } from "../../automation/lib/slo/sample";

const spec: GateSpec = {
  minSlo: 99,
  maxMisses: 3,
  mode: "threshold",
  burn: { objective: 99.9, longWindowMs: 60_000, shortWindowMs: 5_000, maxBurnRate: 14.4 },
  minRequests: 0,
};
const ok = (score: number, at = 0, counts?: { good: number; total: number }): SloSample => ({
  ok: true,
  at,
  score,
  ...counts,
});
const miss = (kind: "error" | "timeout" | "not_json" = "error", at = 0): SloSample => ({
  ok: false,
  at,
  miss: kind,
  detail: kind,
});
const during = { startedAt: 0, endsAt: 10_000, now: 5_000 };
const ended = { startedAt: 0, endsAt: 10_000, now: 10_000 };

describe("judgeGate (threshold)", () => {
  it("is pending while the window runs and every sample is good", () => {
    expect(judgeGate(spec, [ok(99.5), ok(99)], during)).toEqual({ status: "pending" });
  });
  it("passes at the window's end; a score exactly at the minimum passes", () => {
    expect(judgeGate(spec, [ok(99.5), ok(99)], ended)).toEqual({ status: "pass", samples: 2, minScore: 99 });
  });
  it("fails at once on a sample below the minimum", () => {
    expect(judgeGate(spec, [ok(99.5), ok(98.99)], during)).toEqual({
      status: "fail",
      reason: "below_min",
      detail: "sample 98.99 < min 99.00",
    });
  });
  it("fails closed after maxMisses misses in a row, naming their kinds", () => {
    expect(judgeGate(spec, [ok(100), miss("timeout"), miss("not_json"), miss("error")], during)).toEqual({
      status: "fail",
      reason: "misses",
      detail: "3 failed samples in a row (timeout, not_json, error)",
    });
  });
  it("resets the miss streak on a good sample", () => {
    expect(judgeGate(spec, [miss(), miss(), ok(100), miss(), miss()], during)).toEqual({ status: "pending" });
  });
  it("fails closed at the window's end with no good sample", () => {
    expect(judgeGate(spec, [miss(), miss()], ended)).toMatchObject({ status: "fail", reason: "misses" });
  });
  it("reports too little traffic at the window's end when the guard is on", () => {
    const guarded = { ...spec, minRequests: 100 };
    expect(judgeGate(guarded, [ok(100, 0, { good: 40, total: 40 })], ended)).toEqual({
      status: "insufficient_traffic",
      requests: 40,
      needed: 100,
    });
    expect(
      judgeGate(guarded, [ok(100, 0, { good: 60, total: 60 }), ok(100, 1, { good: 40, total: 40 })], ended),
    ).toMatchObject({
      status: "pass",
    });
  });
  it("never passes a sequence that holds a sample below the minimum", () => {
    const sample = fc.oneof(
      fc.double({ min: 0, max: 100, noNaN: true }).map((s) => ok(s)),
      fc.constant(miss()),
    );
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 30 }), (samples) => {
        const v = judgeGate(spec, samples, ended);
        if (samples.some((s) => s.ok && s.score < spec.minSlo)) expect(v.status).not.toBe("pass");
      }),
    );
  });
});

describe("judgeGate (burn rate)", () => {
  const burn: GateSpec = { ...spec, mode: "burn-rate" };
  const counts = (bad: number, total: number, at: number) =>
    ok(100 - (100 * bad) / total, at, { good: total - bad, total });
  it("fails when both windows burn faster than the maximum", () => {
    // 2% errors against a 0.1% budget: burn 20× in both windows.
    const samples = [counts(20, 1000, 1000), counts(20, 1000, 4000)];
    expect(judgeGate(burn, samples, { ...during, now: 4000 })).toMatchObject({
      status: "fail",
      reason: "burn_rate",
    });
  });
  it("passes when only the long window burns (an old spike that has stopped)", () => {
    const samples = [counts(200, 1000, 1000), counts(0, 1000, 9000)];
    expect(burnRate(samples, 99.9, 9000, 60_000)).toBeCloseTo(100);
    expect(burnRate(samples, 99.9, 9000, 5_000)).toBe(0);
    expect(judgeGate(burn, samples, { ...during, now: 9000 })).toEqual({ status: "pending" });
  });
  it("ignores scores below minSlo (the budget decides) and samples without counts", () => {
    expect(judgeGate(burn, [ok(50)], ended)).toMatchObject({ status: "pass" });
    expect(burnRate([ok(50)], 99.9, 0, 1000)).toBeNull();
  });
});

describe("summarizeSamples", () => {
  it("counts samples and misses, with the lowest and latest scores", () => {
    expect(summarizeSamples([ok(99.5), miss(), ok(99.1), ok(99.8)])).toEqual({
      count: 4,
      misses: 1,
      minScore: 99.1,
      lastScore: 99.8,
    });
    expect(summarizeSamples([miss()])).toEqual({ count: 1, misses: 1, minScore: null, lastScore: null });
  });
});

/** The ramp's expected duration, printed by `check` and `rollout` before anything starts. */
import { describe, expect, it } from "vitest";
import { formatDuration, rampBakeMs, rampDurationLine } from "../../automation/lib/ramp-duration";

const MIN = 60_000;

describe("rampBakeMs", () => {
  it("the default ramp (5,25,50,100; 10m windows, 15m last) bakes for 45 minutes", () => {
    expect(rampBakeMs({ steps: [5, 25, 50, 100], windowMs: 10 * MIN, finalWindowMs: 15 * MIN })).toBe(
      45 * MIN,
    );
  });

  it("a single step bakes for the final window only; no steps, nothing", () => {
    expect(rampBakeMs({ steps: [100], windowMs: 10 * MIN, finalWindowMs: 15 * MIN })).toBe(15 * MIN);
    expect(rampBakeMs({ steps: [], windowMs: 10 * MIN, finalWindowMs: 15 * MIN })).toBe(0);
  });
});

describe("rampDurationLine", () => {
  it("says the total and how it adds up", () => {
    expect(rampDurationLine({ steps: [5, 25, 50, 100], windowMs: 10 * MIN, finalWindowMs: 15 * MIN })).toBe(
      "4 steps bake for about 45m (3 × 10m, then 15m), plus one update per step",
    );
    expect(rampDurationLine({ steps: [100], windowMs: 6000, finalWindowMs: 6000 })).toBe(
      "1 step bake for about 6s (6s), plus one update per step",
    );
  });

  it("formats hours, minutes and seconds", () => {
    expect(formatDuration(65 * MIN + 30_000)).toBe("1h 5m 30s");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(90_000)).toBe("1m 30s");
  });
});

/**
 * The bake window with a fake clock and source: the verdict over all apps and the warnings it
 * hands the driver (a window judged only on score-only samples while a traffic minimum is set).
 */
import { describe, expect, it } from "vitest";
import { type BakeOptions, bake } from "../../automation/lib/driver/bake";
import type { GateSpec } from "../../automation/lib/slo/gate";
import type { SloSample, SloSource } from "../../automation/lib/slo/sample";

const gate: GateSpec = { minSlo: 99, maxMisses: 3, maxMissRatio: 0.25, mode: "threshold", minRequests: 100 };

/** A bake of `windowMs` sampled every second on a fake clock; `answer` gives each app's samples. */
function fakeBake(answer: (app: string, i: number) => SloSample, over: Partial<BakeOptions> = {}) {
  let t = 0;
  const rounds = new Map<string, number>();
  const source: SloSource = {
    describe: () => "fake",
    sample: async (app) => {
      const i = rounds.get(app) ?? 0;
      rounds.set(app, i + 1);
      return answer(app, i);
    },
  };
  return bake({
    apps: ["gamma", "wix"],
    source,
    gate,
    windowMs: 3_000,
    intervalMs: 1_000,
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
    ...over,
  });
}

describe("bake", () => {
  it("warns once when a window passed on score-only samples while minRequests is set", async () => {
    const r = await fakeBake((app) =>
      app === "wix" ? { ok: true, at: 0, score: 100 } : { ok: true, at: 0, score: 100, good: 50, total: 50 },
    );
    expect(r.verdict).toEqual({ status: "pass" });
    expect(r.warnings).toEqual([
      "the SLO source (fake) gave scores without good/total counts for wix: the minimum-traffic guard (minRequests 100) could not apply; the step's report says traffic: unknown",
    ]);
    const onlyScores = await fakeBake(() => ({ ok: true, at: 0, score: 100 }));
    expect(onlyScores.verdict).toEqual({ status: "pass" });
    expect(onlyScores.warnings).toEqual([
      "the SLO source (fake) gave scores without good/total counts for gamma, wix: the minimum-traffic guard (minRequests 100) could not apply; the step's report says traffic: unknown",
    ]);
  });

  it("gives no warning with counts, or with the guard off", async () => {
    const counted = await fakeBake(() => ({ ok: true, at: 0, score: 100, good: 40, total: 40 }));
    expect(counted).toMatchObject({ verdict: { status: "pass" }, warnings: [] });
    const off = await fakeBake(() => ({ ok: true, at: 0, score: 100 }), {
      gate: { ...gate, minRequests: 0 },
    });
    expect(off).toMatchObject({ verdict: { status: "pass" }, warnings: [] });
  });
});

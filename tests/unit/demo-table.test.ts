import { describe, expect, it } from "vitest";
import { observedShare, renderStepTable, type StepRow } from "../../automation/lib/demo/table";

const row = (canary: number, stable: number, judgedScore = 100): StepRow => ({
  version: "v2",
  stable: "v1",
  app: "wix",
  weight: 25,
  verdict: "pass",
  canaryFigures: { total: canary, good: canary, score: 100 },
  stableFigures: { total: stable, good: stable, score: 100 },
  canaryJudged: { total: canary + 1, good: canary, score: judgedScore },
});

describe("the demo's step table", () => {
  it("computes the canary's share of an app's requests, null without requests", () => {
    expect(observedShare(row(25, 75))).toBe(25);
    expect(observedShare(row(0, 0))).toBeNull();
  });

  it("shows the share from the bake window and the canary's SLO from what the gate judged", () => {
    const text = renderStepTable([{ ...row(1, 19, 50), verdict: "fail", reason: "wix: below_min" }]);
    const [head, line] = text.split("\n");
    expect(head).toMatch(
      /^ramp\s+app\s+weight\s+share\s+canary req\s+canary SLO\s+stable req\s+stable SLO\s+verdict$/,
    );
    expect(line).toMatch(/^v1→v2\s+wix\s+25%\s+5\.0%\s+1\s+50\.0%\s+19\s+100\.0%\s+fail \(wix: below_min\)$/);
  });
});

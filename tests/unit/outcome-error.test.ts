/**
 * How a finished rollout ends: the error code comes from what rolled the ramp back (the
 * report's `cause`), never from the wording of its reason.
 */
import { expect, it } from "vitest";
import type { RolloutReport } from "../../automation/lib/driver/report";
import { outcomeError } from "../../automation/lib/driver/rollout-session";

const rolledBack = (reason: string, cause?: RolloutReport["cause"]): RolloutReport => ({
  stack: "local",
  rampId: "r1",
  version: "v2",
  apps: ["wix"],
  outcome: "rolled_back",
  resumed: false,
  steps: [],
  reason,
  ...(cause ? { cause } : {}),
  rollback: { restored: 3, message: "glidepath rollback", fromFailureMs: 10 },
});

it("names a failed gate GP_GATE_FAILED, whatever its reason says", () => {
  const e = outcomeError(rolledBack("the update of step 2 looked slow: wix below_min", "gate"));
  expect([e?.code, e?.exitCode]).toEqual(["GP_GATE_FAILED", 1]);
  expect(e?.message).toBe(
    "the ramp of wix to v2 was rolled back to update 3: the update of step 2 looked slow: wix below_min",
  );
});

it("names a ramp stopped by an error GP_RAMP_ABORTED, including reasons no pattern knew", () => {
  for (const reason of ["step 4 is outside the plan (0–3)", "an interrupted rollback", "wix: below_min"]) {
    expect(outcomeError(rolledBack(reason, "error"))?.code).toBe("GP_RAMP_ABORTED");
  }
});

it("does not call a rollback of unknown cause a gate failure (a report from an older driver)", () => {
  expect(outcomeError(rolledBack("finishing an interrupted rolling_back"))?.code).toBe("GP_RAMP_ABORTED");
});

/**
 * decideNext: every combination of step position, update outcome and verdict, plus a
 * property: a ramp driven only by passing verdicts always ends promoted after one advance per
 * step, and a failing verdict always aborts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decideNext,
  type Intent,
  type Observations,
  type StepVerdict,
} from "../../automation/lib/driver/decide";

const plan = { steps: [5, 25, 50, 100], maxHolds: 1 };
const obs = (o: Partial<Observations>): Observations => ({
  step: -1,
  applied: true,
  verdict: null,
  holds: 0,
  promoted: false,
  ...o,
});
const pass: StepVerdict = { status: "pass" };
const fail: StepVerdict = { status: "fail", reason: "wix: below_min (sample 97.00 < min 99.00)" };
const thin: StepVerdict = { status: "insufficient_traffic", detail: "wix 3/100 requests" };

describe("decideNext", () => {
  const table: [string, Observations, Intent][] = [
    ["starts at the first step", obs({}), { kind: "advance", step: 0, weight: 5 }],
    ["bakes an applied, unjudged step", obs({ step: 0 }), { kind: "bake", step: 0, final: false }],
    ["bakes the last step with its final window", obs({ step: 3 }), { kind: "bake", step: 3, final: true }],
    ["advances after a pass", obs({ step: 0, verdict: pass }), { kind: "advance", step: 1, weight: 25 }],
    [
      "advances from the second-to-last step",
      obs({ step: 2, verdict: pass }),
      { kind: "advance", step: 3, weight: 100 },
    ],
    ["promotes after the last step passes", obs({ step: 3, verdict: pass }), { kind: "promote" }],
    ["is done once promoted", obs({ step: 3, verdict: pass, promoted: true }), { kind: "done" }],
    [
      "aborts on a failed gate",
      obs({ step: 1, verdict: fail }),
      { kind: "abort", reason: fail.reason, cause: "gate" },
    ],
    [
      "aborts on a failed gate at the last step",
      obs({ step: 3, verdict: fail }),
      { kind: "abort", reason: fail.reason, cause: "gate" },
    ],
    [
      "aborts when the step's update failed",
      obs({ step: 1, applied: false }),
      { kind: "abort", reason: "the update of step 2 failed", cause: "error" },
    ],
    [
      "aborts when the promotion failed, naming the promotion (not a step)",
      obs({ step: 3, verdict: pass, promotionFailed: "GP_UPDATE_FAILED" }),
      { kind: "abort", reason: "the promotion failed: GP_UPDATE_FAILED", cause: "error" },
    ],
    [
      "aborts on any other error once a canary is live (unknown means fail closed)",
      obs({ step: 1, verdict: pass, failure: "cannot parse Pulumi.local.yaml" }),
      { kind: "abort", reason: "cannot parse Pulumi.local.yaml", cause: "error" },
    ],
    [
      "aborts when the first step's update was started and then failed with an error",
      obs({ step: -1, started: true, failure: "spawn ENOENT" }),
      { kind: "abort", reason: "spawn ENOENT", cause: "error" },
    ],
    [
      "stops without a rollback on an error before any update started",
      obs({ step: -1, failure: "event log unwritable" }),
      { kind: "stop", reason: "event log unwritable" },
    ],
    [
      "rolls back when interrupted with a canary live, even mid-bake with a passing verdict",
      obs({ step: 2, verdict: pass, interrupted: "SIGTERM" }),
      { kind: "abort", reason: "interrupted by SIGTERM", cause: "signal" },
    ],
    [
      "stops when interrupted before the first update",
      obs({ step: -1, interrupted: "SIGINT" }),
      { kind: "stop", reason: "interrupted by SIGINT" },
    ],
    [
      "is done when interrupted after the promotion succeeded",
      obs({ step: 3, verdict: pass, promoted: true, interrupted: "SIGINT" }),
      { kind: "done" },
    ],
    [
      "holds on too little traffic",
      obs({ step: 1, verdict: thin }),
      { kind: "hold", step: 1, reason: "wix 3/100 requests" },
    ],
    [
      "fails closed when holds are used up",
      obs({ step: 1, verdict: thin, holds: 1 }),
      { kind: "abort", reason: "not enough traffic to judge the step: wix 3/100 requests", cause: "gate" },
    ],
    [
      "rolls back a resumed ramp on a held stack, as a gate failure",
      obs({ step: 1, held: "the stack is failing" }),
      { kind: "abort", reason: "the stack is failing", cause: "gate" },
    ],
    [
      "aborts on a step outside the plan",
      obs({ step: 4 }),
      { kind: "abort", reason: "step 4 is outside the plan (0–3)", cause: "error" },
    ],
  ];
  it.each(table)("%s", (_name, o, intent) => {
    expect(decideNext(plan, o)).toEqual(intent);
  });

  it("never promotes without a pass on the last step, and always aborts on a failure", () => {
    const verdict = fc.constantFrom<StepVerdict | null>(null, pass, fail, thin);
    fc.assert(
      fc.property(
        fc.integer({ min: -1, max: 3 }),
        fc.boolean(),
        verdict,
        fc.integer({ min: 0, max: 3 }),
        (step, applied, v, holds) => {
          const intent = decideNext(plan, obs({ step, applied, verdict: v, holds }));
          if (intent.kind === "promote") expect(step === 3 && applied && v?.status === "pass").toBe(true);
          if (step >= 0 && v?.status === "fail") expect(intent.kind).toBe("abort");
          if (step >= 0 && !applied) expect(intent.kind).toBe("abort");
        },
      ),
    );
  });

  it("never advances or promotes once interrupted or failed, and rolls back whenever a canary may be live", () => {
    const verdict = fc.constantFrom<StepVerdict | null>(null, pass, fail, thin);
    fc.assert(
      fc.property(
        fc.integer({ min: -1, max: 3 }),
        fc.boolean(),
        verdict,
        fc.option(fc.constantFrom("SIGINT", "SIGTERM"), { nil: undefined }),
        fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
        (step, started, v, interrupted, failure, promotionFailed) => {
          fc.pre(interrupted !== undefined || failure !== undefined || promotionFailed !== undefined);
          const intent = decideNext(
            plan,
            obs({ step, started: started || step >= 0, verdict: v, interrupted, failure, promotionFailed }),
          );
          expect(["advance", "promote", "bake", "hold"]).not.toContain(intent.kind);
          if (started || step >= 0) expect(intent.kind).toBe("abort");
        },
      ),
    );
  });

  it("drives a healthy ramp through one advance per step, then promotion", () => {
    let o = obs({});
    const seen: string[] = [];
    for (let i = 0; i < 20; i++) {
      const intent = decideNext(plan, o);
      seen.push(intent.kind === "advance" ? `advance:${intent.weight}` : intent.kind);
      if (intent.kind === "done") break;
      if (intent.kind === "advance") o = obs({ step: intent.step });
      else if (intent.kind === "bake") o = { ...o, verdict: pass };
      else if (intent.kind === "promote") o = { ...o, promoted: true };
    }
    expect(seen).toEqual([
      "advance:5",
      "bake",
      "advance:25",
      "bake",
      "advance:50",
      "bake",
      "advance:100",
      "bake",
      "promote",
      "done",
    ]);
  });
});

/**
 * Production admission (pure rule): a fresh PASS for exactly the bundles and the policy of now
 * admits; each other case is refused with its own code, exit 2, naming what differs and the
 * remedy `glidepath gate --stack S`.
 */
import { describe, expect, it } from "vitest";
import { type AdmissionInput, judgeAdmission, type ReadVerdict } from "../../automation/lib/gate/admit";
import type { GateVerdict } from "../../automation/lib/gate/verdict";

const A = "a".repeat(64);
const B = "b".repeat(64);
const P = "c".repeat(64);
const T0 = new Date("2026-12-02T10:00:00.000Z");

const verdict = (over: Partial<GateVerdict> = {}): ReadVerdict => ({
  kind: "verdict",
  verdict: {
    schema: "glidepath.gate-verdict/v1",
    stack: "production",
    result: "PASS",
    time: T0.toISOString(),
    ttlSeconds: 600,
    bundles: { "wix@v1": A, "wasm:edge": B },
    policyDigest: P,
    evidence: {},
    checks: [{ id: "config", title: "config valid", status: "PASS", detail: "ok" }],
    ...over,
  },
});
const now: AdmissionInput = {
  stack: "production",
  bundles: { "wix@v1": A, "wasm:edge": B },
  policyDigest: P,
  now: new Date(T0.getTime() + 60_000),
};

const refusal = (read: ReadVerdict, input = now) => {
  const e = judgeAdmission(read, input);
  return e === undefined ? undefined : { code: e.code, exit: e.exitCode, message: e.message, fix: e.remedy };
};

describe("judgeAdmission", () => {
  it("admits a fresh PASS for exactly these bundles and this policy", () => {
    expect(judgeAdmission(verdict(), now)).toBeUndefined();
  });

  it("GP_GATE_MISSING without a verdict, an unreadable one, or one of another stack", () => {
    for (const read of [
      { kind: "absent" } as const,
      { kind: "unreadable", why: "not JSON" } as const,
      verdict({ stack: "staging" }),
    ]) {
      const r = refusal(read);
      expect(r).toMatchObject({ code: "GP_GATE_MISSING", exit: 2 });
      expect(r?.fix).toContain("glidepath gate --stack production");
    }
  });

  it("GP_GATE_FAILED for a FAIL, naming the failed checks", () => {
    const r = refusal(
      verdict({
        result: "FAIL",
        checks: [{ id: "baseline", title: "b", status: "FAIL", detail: "no baseline" }],
      }),
    );
    expect(r).toMatchObject({ code: "GP_GATE_FAILED", exit: 2 });
    expect(r?.message).toContain("baseline: no baseline");
  });

  it("GP_GATE_BUNDLE_CHANGED when a bundle changed, appeared or went, naming it", () => {
    const changed = refusal(verdict(), { ...now, bundles: { "wix@v1": "d".repeat(64), "wasm:edge": B } });
    expect(changed).toMatchObject({ code: "GP_GATE_BUNDLE_CHANGED", exit: 2 });
    expect(changed?.message).toContain("wix@v1 changed (gate passed aaaaaaaaaaaa…, now dddddddddddd…)");
    const added = refusal(verdict(), { ...now, bundles: { ...now.bundles, "wix@v2": A } });
    expect(added?.message).toContain("wix@v2 is new");
    const gone = refusal(verdict(), { ...now, bundles: { "wix@v1": A } });
    expect(gone?.message).toContain("wasm:edge is gone");
  });

  it("GP_GATE_POLICY_CHANGED when the gate config or the baseline changed", () => {
    const r = refusal(verdict(), { ...now, policyDigest: "e".repeat(64) });
    expect(r).toMatchObject({ code: "GP_GATE_POLICY_CHANGED", exit: 2 });
    expect(r?.message).toContain("deploy_baseline.env");
  });

  it("GP_GATE_STALE past the TTL (and for a verdict dated in the future), admitted up to it", () => {
    const at = (s: number) => ({ ...now, now: new Date(T0.getTime() + s * 1000) });
    expect(judgeAdmission(verdict(), at(600))).toBeUndefined();
    const r = refusal(verdict(), at(601));
    expect(r).toMatchObject({ code: "GP_GATE_STALE", exit: 2 });
    expect(r?.message).toContain("601s old, older than its TTL of 600s");
    expect(refusal(verdict(), at(-3600))?.code).toBe("GP_GATE_STALE");
  });
});

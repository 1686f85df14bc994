/**
 * A production release's deploy log: the gate's checks as the verdict recorded them, the
 * approval's signer and nonce, the update and how it ended, and what was (not) verified; a
 * ramp's part is its steps and how it closed, with no SLO source or samples.
 */
import { describe, expect, it } from "vitest";
import { renderDeployLog } from "../../automation/lib/deploy-log/render";
import { deployLogSections } from "../../automation/lib/deploy-log/sections";
import { type RolloutReport, rampDetails } from "../../automation/lib/driver/report";
import type { GateVerdict } from "../../automation/lib/gate/verdict";

const hex = (c: string) => c.repeat(64);
const verdict: GateVerdict = {
  schema: "glidepath.gate-verdict/v1",
  stack: "production",
  result: "PASS",
  time: "2026-12-03T08:00:00.000Z",
  ttlSeconds: 3600,
  bundles: { "wix@v2": hex("a") },
  policyDigest: hex("b"),
  evidence: {},
  checks: [
    { id: "config", title: "config valid", status: "PASS", detail: "validates" },
    { id: "health", title: "stack health", status: "PASS", detail: "passing" },
  ],
};

describe("deploy log sections", () => {
  it("holds the gate's checks, the approval, the update and the verification, in that order", () => {
    const s = deployLogSections({
      verdict,
      verdictDigest: hex("c"),
      approval: {
        signer: "rm@example.com",
        nonce: "0".repeat(32),
        expires: "2026-12-03T10:00:00.000Z",
        fingerprint: "SHA256:x",
      },
      result: "succeeded",
      command: "up",
      bundles: verdict.bundles,
      updateVersion: 7,
    });
    expect(s.map((x) => x.title)).toEqual(["gate", "approval", "update", "verification"]);
    expect(s[0]?.body).toBe(
      [
        `PASS at 2026-12-03T08:00:00.000Z (ttl 3600 s), verdict ${hex("c")}`,
        "PASS config: validates",
        "PASS health: passing",
      ].join("\n"),
    );
    expect(s[1]?.body).toMatchObject({ signer: "rm@example.com", nonce: "0".repeat(32) });
    expect(s[2]?.body).toEqual({
      command: "up",
      result: "succeeded",
      updateVersion: 7,
      bundles: verdict.bundles,
    });
    expect(s[3]?.body).toContain("glidepath verify-live --stack production");
  });

  it("records a missing approval and a failed update as such", () => {
    const s = deployLogSections({
      verdict,
      verdictDigest: hex("c"),
      result: "failed",
      command: "up",
      bundles: {},
      details: { error: "GP_TARGET_UNREACHABLE" },
    });
    expect(s[1]?.body).toBe("none");
    expect(s[2]?.body).toEqual({
      command: "up",
      result: "failed",
      bundles: {},
      error: "GP_TARGET_UNREACHABLE",
    });
    expect(s[3]?.body).toBe("none: the update failed");
  });

  it("a ramp's part: steps, outcome and rollback, no SLO source or samples", () => {
    const report: RolloutReport = {
      stack: "production",
      rampId: "r-1",
      version: "v2",
      apps: ["wix"],
      outcome: "rolled_back",
      resumed: false,
      steps: [
        { step: 0, weight: 5, verdict: "pass", slo: {}, bakeMs: 10 },
        { step: 1, weight: 25, verdict: "fail", reason: "wix 0.91 < 0.99", slo: {}, bakeMs: 10 },
      ],
      reason: "wix 0.91 < 0.99",
      cause: "gate",
      rollback: { restored: 4, message: "glidepath rollback", fromFailureMs: 900 },
      gate: {
        minSlo: 0.99,
        maxMisses: 0,
        minRequests: 1,
        mode: "strict",
        source: "https://slo.example/x?token=abc",
      },
    };
    const d = rampDetails(report);
    expect(d).toEqual({
      rampId: "r-1",
      version: "v2",
      apps: ["wix"],
      outcome: "rolled_back",
      steps: ["5%: pass", "25%: fail (wix 0.91 < 0.99)"],
      reason: "wix 0.91 < 0.99",
      rollback: { restored: 4, message: "glidepath rollback" },
    });
    const text = renderDeployLog({
      stack: "production",
      buildId: "0123456789abcdef",
      time: new Date(0),
      sections: deployLogSections({
        verdict,
        verdictDigest: hex("c"),
        result: "rolled-back",
        command: "rollout",
        bundles: {},
        details: d,
      }),
    });
    expect(text).toContain('"25%: fail (wix 0.91 < 0.99)"');
    expect(text).not.toContain("slo.example");
  });
});

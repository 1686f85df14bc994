/**
 * Health from runtime events, and history joined with SWARM events.
 */
import { describe, expect, it } from "vitest";
import { deriveHealth } from "../../automation/lib/driver/health";
import { joinHistory } from "../../automation/lib/driver/history-join";
import type { RuntimeEvent, SwarmEvent } from "../../automation/lib/events/schema";
import type { HistoryEntry } from "../../automation/lib/history";

const ev = (code: RuntimeEvent["code"]): RuntimeEvent => ({
  ts: "2026-11-22T07:00:00.000Z",
  stack: "local",
  code,
});

describe("deriveHealth", () => {
  it.each([
    [[], { health: "healthy", failure_streak: 0, rollout_gate: "pass" }],
    [["gate_failed"], { health: "degraded", failure_streak: 1, rollout_gate: "pass" }],
    [
      ["gate_failed", "retry_attempted", "case_processing_failed"],
      { health: "degraded", failure_streak: 2, rollout_gate: "pass" },
    ],
    [
      ["gate_failed", "gate_failed", "case_processing_failed"],
      { health: "failing", failure_streak: 3, rollout_gate: "hold" },
    ],
    [
      ["gate_failed", "gate_failed", "gate_failed", "gate_passed"],
      { health: "healthy", failure_streak: 0, rollout_gate: "pass" },
    ],
  ] as [RuntimeEvent["code"][], object][])("%j → %j", (codes, health) => {
    expect(deriveHealth(codes.map(ev))).toEqual(health);
  });
});

describe("joinHistory", () => {
  const entry = (version: number, message: string, startTime: string): HistoryEntry => ({
    version,
    kind: "update",
    result: "succeeded",
    message,
    startTime,
    resourceChanges: {},
    config: {},
  });
  const swarm = (id: string, phase: string, update: string, ts: string): SwarmEvent => ({
    id,
    phase,
    update,
    ts,
    stack: "local",
  });

  it("attaches each event to the newest update with its message that started before it", () => {
    const m = "glidepath canary:5 wix@v2";
    const history = [
      entry(3, m, "2026-11-22T08:00:00.000Z"),
      entry(2, "glidepath up local", "2026-11-22T07:30:00.000Z"),
      entry(1, m, "2026-11-22T07:00:00.000Z"),
    ];
    const joined = joinHistory(history, [
      swarm("b", "canary:5", m, "2026-11-22T08:01:00.000Z"),
      swarm("a", "canary:5", m, "2026-11-22T07:01:00.000Z"),
      swarm("x", "canary:5", "an update that is not in history", "2026-11-22T07:02:00.000Z"),
    ]);
    expect(joined.map((h) => h.events.map((e) => e.id))).toEqual([["b"], [], ["a"]]);
  });
});

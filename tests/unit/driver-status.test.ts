/**
 * Health from runtime events, the runtime figures of status (last cycle, queue depth, rollout
 * counts, freshness), and history joined with SWARM events.
 */
import { describe, expect, it } from "vitest";
import { deriveHealth } from "../../automation/lib/driver/health";
import { joinHistory } from "../../automation/lib/driver/history-join";
import { deriveRuntimeStatus, STALE_AFTER_MS } from "../../automation/lib/driver/runtime-status";
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

describe("deriveRuntimeStatus", () => {
  const at = (code: RuntimeEvent["code"], ts: string): RuntimeEvent => ({ ts, stack: "local", code });
  const now = Date.parse("2026-11-23T07:00:00.000Z");
  const base = { runtime: [], swarm: [], outputs: {}, pending: null, now };

  it("with no events: nothing failed, nothing queued, no rollouts, stale", () => {
    expect(deriveRuntimeStatus(base)).toEqual({
      last_cycle_failed: false,
      queue_depth: 0,
      wasm_rollout_count: 0,
      cloud_rollout_count: 0,
      last_event_at: null,
      stale_after_seconds: STALE_AFTER_MS / 1000,
      stale: true,
    });
  });

  it("last_cycle_failed follows the newest failure or recovery, not other codes", () => {
    const failed = [
      at("gate_passed", "2026-11-23T01:00:00.000Z"),
      at("gate_failed", "2026-11-23T02:00:00.000Z"),
    ];
    expect(deriveRuntimeStatus({ ...base, runtime: failed }).last_cycle_failed).toBe(true);
    const after = [...failed, at("config_edit_kept", "2026-11-23T03:00:00.000Z")];
    expect(deriveRuntimeStatus({ ...base, runtime: after }).last_cycle_failed).toBe(true);
    const recovered = [...after, at("healthy_cycle", "2026-11-23T04:00:00.000Z")];
    expect(deriveRuntimeStatus({ ...base, runtime: recovered }).last_cycle_failed).toBe(false);
  });

  it("queue_depth is the outbox's pending count; the counts come from the outputs", () => {
    const s = deriveRuntimeStatus({
      ...base,
      pending: 4,
      outputs: {
        wasm: { edge: { sha256: "a" }, jobs: { sha256: "b" } },
        releases: { wix: { stable: { version: "v1" }, canary: null }, gamma: { stable: null } },
      },
    });
    expect(s).toMatchObject({ queue_depth: 4, wasm_rollout_count: 2, cloud_rollout_count: 1 });
  });

  it("freshness: the newest of runtime and SWARM events; stale only past the documented age", () => {
    const runtime = [at("gate_passed", "2026-11-22T06:00:00.000Z")];
    const swarm = [{ ts: "2026-11-22T08:00:00.000Z" }];
    const fresh = deriveRuntimeStatus({ ...base, runtime, swarm });
    expect(fresh).toMatchObject({ last_event_at: "2026-11-22T08:00:00.000Z", stale: false });
    const old = deriveRuntimeStatus({ ...base, runtime, swarm, now: Date.parse("2026-11-23T08:00:00.001Z") });
    expect(old).toMatchObject({ last_event_at: "2026-11-22T08:00:00.000Z", stale: true });
  });
});

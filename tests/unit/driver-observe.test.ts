/**
 * What the driver observes and how it ends: a resumed step counts as applied only through an
 * update (never a refresh), signals are counted first and second, and every error code maps
 * to the exit code the README's table gives it.
 */
import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { watchInterrupts } from "../../automation/lib/driver/interrupt";
import { stepApplied } from "../../automation/lib/driver/observe";
import { ExitCode, exitCodeOf, GlidepathError, isGlidepathError } from "../../automation/lib/errors";
import type { HistoryEntry } from "../../automation/lib/history";

const entry = (version: number, kind: string, result: string, step?: number): HistoryEntry => ({
  version,
  kind,
  result,
  message: `m${version}`,
  startTime: "2026-12-01T00:00:00.000Z",
  resourceChanges: {},
  config: step === undefined ? {} : { "glidepath:ramp": { value: JSON.stringify({ step }), secret: false } },
});
const ramp = {
  id: "v2@x",
  version: "v2",
  apps: ["wix"],
  step: 1,
  weight: 25,
  startedAt: "2026-12-01T00:00:00.000Z",
};

describe("stepApplied", () => {
  it("refuses to count a refresh after a killed driver as the step's update", () => {
    const history = [
      entry(3, "refresh", "succeeded", 1),
      entry(2, "update", "failed", 1),
      entry(1, "update", "succeeded", 0),
    ];
    expect(stepApplied(history, ramp)).toBe(false);
  });
  it("counts the newest update when it succeeded with this very pointer", () => {
    expect(stepApplied([entry(3, "refresh", "succeeded", 1), entry(2, "update", "succeeded", 1)], ramp)).toBe(
      true,
    );
    expect(stepApplied([entry(2, "update", "succeeded", 0)], ramp)).toBe(false);
  });
});

describe("watchInterrupts", () => {
  it("aborts soft on the first signal and hard on the second, and removes its handlers", () => {
    const target = new EventEmitter();
    const seen: string[] = [];
    const i = watchInterrupts((s, first) => seen.push(`${s}:${first}`), target as unknown as NodeJS.Process);
    expect(i.received()).toBeUndefined();
    target.emit("SIGTERM");
    expect([i.soft.aborted, i.hard.aborted, i.received()]).toEqual([true, false, "SIGTERM"]);
    target.emit("SIGINT");
    expect([i.hard.aborted, i.received()]).toEqual([true, "SIGTERM"]);
    expect(seen).toEqual(["SIGTERM:true", "SIGINT:false"]);
    i.dispose();
    expect(target.listenerCount("SIGINT") + target.listenerCount("SIGTERM")).toBe(0);
  });
});

describe("exit codes", () => {
  it("give a failed rollback its own code, internal errors another, bad input 2", () => {
    expect(exitCodeOf("GP_GATE_FAILED")).toBe(ExitCode.failed);
    expect(exitCodeOf("GP_RAMP_ABORTED")).toBe(1);
    expect(exitCodeOf("GP_ROLLBACK_FAILED")).toBe(3);
    expect(exitCodeOf("GP_NOT_CONVERGED")).toBe(3);
    expect(exitCodeOf("GP_INTERNAL")).toBe(4);
    expect(exitCodeOf("GP_ROLLOUT_HELD")).toBe(2);
    expect(exitCodeOf("GP_CLOSING_PENDING")).toBe(2);
    expect(new GlidepathError("GP_INTERRUPTED", "m", "f", ExitCode.sigterm).exitCode).toBe(143);
  });
  it("recognise a glidepath error by its shape, not only its class", () => {
    const foreign = Object.assign(new Error("x"), {
      name: "GlidepathError",
      code: "GP_X",
      remedy: "r",
      exitCode: 2,
    });
    expect(isGlidepathError(foreign)).toBe(true);
    expect(isGlidepathError(new Error("x"))).toBe(false);
  });
});

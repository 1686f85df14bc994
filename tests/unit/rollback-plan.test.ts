import { describe, expect, it } from "vitest";
import type { GlidepathError } from "../../automation/lib/errors";
import { configDigest, type HistoryEntry } from "../../automation/lib/history";
import { diffConfigKeys, pickRestorePoint } from "../../automation/lib/rollback-plan";

function entry(version: number, kind = "update", result = "succeeded"): HistoryEntry {
  return {
    version,
    kind,
    result,
    message: `m${version}`,
    startTime: "2026-01-01T00:00:00.000Z",
    resourceChanges: {},
    config: { "glidepath:weights": { value: `{"wix":${version}}`, secret: false } },
  };
}

// newest first, as the history is read
const history = [entry(5, "refresh"), entry(4, "update", "failed"), entry(3), entry(2, "destroy"), entry(1)];

describe("pickRestorePoint", () => {
  it("picks the named successful update", () => {
    expect(pickRestorePoint(history, { version: 1 }).version).toBe(1);
  });

  it("by default, after a failed update, picks the newest successful update (the stack is still on it)", () => {
    expect(pickRestorePoint(history, { previous: true }).version).toBe(3);
  });

  it("by default, after a successful update, picks the successful update before it", () => {
    expect(
      pickRestorePoint([entry(4, "refresh"), entry(3), entry(2, "update", "failed"), entry(1)], {
        previous: true,
      }).version,
    ).toBe(1);
  });

  it("fails if the named update failed, listing the ones that can be restored", () => {
    expect(() => pickRestorePoint(history, { version: 4 })).toThrow(
      "stack history has no successful update 4 to roll back to (green updates: 3, 1)",
    );
  });

  it("fails if there is no previous successful update", () => {
    expect(() => pickRestorePoint([entry(1)], { previous: true })).toThrow(
      "stack history has no earlier green update (a successful update outside a ramp with another config) to roll back to (green updates: 1)",
    );
  });
});

describe("diffConfigKeys", () => {
  it("lists added, removed, changed and re-secreted keys, sorted", () => {
    const current = {
      a: { value: "1", secret: false },
      b: { value: "2", secret: false },
      c: { value: "3", secret: false },
      d: { value: "4", secret: false },
    };
    const desired = {
      a: { value: "1", secret: false },
      b: { value: "9", secret: false },
      d: { value: "4", secret: true },
      e: { value: "5", secret: false },
    };
    expect(diffConfigKeys(current, desired)).toEqual(["b", "c", "d", "e"]);
  });
});

describe("pickRestorePoint for the driver and for tags", () => {
  const withConfig = (
    version: number,
    config: HistoryEntry["config"],
    result = "succeeded",
  ): HistoryEntry => ({
    ...entry(version, "update", result),
    config,
  });
  const releases = (v: string, canary?: string) => ({
    secret: false,
    objectValue: {
      wix: { stable: { version: v }, ...(canary ? { canary: { version: canary } } : {}) },
      gamma: { stable: { version: v } },
    },
  });
  const ramp = { secret: false, value: '{"step":1,"version":"v3","weight":25}' };
  const h = [
    withConfig(6, { "glidepath:releases": releases("v2", "v3"), "glidepath:ramp": ramp }),
    withConfig(5, { "glidepath:releases": releases("v2", "v3"), "glidepath:ramp": ramp }),
    withConfig(4, { "glidepath:releases": releases("v2") }),
    withConfig(3, { "glidepath:releases": releases("v1", "v2"), "glidepath:ramp": ramp }),
    withConfig(2, { "glidepath:releases": releases("v1") }, "failed"),
    withConfig(1, { "glidepath:releases": releases("v1") }),
  ];

  it("green: the newest successful update outside a ramp", () => {
    expect(pickRestorePoint(h, { green: true }).version).toBe(4);
  });

  it("previous, after a promotion: the green state before the ramp, never a canary step (probe D3)", () => {
    const promoted = [withConfig(7, { "glidepath:releases": releases("v3") }), ...h];
    expect(pickRestorePoint(promoted, { previous: true }).version).toBe(4);
    // Rolled back to 4 (same config as 4): the previous different green state is the promotion.
    const rolledBack = [withConfig(8, { "glidepath:releases": releases("v2") }), ...promoted];
    expect(pickRestorePoint(rolledBack, { previous: true }).version).toBe(7);
  });

  it("previous, mid-ramp: the green state the ramp started from", () => {
    expect(pickRestorePoint(h, { previous: true }).version).toBe(4);
  });

  it("refuses --to an update that ran mid-ramp, naming the nearest green updates", () => {
    expect(() => pickRestorePoint(h, { version: 5 })).toThrow(
      /update 5 ran in the middle of a ramp \(canary v3 at 25%\)/,
    );
    try {
      pickRestorePoint(h, { version: 3 });
    } catch (e) {
      expect((e as GlidepathError).code).toBe("GP_HISTORY_NO_MATCH");
      expect((e as GlidepathError).remedy).toBe(
        "pick a green update instead: 1 (m1) or 4 (m4), with `glidepath rollback --to <N>`",
      );
      return;
    }
    throw new Error("update 3 was not refused");
  });

  it("restore: the recorded update when it holds the recorded config, else the update that does", () => {
    const digest = configDigest(h[2]?.config ?? {});
    expect(pickRestorePoint(h, { restore: { update: 4, digest } }).version).toBe(4);
    // A number that shifted (another backend's numbering, a rewritten history): found by digest.
    expect(pickRestorePoint(h, { restore: { update: 1, digest } }).version).toBe(4);
    expect(() => pickRestorePoint(h, { restore: { update: 4, digest: `sha256:${"0".repeat(64)}` } })).toThrow(
      /with the config the ramp started from \(update 4/,
    );
  });

  it("tag: the newest green update with every app's stable release at the tag and no canary", () => {
    expect(pickRestorePoint(h, { tag: "v1" }).version).toBe(1);
    expect(pickRestorePoint(h, { tag: "v2" }).version).toBe(4);
    expect(() => pickRestorePoint(h, { tag: "v3" })).toThrow(
      "stack history has no successful update with every app's stable release at v3 to roll back to",
    );
  });
});

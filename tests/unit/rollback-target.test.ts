/**
 * The default target of `glidepath rollback`: the previous green update, except during a ramp,
 * where the previous update is an earlier step and the ramp must end on the last green state.
 */
import { describe, expect, it } from "vitest";
import { rollbackTarget } from "../../automation/commands/rollback";

describe("rollbackTarget", () => {
  it("defaults to the previous green update, or the green state outside a ramp during one", () => {
    expect(rollbackTarget(undefined)).toEqual({ previous: true });
    expect(rollbackTarget(undefined, true)).toEqual({ green: true });
  });
  it("takes an update number or a version tag", () => {
    expect(rollbackTarget("3", true)).toEqual({ version: 3 });
    expect(rollbackTarget("v2")).toEqual({ tag: "v2" });
  });
});

/**
 * The default target of `glidepath rollback`: the green state before the current one (outside
 * any ramp), whether or not a ramp is in progress; `--to` takes an update number or a tag.
 */
import { describe, expect, it } from "vitest";
import { rollbackTarget } from "../../automation/lib/driver/manual-rollback";

describe("rollbackTarget", () => {
  it("defaults to the previous green state", () => {
    expect(rollbackTarget(undefined)).toEqual({ previous: true });
  });
  it("takes an update number or a version tag", () => {
    expect(rollbackTarget("3")).toEqual({ version: 3 });
    expect(rollbackTarget("v2")).toEqual({ tag: "v2" });
  });
});

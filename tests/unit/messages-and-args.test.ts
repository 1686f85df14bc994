import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseArgs, stackArgs } from "../../automation/commands/common";
import { GlidepathError } from "../../automation/lib/errors";
import { deployMessage, rollbackMessage } from "../../automation/lib/messages";

describe("update messages", () => {
  it("name every flag, sorted by app and key", () => {
    const msg = deployMessage("local", {
      environment: "local",
      apps: { wix: { target: "local" }, gamma: { target: "local" } },
      flags: { wix: { Z: "z", CanaryEnabled: true }, gamma: { CanaryEnabled: false } },
    });
    expect(msg).toBe('glidepath up local: gamma.CanaryEnabled=false wix.CanaryEnabled=true wix.Z="z"');
  });

  it("never carry the admin key", () => {
    const msg = deployMessage("local", {
      environment: "local",
      apps: { wix: { target: "local" } },
      flags: {},
      adminKey: "super-secret-admin-key",
    });
    expect(msg).toBe("glidepath up local");
  });

  it("name the restored update in a rollback", () => {
    expect(rollbackMessage("local", 3, "glidepath up local: x")).toBe(
      "glidepath rollback local to update 3 (glidepath up local: x)",
    );
  });
});

describe("parseArgs", () => {
  it("fails if an argument is malformed, naming flag, value and expected form, exit code 2", () => {
    const schema = stackArgs.extend({
      to: z.string().regex(/^\d+$/, { error: "expected an update number" }),
    });
    let error: unknown;
    try {
      parseArgs(schema, { stack: "local", json: false, to: "latest" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GlidepathError);
    expect((error as GlidepathError).exitCode).toBe(2);
    expect((error as GlidepathError).message).toBe(
      'invalid arguments:\n  --to="latest": expected an update number',
    );
  });

  it("fails if the stack name has a space", () => {
    expect(() => parseArgs(stackArgs, { stack: "my stack", json: false })).toThrow(/--stack="my stack"/);
  });
});

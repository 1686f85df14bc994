import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseArgs, stackArgs } from "../../automation/commands/common";
import { engineErrorSummary, GlidepathError } from "../../automation/lib/errors";
import { deployMessage, originalDescription, rollbackMessage } from "../../automation/lib/messages";

describe("update messages", () => {
  it("name every flag, sorted by app and key", () => {
    const msg = deployMessage("local", {
      apps: { wix: { target: "local" }, gamma: { target: "local" } },
      flags: { wix: { Z: "z", CanaryEnabled: true }, gamma: { CanaryEnabled: false } },
      releases: {},
      weights: {},
    });
    expect(msg).toBe('glidepath up local: gamma.CanaryEnabled=false wix.CanaryEnabled=true wix.Z="z"');
  });

  it("name each app's stable release and, while a ramp is on, its canary and weight", () => {
    const msg = deployMessage("local", {
      apps: { wix: { target: "local" }, gamma: { target: "local" } },
      flags: { wix: { CanaryEnabled: true } },
      releases: {
        wix: { stable: { version: "v1", source: "a" }, canary: { version: "v2", source: "b" } },
        gamma: { stable: { version: "v1", source: "c" } },
      },
      weights: { wix: 25 },
    });
    expect(msg).toBe("glidepath up local: gamma@v1 wix@v1>v2:25% wix.CanaryEnabled=true");
  });

  it("name the restored update in a rollback", () => {
    expect(rollbackMessage("local", 3, "glidepath up local: x")).toBe(
      "glidepath rollback local to update 3 (glidepath up local: x)",
    );
  });

  it("quote a restored update's own description once, never a rollback inside a rollback (probe D18)", () => {
    const first = rollbackMessage("local", 9, "glidepath up local: wix@v1 (first)");
    const second = rollbackMessage("local", 10, first);
    const third = rollbackMessage("local", 11, second);
    expect(third).toBe("glidepath rollback local to update 11 (glidepath up local: wix@v1 (first))");
    expect(originalDescription(third)).toBe("glidepath up local: wix@v1 (first)");
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

describe("engineErrorSummary", () => {
  it("keeps Pulumi's error diagnostics, once each", () => {
    const text = [
      "code: 255",
      " stdout: Updating (local):",
      "    error: Running program failed: boom",
      "Resources: 1 errored",
      " stderr: ",
      "err?: Command failed ... error: Running program failed: boom",
      "    error: Running program failed: boom",
    ].join("\n");
    expect(engineErrorSummary(text)).toBe("error: Running program failed: boom");
  });

  it("falls back to the last lines when there is no diagnostic", () => {
    expect(engineErrorSummary("a\nb\n\nc\nd", 2)).toBe("c\nd");
  });
});

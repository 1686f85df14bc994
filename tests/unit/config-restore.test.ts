/**
 * The config side of the one rollback (pure planning) and its all-or-nothing guard: today's
 * secrets are kept unless asked otherwise, a secret never lands in a plain value, and when a
 * step fails the stack's config file is back byte for byte. The real engine path is covered
 * in e2e.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { withConfigGuard } from "../../automation/lib/config-restore";
import { planRollbackChanges } from "../../automation/lib/rollback";

const plain = (value: string) => ({ value, secret: false });
const secret = (value: string) => ({ value, secret: true });

describe("planRollbackChanges", () => {
  const current = {
    "glidepath:weights": plain('{"wix":25}'),
    "glidepath:ramp": plain('{"step":1}'),
    "glidepath:generation": plain("4"),
    "glidepath:GAMMA_TOKEN": secret("rotated-token-new"),
    "other:key": plain("b"),
  };
  const target = {
    "glidepath:weights": plain('{"wix":0}'),
    "glidepath:generation": plain("2"),
    "glidepath:GAMMA_TOKEN": secret("revoked-token-old"),
    "other:key": plain("a"),
  };

  it("keeps today's secrets by default and restores every plain key, any namespace", () => {
    const c = planRollbackChanges(current, target);
    expect(c.changedKeys).toEqual([
      "glidepath:generation",
      "glidepath:ramp",
      "glidepath:weights",
      "other:key",
    ]);
    expect(c.plain).toEqual({
      // A rollback is a new write of the desired state: one generation up, not the target's 2.
      "glidepath:generation": 5,
      "glidepath:ramp": undefined,
      "glidepath:weights": { wix: 0 },
      "other:key": "a",
    });
    expect(c.secrets).toEqual({});
    expect(c.keptSecrets).toEqual(["glidepath:GAMMA_TOKEN"]);
    expect(c.raw["glidepath:GAMMA_TOKEN"]).toBe("rotated-token-new");
    expect(JSON.stringify(c.plain)).not.toContain("token");
  });

  it("restores the target's secrets only when asked", () => {
    const c = planRollbackChanges(current, target, true);
    expect(c.secrets).toEqual({ "glidepath:GAMMA_TOKEN": "revoked-token-old" });
    expect(c.keptSecrets).toEqual([]);
    expect(c.secretKeys.has("glidepath:GAMMA_TOKEN")).toBe(true);
  });

  it("refuses to restore a secret that history masked", () => {
    expect(() => planRollbackChanges(current, { "glidepath:GAMMA_TOKEN": secret("[secret]") }, true)).toThrow(
      /cannot be restored/,
    );
  });
});

describe("withConfigGuard", () => {
  it("puts the config file back byte for byte when the guarded work fails", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-guard-"));
    const file = path.join(dir, "Pulumi.local.yaml");
    const yaml = "config:\n  glidepath:environment: local\n  glidepath:adminKey:\n    secure: v1:abc\n";
    await fs.writeFile(file, yaml);
    const stack = { name: "local", workspace: { workDir: dir } } as unknown as Stack;
    await expect(
      withConfigGuard(stack, async () => {
        await fs.writeFile(file, "config:\n  half: written\n");
        throw new Error("the update failed");
      }),
    ).rejects.toThrow("the update failed");
    expect(await fs.readFile(file, "utf8")).toBe(yaml);
  });
});

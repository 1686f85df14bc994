/**
 * restoreConfig is all-or-nothing: when a step fails, the stack's config file is back byte
 * for byte, and the error names no secret value. The stack here is a stand-in object with
 * the Automation API calls restoreConfig makes; the real engine path is covered in e2e.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { restoreConfig } from "../../automation/lib/config-restore";
import { GlidepathError } from "../../automation/lib/errors";

const YAML = "config:\n  glidepath:environment: local\n  glidepath:adminKey:\n    secure: v1:abc\n";

async function fakeStack(opts: { failOn: "set-all" | "remove" }) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-restore-"));
  const file = path.join(dir, "Pulumi.local.yaml");
  await fs.writeFile(file, YAML);
  const stack = {
    name: "local",
    workspace: { workDir: dir },
    getAllConfig: async () => ({
      "glidepath:environment": { value: "local", secret: false },
      "glidepath:stale": { value: "x", secret: false },
    }),
    removeAllConfig: async () => {
      await fs.writeFile(file, "config: {}\n");
      if (opts.failOn === "remove") throw new Error("remove failed");
    },
    setAllConfigJson: async () => {
      await fs.writeFile(file, "config:\n  half: written\n");
      if (opts.failOn === "set-all") throw new Error("code: 255\n stderr: error: the stack is locked");
    },
  } as unknown as Stack;
  return { stack, file };
}

describe("restoreConfig", () => {
  it.each(["set-all", "remove"] as const)(
    "fails if %s fails, and puts the config file back as it was",
    async (failOn) => {
      const { stack, file } = await fakeStack({ failOn });
      const desired = {
        "glidepath:environment": { value: "local", secret: false },
        "glidepath:adminKey": { value: "the-secret-admin-key-value", secret: true },
      };
      let error: unknown;
      try {
        await restoreConfig(stack, { pulumiBin: "/nonexistent/pulumi", envVars: {} }, desired);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GlidepathError);
      expect((error as GlidepathError).code).toBe("GP_CONFIG_RESTORE_FAILED");
      expect((error as GlidepathError).message).toMatch(/its config file is back as it was/);
      expect((error as GlidepathError).message).not.toContain("the-secret-admin-key-value");
      expect(await fs.readFile(file, "utf8")).toBe(YAML);
    },
  );

  it("fails if a secret cannot be set, without the secret in the error, and restores the file", async () => {
    const { stack, file } = await fakeStack({ failOn: "remove" });
    (stack as unknown as { removeAllConfig: () => Promise<void> }).removeAllConfig = async () => {};
    (stack as unknown as { setAllConfigJson: () => Promise<void> }).setAllConfigJson = async () => {};
    const desired = { "glidepath:adminKey": { value: "the-secret-admin-key-value", secret: true } };
    const error = await restoreConfig(
      stack,
      { pulumiBin: "/nonexistent/pulumi", envVars: {} },
      desired,
    ).catch((e: unknown) => e);
    expect((error as GlidepathError).code).toBe("GP_CONFIG_RESTORE_FAILED");
    expect(String((error as GlidepathError).message)).not.toContain("the-secret-admin-key-value");
    expect(await fs.readFile(file, "utf8")).toBe(YAML);
  });
});

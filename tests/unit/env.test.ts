import { describe, expect, it } from "vitest";
import { LOCAL_DEV_PASSPHRASE, pulumiEnv } from "../../automation/lib/env";
import { GlidepathError } from "../../automation/lib/errors";

const base = { projectDir: "/p", pulumiBinDir: "/tc/bin", nodeBinDir: "/node/bin" };

describe("pulumiEnv", () => {
  it("gives the local stack the development passphrase and a file backend under the project", () => {
    const env = pulumiEnv({ ...base, stack: "local", env: { PATH: "/usr/bin" } });
    expect(env).toEqual({
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_BACKEND_URL: "file:///p/.glidepath/pulumi",
      PULUMI_CONFIG_PASSPHRASE: LOCAL_DEV_PASSPHRASE,
      PATH: "/node/bin:/tc/bin:/usr/bin",
    });
  });

  it("gives the local stack the development passphrase even when one for another stack is set", () => {
    const env = pulumiEnv({ ...base, stack: "local", env: { PULUMI_CONFIG_PASSPHRASE: "staging-secret" } });
    expect(env.PULUMI_CONFIG_PASSPHRASE).toBe(LOCAL_DEV_PASSPHRASE);
  });

  it("keeps an explicit backend and passphrase", () => {
    const env = pulumiEnv({
      ...base,
      stack: "staging",
      env: { PULUMI_BACKEND_URL: "file:///s", PULUMI_CONFIG_PASSPHRASE: "p4ss" },
    });
    expect(env.PULUMI_BACKEND_URL).toBe("file:///s");
    expect(env.PULUMI_CONFIG_PASSPHRASE).toBe("p4ss");
  });

  it("passes a passphrase file through instead of a passphrase", () => {
    const env = pulumiEnv({
      ...base,
      stack: "production",
      env: { PULUMI_CONFIG_PASSPHRASE_FILE: "/run/pp" },
    });
    expect(env.PULUMI_CONFIG_PASSPHRASE_FILE).toBe("/run/pp");
    expect(env.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
  });

  it.each(["staging", "production"])("fails if %s has no passphrase, with exit code 2", (stack) => {
    let error: unknown;
    try {
      pulumiEnv({ ...base, stack, env: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GlidepathError);
    const ge = error as GlidepathError;
    expect(ge.code).toBe("GP_PASSPHRASE_MISSING");
    expect(ge.exitCode).toBe(2);
    expect(ge.message).toContain(`stack "${stack}" needs PULUMI_CONFIG_PASSPHRASE`);
  });
});

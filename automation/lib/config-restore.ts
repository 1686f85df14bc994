/**
 * Restores a stack's config to an earlier update's, as one all-or-nothing step: on any
 * failure the stack's config file is put back byte for byte. Secret values never appear on a
 * command line (where `ps` would show them) or in an error: they go to `pulumi config set
 * --secret` on stdin, one at a time; everything else goes through `config set-all --json`.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { GlidepathError } from "./errors";
import type { HistoryConfigValue } from "./history";
import { diffConfigKeys } from "./rollback-plan";

/** How to run the CLI for the stack. */
export interface CliContext {
  /** Path of the `pulumi` binary. */
  pulumiBin: string;
  /** Environment of every Pulumi command on the stack. */
  envVars: Record<string, string>;
}

/** Runs `pulumi config set --secret <key>` with the value on stdin. */
function setSecret(stack: Stack, cli: CliContext, key: string, value: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli.pulumiBin, ["config", "set", "--secret", "--stack", stack.name, "--", key], {
      cwd: stack.workspace.workDir,
      env: { ...process.env, ...cli.envVars },
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`pulumi config set --secret ${key} failed: ${stderr.trim()}`)),
    );
    child.stdin.end(value);
  });
}

/**
 * Makes the stack's config equal `desired` (keys, values and secrecy), or changes nothing.
 *
 * @param stack - the stack
 * @param cli - how to run the CLI (for secrets through stdin)
 * @param desired - the config to restore, decrypted, as the history gives it
 * @throws GlidepathError `GP_CONFIG_RESTORE_FAILED` with the stack's config file restored
 */
export async function restoreConfig(
  stack: Stack,
  cli: CliContext,
  desired: Readonly<Record<string, HistoryConfigValue>>,
): Promise<void> {
  try {
    await withConfigGuard(stack, async () => {
      const current = await stack.getAllConfig();
      const stale = Object.keys(current).filter((k) => !(k in desired));
      if (stale.length > 0) await stack.removeAllConfig(stale);
      const plain = Object.fromEntries(Object.entries(desired).filter(([, v]) => !v.secret));
      if (Object.keys(plain).length > 0) await stack.setAllConfigJson(JSON.stringify(plain));
      for (const [key, v] of Object.entries(desired).filter(([, v]) => v.secret)) {
        if (v.objectValue !== undefined || v.value === undefined) {
          throw new Error(`secret ${key} is structured; glidepath restores only secret strings`);
        }
        await setSecret(stack, cli, key, v.value);
      }
      const after = await stack.getAllConfig();
      const mismatch = diffConfigKeys(after as Record<string, HistoryConfigValue>, desired);
      if (mismatch.length > 0)
        throw new Error(`keys still different after the restore: ${mismatch.join(", ")}`);
    });
  } catch (e) {
    throw new GlidepathError(
      "GP_CONFIG_RESTORE_FAILED",
      `restoring the config of stack "${stack.name}" failed; its config file is back as it was: ${
        e instanceof Error ? e.message.split("\n")[0] : String(e)
      }`,
      `check \`pulumi config --stack ${stack.name}\` and the backend, then run the rollback again`,
    );
  }
}

/**
 * Runs `f` and puts the stack's config file back as it was if `f` fails.
 *
 * @param stack - the stack
 * @param f - the work to guard
 */
export async function withConfigGuard<T>(stack: Stack, f: () => Promise<T>): Promise<T> {
  const file = path.join(stack.workspace.workDir, `Pulumi.${stack.name}.yaml`);
  const snapshot = await fs.readFile(file).catch(() => undefined);
  try {
    return await f();
  } catch (e) {
    if (snapshot === undefined) await fs.rm(file, { force: true });
    else {
      // Atomically: a kill mid-restore must not leave a truncated file (and lose the salt).
      const tmp = `${file}.${process.pid}.restore`;
      await fs.writeFile(tmp, snapshot);
      await fs.rename(tmp, file);
    }
    throw e;
  }
}

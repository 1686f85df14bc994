/**
 * Config changes as one all-or-nothing step: on any failure the stack's config file is put
 * back byte for byte. Secret values never appear on a command line or in an error: they go to
 * `pulumi config set --secret` on stdin, one at a time.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { writeFileAtomic } from "./atomic-write";

/** How to run the CLI for the stack. */
export interface CliContext {
  /** Path of the `pulumi` binary. */
  pulumiBin: string;
  /** Environment of every Pulumi command on the stack. */
  envVars: Record<string, string>;
}

/**
 * Runs `pulumi config set --secret <key>` with the value on stdin (never on a command line,
 * where `ps` would show it).
 *
 * @param stack - the stack
 * @param cli - how to run the CLI
 * @param key - the full key
 * @param value - the secret value
 */
export function setSecret(stack: Stack, cli: CliContext, key: string, value: string): Promise<void> {
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
      await writeFileAtomic(file, snapshot, { mkdir: false });
    }
    throw e;
  }
}

/**
 * Opens a stack of the glidepath project through the Automation API, on the pinned toolchain,
 * with the environment of {@link pulumiEnv}.
 */
import * as fs from "node:fs/promises";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { fileBackendDir, pulumiEnv } from "./env";
import { GlidepathError } from "./errors";
import type { Toolchain } from "./toolchain";

/** Options of {@link openStack}. */
export interface OpenStackOptions {
  /** Project directory (holds Pulumi.yaml and Pulumi.<stack>.yaml). */
  projectDir: string;
  /** Stack name, e.g. `local`. */
  stack: string;
  /** The resolved toolchain. */
  toolchain: Toolchain;
  /** Create the stack when it does not exist. @default - true for `local`, false otherwise */
  create?: boolean;
  /** Ambient environment. @default - `process.env` */
  env?: NodeJS.ProcessEnv;
}

/** A stack plus the environment its commands run with. */
export interface OpenedStack {
  /** The Automation API stack. */
  stack: Stack;
  /** Environment variables of every Pulumi command on it. */
  envVars: Record<string, string>;
  /** Path of the `pulumi` binary. */
  pulumiBin: string;
}

/**
 * Selects (or, for `local`, creates) a stack.
 *
 * @throws GlidepathError `GP_PASSPHRASE_MISSING`, `GP_STACK_NOT_FOUND`
 */
export async function openStack(opts: OpenStackOptions): Promise<OpenedStack> {
  const envVars = pulumiEnv({
    stack: opts.stack,
    projectDir: opts.projectDir,
    pulumiBinDir: opts.toolchain.binDir,
    env: opts.env ?? process.env,
  });
  const backendDir = fileBackendDir(envVars.PULUMI_BACKEND_URL ?? "");
  if (backendDir !== undefined) await fs.mkdir(backendDir, { recursive: true });
  const pulumiCommand = opts.toolchain.command;
  const args = { stackName: opts.stack, workDir: opts.projectDir };
  const wsOpts = { pulumiCommand, envVars };
  const create = opts.create ?? opts.stack === "local";
  try {
    const stack = create
      ? await LocalWorkspace.createOrSelectStack(args, wsOpts)
      : await LocalWorkspace.selectStack(args, wsOpts);
    return { stack, envVars, pulumiBin: pulumiCommand.command };
  } catch (e) {
    if (!create && /no stack named|not found/i.test(String(e))) {
      throw new GlidepathError(
        "GP_STACK_NOT_FOUND",
        `stack "${opts.stack}" does not exist in backend ${envVars.PULUMI_BACKEND_URL}`,
        `create it with \`pulumi stack init ${opts.stack}\`, or check PULUMI_BACKEND_URL`,
      );
    }
    throw e;
  }
}

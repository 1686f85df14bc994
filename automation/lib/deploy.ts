/**
 * One deploy: validate the config, then `up` with a message that names what is deployed.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import type { CliContext } from "./config-restore";
import { deployMessage } from "./messages";
import { loadStackConfig } from "./stack-config";
import { runUp, type UpReport } from "./up";

/** What a deploy did. */
export interface DeployResult extends UpReport {
  /** The update message recorded in history. */
  message: string;
}

/** Options of {@link deploy}. */
export interface DeployOptions {
  /** Override the update message. @default - {@link deployMessage} */
  message?: string;
  /** Refresh before the update. @default false */
  refresh?: boolean;
  /** Engine output lines. @default - discarded */
  onOutput?: (line: string) => void;
}

/**
 * Validates the stack's config, then deploys it.
 *
 * @param stack - the stack
 * @param cli - how to run the CLI
 * @param opts - message, refresh, output
 * @throws GlidepathError `GP_CONFIG_INVALID` before any update, `GP_UPDATE_FAILED`
 */
export async function deploy(stack: Stack, cli: CliContext, opts: DeployOptions = {}): Promise<DeployResult> {
  const config = await loadStackConfig(stack);
  const message = opts.message ?? deployMessage(stack.name, config);
  const report = await runUp(stack, cli, message, {
    refresh: opts.refresh,
    onOutput: opts.onOutput,
    report: true,
  });
  return { message, ...report };
}

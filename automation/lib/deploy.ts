/**
 * One deploy: validate the config, then `up` with a message that names what is deployed.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { engineErrorSummary, GlidepathError } from "./errors";
import { deployMessage } from "./messages";
import { loadStackConfig } from "./stack-config";

/** What a deploy did. */
export interface DeployResult {
  /** The update message recorded in history. */
  message: string;
  /** Resource operation counts of the update. */
  changes: Record<string, number>;
  /** Stack outputs (secrets stay masked). */
  outputs: Record<string, unknown>;
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

/** Runs `up` and turns an engine failure into {@link GlidepathError} `GP_UPDATE_FAILED`. */
export async function runUp(
  stack: Stack,
  message: string,
  opts: Pick<DeployOptions, "refresh" | "onOutput"> = {},
): Promise<Omit<DeployResult, "message">> {
  try {
    const up = await stack.up({ message, refresh: opts.refresh ?? false, onOutput: opts.onOutput });
    const outputs = Object.fromEntries(
      Object.entries(up.outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]),
    );
    return { changes: { ...(up.summary.resourceChanges ?? {}) }, outputs };
  } catch (e) {
    throw new GlidepathError(
      "GP_UPDATE_FAILED",
      `pulumi up on stack "${stack.name}" failed:\n${engineErrorSummary(e instanceof Error ? e.message : String(e))}`,
      `fix the cause above; \`pulumi stack history --stack ${stack.name}\` shows the failed update, and \`glidepath rollback --stack ${stack.name}\` returns to the last green one`,
    );
  }
}

/**
 * Validates the stack's config, then deploys it.
 *
 * @throws GlidepathError `GP_CONFIG_INVALID` before any update, `GP_UPDATE_FAILED`
 */
export async function deploy(stack: Stack, opts: DeployOptions = {}): Promise<DeployResult> {
  const config = await loadStackConfig(stack);
  const message = opts.message ?? deployMessage(stack.name, config);
  return { message, ...(await runUp(stack, message, opts)) };
}

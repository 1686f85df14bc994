/**
 * A ramp step's `pulumi up`, run as one CLI process. The Automation API's `stack.up()` runs
 * two more CLI processes after every update (stack outputs, then history) that a ramp step
 * does not need; skipping them is most of the driver's step overhead budget (see
 * docs/benchmarks.md). Stack selection, config, history, preview and refresh still go through
 * the Automation API.
 */
import { spawn } from "node:child_process";
import type { Stack } from "@pulumi/pulumi/automation";
import type { CliContext } from "../config-restore";
import { engineErrorSummary, GlidepathError } from "../errors";

/** Options of {@link upStep}. */
export interface UpStepOptions {
  /** Refresh before the update. @default false */
  refresh?: boolean;
  /** Engine output lines. @default - discarded */
  onOutput?: (line: string) => void;
}

/**
 * Runs `pulumi up --yes --skip-preview --message <message>` on the stack.
 *
 * @param stack - the stack
 * @param cli - how to run the CLI
 * @param message - the update message recorded in history
 * @param opts - refresh and output
 * @throws GlidepathError `GP_UPDATE_FAILED` with the engine's error lines
 */
export function upStep(
  stack: Stack,
  cli: CliContext,
  message: string,
  opts: UpStepOptions = {},
): Promise<void> {
  const args = ["up", "--yes", "--skip-preview", "--non-interactive", "--suppress-progress"];
  args.push("--stack", stack.name, "--message", message);
  if (opts.refresh) args.push("--refresh");
  return new Promise((resolve, reject) => {
    const child = spawn(cli.pulumiBin, args, {
      cwd: stack.workspace.workDir,
      env: { ...process.env, ...cli.envVars },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const take = (d: Buffer) => {
      const text = d.toString("utf8");
      out += text;
      if (opts.onOutput) for (const line of text.split("\n")) if (line.trim()) opts.onOutput(line);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) return resolve();
      reject(
        new GlidepathError(
          "GP_UPDATE_FAILED",
          `pulumi up on stack "${stack.name}" failed (exit ${code}):\n${engineErrorSummary(out)}`,
          `fix the cause above; \`pulumi stack history --stack ${stack.name}\` shows the failed update`,
        ),
      );
    });
  });
}

/**
 * The one `pulumi up` runner of every glidepath command: one CLI process,
 * `pulumi up --yes --skip-preview --message <message>`. The Automation API's `stack.up()`
 * runs two more CLI processes after every update (stack outputs, then history) that a ramp
 * step does not need; a deploy that reports its outputs asks for them (`report: true`), the
 * driver does not. Stack selection, config, history and refresh previews still go through the
 * Automation API.
 *
 * The child runs in its own process group, so a Ctrl-C at the terminal reaches glidepath
 * alone: glidepath decides whether the update in flight finishes (the driver lets it, then
 * rolls back) or is cancelled (`signal`: Pulumi gets one SIGINT, its graceful cancel).
 */
import { spawn } from "node:child_process";
import type { Stack } from "@pulumi/pulumi/automation";
import { policyPackArgs } from "./approval/policy-pack";
import { formatAnchor } from "./audit/anchor";
import { auditFile, readAuditHead } from "./audit/log-file";
import type { CliContext } from "./config-restore";
import { engineErrorSummary, GlidepathError } from "./errors";
import { withAnchor } from "./messages";
import { stackFileConfig } from "./stack-config";

/** Options of {@link runUp}. */
export interface UpOptions {
  /** Refresh before the update. @default false */
  refresh?: boolean;
  /** Engine output lines. @default - discarded */
  onOutput?: (line: string) => void;
  /** Cancels the update: Pulumi gets SIGINT and stops gracefully. @default - never cancelled */
  signal?: AbortSignal;
  /** Also read the update's resource changes and the stack outputs (two more CLI calls). @default false */
  report?: boolean;
}

/** What an update did, when asked for (`report: true`). */
export interface UpReport {
  /** Resource operation counts of the update. */
  changes: Record<string, number>;
  /** Stack outputs (secrets masked as `[secret]`). */
  outputs: Record<string, unknown>;
}

/** Runs the CLI; resolves with its exit code and everything it printed. */
function runPulumi(
  stack: Stack,
  cli: CliContext,
  args: readonly string[],
  opts: UpOptions,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli.pulumiBin, args, {
      cwd: stack.workspace.workDir,
      env: { ...process.env, ...cli.envVars },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    const take = (d: Buffer) => {
      const text = d.toString("utf8");
      out += text;
      if (opts.onOutput) for (const line of text.split("\n")) if (line.trim()) opts.onOutput(line);
    };
    const cancel = () => child.kill("SIGINT");
    if (opts.signal?.aborted) cancel();
    opts.signal?.addEventListener("abort", cancel, { once: true });
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", (e) => {
      opts.signal?.removeEventListener("abort", cancel);
      reject(
        new GlidepathError(
          "GP_UPDATE_FAILED",
          `cannot run ${cli.pulumiBin}: ${e.message}`,
          "run `npm run toolchain` to provision the Pulumi CLI, then run the command again",
        ),
      );
    });
    child.on("close", (code) => {
      opts.signal?.removeEventListener("abort", cancel);
      resolve({ code, out });
    });
  });
}

/**
 * The message as recorded: on a production stack (`glidepath:environment: production` in its
 * stack file), the audit log's head as its last word, so the stack history keeps a copy of the
 * head that the log's writer cannot edit (`glidepath audit verify` compares them).
 *
 * @param stack - the stack
 * @param message - the update's message
 */
export async function anchoredMessage(stack: Stack, message: string): Promise<string> {
  const dir = stack.workspace.workDir;
  if ((await stackFileConfig(dir, stack.name))["glidepath:environment"] !== "production") return message;
  return withAnchor(message, formatAnchor(await readAuditHead(auditFile(dir, stack.name))));
}

/**
 * Runs `pulumi up` on the stack.
 *
 * @param stack - the stack
 * @param cli - how to run the CLI
 * @param message - the update message recorded in history
 * @param opts - refresh, output, cancellation, report
 * @returns the changes and outputs with `report: true`, else undefined
 * @throws GlidepathError `GP_UPDATE_FAILED` with the engine's error lines
 */
export async function runUp(
  stack: Stack,
  cli: CliContext,
  message: string,
  opts: UpOptions & { report: true },
): Promise<UpReport>;
export async function runUp(
  stack: Stack,
  cli: CliContext,
  message: string,
  opts?: UpOptions,
): Promise<UpReport | undefined>;
export async function runUp(
  stack: Stack,
  cli: CliContext,
  message: string,
  opts: UpOptions = {},
): Promise<UpReport | undefined> {
  const args = ["up", "--yes", "--skip-preview", "--non-interactive", "--suppress-progress"];
  args.push("--stack", stack.name, "--message", await anchoredMessage(stack, message));
  args.push(...policyPackArgs(stack.workspace.workDir, stack.name));
  if (opts.refresh) args.push("--refresh");
  const { code, out } = await runPulumi(stack, cli, args, opts);
  if (code !== 0) {
    const cancelled = opts.signal?.aborted ? " (cancelled)" : "";
    throw new GlidepathError(
      "GP_UPDATE_FAILED",
      `pulumi up on stack "${stack.name}" failed${cancelled} (exit ${code}):\n${engineErrorSummary(out)}`,
      `fix the cause above; \`pulumi stack history --stack ${stack.name}\` shows the failed update, and \`glidepath rollback --stack ${stack.name}\` returns to the last green one`,
    );
  }
  if (!opts.report) return undefined;
  const [latest] = await stack.history(1, 1, false);
  const outputs = await stack.outputs();
  return {
    changes: { ...(latest?.resourceChanges ?? {}) },
    outputs: Object.fromEntries(
      Object.entries(outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]),
    ),
  };
}

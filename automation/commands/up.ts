/**
 * `glidepath up --stack S [--message M]`: validate the stack's config, then deploy it.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { consumeApproval } from "../lib/approval/check";
import { stackContext } from "../lib/context";
import { deploy } from "../lib/deploy";
import { refuseWhileClosing } from "../lib/driver/closing";
import { withDriverLock } from "../lib/driver/session";
import { isGlidepathError } from "../lib/errors";
import { admitUpdate, recordDeploy } from "../lib/gate/production";
import { renderOutputs } from "../lib/render";
import { loadStackConfig } from "../lib/stack-config";
import { emit, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "up";
export const describe = "validate the stack's config, then deploy it (one pulumi up)";

export function builder(y: Argv) {
  return withStackOptions(y).option("message", {
    type: "string",
    describe: "update message (default: derived)",
  });
}

const args = stackArgs.extend({ message: z.string().min(1).max(500).optional() });

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await stackContext({
    stack: a.stack,
    projectDir: a.projectDir,
    progress: progressLine,
    changesStack: true,
  });
  const result = await withDriverLock(ctx, "up", async () => {
    await refuseWhileClosing(ctx.stack, `glidepath up --stack ${a.stack}`);
    // A production stack needs a fresh PASS of the deploy gate for exactly these bundles, and
    // the release manager's approval of that verdict.
    const { admission, approval } = await admitUpdate({
      projectDir: ctx.projectDir,
      stack: a.stack,
      config: await loadStackConfig(ctx.stack),
      command: "up",
    });
    const run = () =>
      deploy(ctx.stack, ctx, { message: a.message, onOutput: a.json ? undefined : progressLine });
    if (admission === undefined && approval === undefined) return run();
    const recorded = { projectDir: ctx.projectDir, stack: a.stack, command: "up" };
    let done: Awaited<ReturnType<typeof run>>;
    try {
      done = await run();
    } catch (e) {
      if (admission)
        await recordDeploy({
          ...recorded,
          admission,
          result: "failed",
          approval,
          details: { error: isGlidepathError(e) ? e.code : "unexpected" },
        });
      throw e;
    }
    await consumeApproval(approval);
    const [latest] = await ctx.stack.history(1, 1, false);
    if (admission)
      await recordDeploy({
        ...recorded,
        admission,
        result: "succeeded",
        approval,
        ...(latest ? { updateVersion: latest.version } : {}),
      });
    return done;
  });
  emit(a.json, { stack: a.stack, ...result }, () => `${result.message}\n${renderOutputs(result.outputs)}`);
}

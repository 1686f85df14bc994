/**
 * `glidepath demo`: the README's main command. Provisions the toolchain if needed, deploys the
 * local stack, and prints its outputs and history.
 */
import type { Argv } from "yargs";
import { stackContext } from "../lib/context";
import { deploy } from "../lib/deploy";
import { readHistory } from "../lib/history";
import { renderHistory, renderOutputs } from "../lib/render";
import { emit, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "demo";
export const describe = "deploy the local stack on this machine and show its outputs and history";

export function builder(y: Argv) {
  return withStackOptions(y);
}

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(stackArgs, argv);
  const started = Date.now();
  const ctx = await stackContext({ stack: a.stack, projectDir: a.projectDir, progress: progressLine });
  progressLine(
    `toolchain: pulumi ${ctx.toolchain.version} (${ctx.toolchain.source}); backend ${ctx.envVars.PULUMI_BACKEND_URL}`,
  );
  const result = await deploy(ctx.stack, { onOutput: a.json ? undefined : progressLine });
  const history = await readHistory(ctx.stack, false);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  emit(a.json, { stack: a.stack, ...result, history, seconds }, () =>
    [
      `deployed: ${result.message}`,
      renderOutputs(result.outputs),
      renderHistory(history),
      `done in ${seconds}s`,
    ].join("\n"),
  );
}

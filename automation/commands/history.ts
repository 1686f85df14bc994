/**
 * `glidepath history --stack S`: the stack's update history, newest first, each update with
 * the gate verdicts and events of its phase.
 */
import type { Argv } from "yargs";
import { joinHistory } from "../lib/driver/history-join";
import { eventFiles, readSwarmEvents } from "../lib/events/sinks";
import { readHistory } from "../lib/history";
import { renderHistory } from "../lib/render";
import { emit, openExistingStack, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "history";
export const describe = "show the stack's update history (the audit trail)";

export function builder(y: Argv) {
  return withStackOptions(y);
}

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(stackArgs, argv);
  const ctx = await openExistingStack(a);
  const events = await readSwarmEvents(eventFiles(ctx.projectDir).swarm, a.stack);
  const history = joinHistory(await readHistory(ctx.stack, false), events);
  emit(a.json, { stack: a.stack, history }, () => renderHistory(history));
}

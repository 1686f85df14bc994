/**
 * `glidepath history --stack S`: the stack's update history, newest first, each update with
 * the gate verdicts and events of its phase. `--build <id>`: one build's record instead, joined
 * by its id (the updates that name it, its audit entries from a log that is verified first, the
 * gate verdict for its bundles, its evidence manifest and its deploy logs); exit 1 when the log
 * does not verify, a shot does not match its file or a deploy log is not the one the audit
 * recorded (the record is printed first).
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { buildFound, buildProblems, renderBuild } from "../lib/driver/build-join";
import { readBuildRecord } from "../lib/driver/build-record";
import { joinHistory } from "../lib/driver/history-join";
import { GlidepathError } from "../lib/errors";
import { eventFiles, readSwarmEvents } from "../lib/events/sinks";
import { readHistory } from "../lib/history";
import { renderHistory } from "../lib/render";
import { emit, openExistingStack, parseArgs, stackArgs, withStackOptions } from "./common";

export const command = "history";
export const describe = "show the stack's update history (the audit trail), or one build's record (--build)";

export function builder(y: Argv) {
  return withStackOptions(y).option("build", {
    type: "string",
    describe:
      "a build id (16 hex digits): its updates, audit entries, gate verdict, evidence and deploy logs",
  });
}

const args = stackArgs.extend({
  build: z
    .string()
    .regex(/^[0-9a-f]{16}$/, { error: "expected a build id of 16 lowercase hex digits" })
    .optional(),
});

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await openExistingStack(a);
  const history = await readHistory(ctx.stack, false);
  if (a.build !== undefined) return buildRecord(a.stack, a.build, ctx.projectDir, history, a.json);
  const events = await readSwarmEvents(eventFiles(ctx.projectDir).swarm, a.stack);
  const joined = joinHistory(history, events);
  emit(a.json, { stack: a.stack, history: joined }, () => renderHistory(joined));
}

async function buildRecord(
  stack: string,
  build: string,
  projectDir: string,
  history: Awaited<ReturnType<typeof readHistory>>,
  json: boolean,
): Promise<void> {
  const record = await readBuildRecord({ projectDir, stack, buildId: build, history });
  if (!buildFound(record))
    throw new GlidepathError(
      "GP_HISTORY_NO_MATCH",
      `nothing of stack ${stack} refers to build ${build}: no update, audit entry, gate verdict, evidence or deploy log`,
      "pass a build id of this stack, as glidepath gate and glidepath evidence capture print it",
    );
  const problems = buildProblems(record);
  emit(json, { stack, build: record, problems }, () => renderBuild(record));
  if (problems.length > 0)
    throw new GlidepathError(
      "GP_AUDIT_INVALID",
      `build ${build}'s record does not verify: ${problems.join("; ")}`,
      "treat it as tampering: keep copies of the files as evidence; nothing was changed",
    );
}

/**
 * Shared pieces of the command modules: common options, argv parsing through zod, output.
 */

import type { Argv } from "yargs";
import { z } from "zod";
import { artifactKind, checkArtifactTarget } from "../lib/artifacts";
import { openGuardrailMirror } from "../lib/audit/log-file";
import { checkProjectDir, type StackContext, stackContext } from "../lib/context";
import { GlidepathError } from "../lib/errors";
import { loadStackConfigWithSecrets } from "../lib/stack-config";

/** Stack names as Pulumi accepts them. */
export const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Options every stack command takes. */
export function withStackOptions<T>(y: Argv<T>) {
  return y
    .option("stack", {
      type: "string",
      default: "local",
      describe: "stack name (local, staging, production)",
    })
    .option("json", { type: "boolean", default: false, describe: "print one JSON document" })
    .option("project-dir", { type: "string", describe: "project directory (default: this package)" });
}

/** The zod shape of the common options. */
export const stackArgs = z.object({
  stack: z.string().regex(STACK_NAME, { error: "expected a stack name of letters, digits, '_', '.', '-'" }),
  json: z.boolean(),
  projectDir: z.string().optional(),
});

/**
 * Parses argv with a zod schema.
 *
 * @throws GlidepathError `GP_ARG_INVALID` (exit 2) naming the argument, the value and the expected form
 */
export function parseArgs<S extends z.ZodType>(schema: S, argv: unknown): z.infer<S> {
  const parsed = schema.safeParse(argv);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const name = String(i.path[0] ?? "");
    const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    // A repeatable flag's issue names the one value at fault (`--signer="x"`).
    let value = (argv as Record<string, unknown>)[name];
    for (const k of i.path.slice(1)) value = (value as Record<PropertyKey, unknown> | undefined)?.[k];
    return `  ${flag}=${JSON.stringify(value)}: ${i.message}`;
  });
  throw new GlidepathError(
    "GP_ARG_INVALID",
    `invalid arguments:\n${lines.join("\n")}`,
    "correct the arguments; see --help",
  );
}

let written = false;

/** Whether this run already printed its document on stdout (see {@link emit}). */
export function documentWritten(): boolean {
  return written;
}

/** Forgets {@link documentWritten}: the CLI calls it when a run starts. */
export function resetOutput(): void {
  written = false;
}

/**
 * Writes the result: one JSON document on stdout with `--json`, else the human rendering.
 * Once a JSON document is out, a later error of the same run is printed on stderr only (the
 * document must say how the run ended, as a failed rollout's report does with its `error`).
 */
export function emit(json: boolean, data: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
  if (json) written = true;
}

/** Progress to stderr (stdout stays clean for `--json`). */
export function progressLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Opens a stack that must already exist, to read it (or its logs) without deploying: no
 * provisioning of the toolchain or the backend, no adoption of what the targets serve.
 *
 * @param a - the parsed common options
 * @param opts - `tolerateInvalidStackFile`: open even when the stack file does not validate (to
 *   report on it) @default - refused
 */
export function openExistingStack(
  a: { stack: string; projectDir?: string },
  opts: { tolerateInvalidStackFile?: boolean } = {},
): Promise<StackContext> {
  return stackContext({
    stack: a.stack,
    projectDir: a.projectDir,
    progress: progressLine,
    provision: false,
    adoptDeployed: false,
    ...opts,
  });
}

/**
 * The start of a read-only report command (`preflight`, `check`): opens the stack without
 * installing the toolchain, refuses a `--json-output` path the report may not replace before
 * any work, and loads the config, printing its warnings.
 *
 * @param a - the parsed common options and `--json-output`
 * @param schema - the report's `schema` marker, e.g. `glidepath.orchestrator-check/v1`
 */
export async function openForReport(
  a: { stack: string; projectDir?: string; jsonOutput?: string },
  schema: string,
): Promise<{ ctx: StackContext } & Awaited<ReturnType<typeof loadStackConfigWithSecrets>>> {
  const ctx = await stackContext({
    stack: a.stack,
    projectDir: a.projectDir,
    progress: progressLine,
    provision: false,
  });
  if (a.jsonOutput) {
    await checkArtifactTarget(ctx.projectDir, a.jsonOutput, artifactKind({ schema }), {
      flag: "--json-output",
    });
  }
  const loaded = await loadStackConfigWithSecrets(ctx.stack);
  for (const w of loaded.warnings) progressLine(`warning: ${w.path}: ${w.message}`);
  return { ctx, ...loaded };
}

/**
 * The project directory of a command that reads or writes a stack's guardrail records without
 * opening the stack (`approve`, `audit`, `baseline`, `evidence`): checked, and on a `postgres://`
 * backend with the stack's records pulled into this checkout's mirror.
 *
 * @param a - the parsed common options
 * @returns the project directory
 */
export async function openProjectOf(a: { stack: string; projectDir?: string }): Promise<string> {
  const projectDir = await checkProjectDir(a.projectDir);
  await openGuardrailMirror(projectDir, a.stack, { progress: progressLine });
  return projectDir;
}

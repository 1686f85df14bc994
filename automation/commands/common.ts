/**
 * Shared pieces of the command modules: common options, argv parsing through zod, output.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { GlidepathError } from "../lib/errors";

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
    const name = i.path.map(String).join(".");
    const flag = `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    const value = (argv as Record<string, unknown>)[name];
    return `  ${flag}=${JSON.stringify(value)}: ${i.message}`;
  });
  throw new GlidepathError(
    "GP_ARG_INVALID",
    `invalid arguments:\n${lines.join("\n")}`,
    "correct the arguments; see --help",
  );
}

/** Writes the result: JSON to stdout with `--json`, else the human rendering. */
export function emit(json: boolean, data: unknown, human: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}

/** Progress to stderr (stdout stays clean for `--json`). */
export function progressLine(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * The `glidepath` command line: one yargs module per verb under `commands/`.
 */
import yargs from "yargs";
import { hideBin, Parser } from "yargs/helpers";
import * as approve from "./commands/approve";
import * as audit from "./commands/audit";
import * as baseline from "./commands/baseline";
import * as check from "./commands/check";
import { documentWritten, resetOutput } from "./commands/common";
import * as demo from "./commands/demo";
import * as did from "./commands/did";
import * as edge from "./commands/edge";
import * as events from "./commands/events";
import * as evidence from "./commands/evidence";
import * as gate from "./commands/gate";
import * as golden from "./commands/golden";
import * as history from "./commands/history";
import * as preflight from "./commands/preflight";
import * as promote from "./commands/promote";
import * as rollback from "./commands/rollback";
import * as rollout from "./commands/rollout";
import * as smoke from "./commands/smoke";
import * as status from "./commands/status";
import * as sync from "./commands/sync";
import * as toolchain from "./commands/toolchain";
import * as up from "./commands/up";
import * as verifyLive from "./commands/verify-live";
import * as wasm from "./commands/wasm";
import { flushGuardrailMirrors } from "./lib/audit/log-file";
import { ExitCode, engineErrorSummary, errorJson, GlidepathError, isGlidepathError } from "./lib/errors";

/** Runs the CLI with `argv` (without node and script) and resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  resetOutput();
  try {
    await yargs([...argv])
      .scriptName("glidepath")
      .command(approve)
      .command(audit)
      .command(baseline)
      .command(demo)
      .command(did)
      .command(edge)
      .command(events)
      .command(gate)
      .command(evidence)
      .command(golden)
      .command(up)
      .command(verifyLive)
      .command(history)
      .command(preflight)
      .command(check)
      .command(rollout)
      .command(promote)
      .command(rollback)
      .command(smoke)
      .command(status)
      .command(sync)
      .command(toolchain)
      .command(wasm)
      .version(false)
      .demandCommand(1, "name a command; see --help")
      .epilog(EXIT_CODES_HELP)
      // An unknown command is named as such (not as a list of its flags).
      .strictCommands()
      .strict()
      .fail((msg, err) => {
        throw err ?? new GlidepathError("GP_ARG_INVALID", msg, "see `glidepath --help`");
      })
      .help()
      .parseAsync();
    await flushGuardrailMirrors();
    return ExitCode.ok;
  } catch (e) {
    const error = asGlidepathError(e);
    process.stderr.write(`${error.render()}\n`);
    // What a failed command recorded (a FAIL verdict, a rollback's entries) is shared all the same.
    const unshared = await flushGuardrailMirrors().then(
      () => undefined,
      (f: unknown) => asGlidepathError(f),
    );
    if (unshared !== undefined) process.stderr.write(`${unshared.render()}\n`);
    if (error.code === "GP_INTERNAL" && process.env.GLIDEPATH_DEBUG === "1" && e instanceof Error && e.stack)
      process.stderr.write(`${e.stack}\n`);
    // With --json, stdout holds exactly one document on every outcome: the error alone, unless
    // the command already printed its document (a failed rollout's report carries the error).
    if (wantsJson(argv) && !documentWritten()) {
      process.stdout.write(`${JSON.stringify({ error: errorJson(error) }, null, 2)}\n`);
    }
    return error.exitCode;
  }
}

/** Whether `--json` is in effect for `argv` (the last of `--json` / `--no-json` wins). */
export function wantsJson(argv: readonly string[]): boolean {
  return Parser([...argv], { boolean: ["json"] }).json === true;
}

/** Any thrown value as a {@link GlidepathError}: a glidepath error as it is, anything else `GP_INTERNAL`. */
function asGlidepathError(e: unknown): GlidepathError {
  if (isGlidepathError(e)) return e;
  const text = e instanceof Error ? e.message : String(e);
  return new GlidepathError(
    "GP_INTERNAL",
    engineErrorSummary(text),
    "this is unexpected; rerun with GLIDEPATH_DEBUG=1 for the full trace and report it",
  );
}

/** The exit-code table, as `--help` prints it (the README has the same table). */
export const EXIT_CODES_HELP = [
  "Exit codes:",
  "  0    success",
  "  1    the operation failed and the stack is on a green state (a failed gate or aborted ramp was rolled back),",
  "       or another glidepath process holds the stack (GP_STACK_LOCKED: this one changed nothing; retry later)",
  "  2    bad input or a refused command (arguments, config, a held stack, an unfinished rollback); nothing changed",
  "  3    a rollback failed: the stack is not on its last green state and a canary may be live (page someone)",
  "  4    internal error of glidepath (a bug): report it",
  "  130  interrupted by SIGINT (a live canary was rolled back first)",
  "  143  interrupted by SIGTERM (a live canary was rolled back first)",
].join("\n");

if (require.main === module) {
  main(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}

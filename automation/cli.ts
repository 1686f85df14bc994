/**
 * The `glidepath` command line: one yargs module per verb under `commands/`.
 */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import * as check from "./commands/check";
import * as demo from "./commands/demo";
import * as edge from "./commands/edge";
import * as history from "./commands/history";
import * as preflight from "./commands/preflight";
import * as promote from "./commands/promote";
import * as rollback from "./commands/rollback";
import * as rollout from "./commands/rollout";
import * as status from "./commands/status";
import * as toolchain from "./commands/toolchain";
import * as up from "./commands/up";
import { ExitCode, engineErrorSummary, isGlidepathError } from "./lib/errors";

/** Runs the CLI with `argv` (without node and script) and resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await yargs([...argv])
      .scriptName("glidepath")
      .command(demo)
      .command(edge)
      .command(up)
      .command(history)
      .command(preflight)
      .command(check)
      .command(rollout)
      .command(promote)
      .command(rollback)
      .command(status)
      .command(toolchain)
      .version(false)
      .demandCommand(1, "name a command; see --help")
      .epilog(EXIT_CODES_HELP)
      .strict()
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .help()
      .parseAsync();
    return ExitCode.ok;
  } catch (e) {
    if (isGlidepathError(e)) {
      process.stderr.write(`${e.render()}\n`);
      return e.exitCode;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`error[GP_ARG_INVALID]: ${e.message}\nfix: see \`glidepath --help\`\n`);
      return ExitCode.badInput;
    }
    const text = e instanceof Error ? e.message : String(e);
    process.stderr.write(
      `error[GP_INTERNAL]: ${engineErrorSummary(text)}\n` +
        "fix: this is unexpected; rerun with GLIDEPATH_DEBUG=1 for the full trace and report it\n",
    );
    if (process.env.GLIDEPATH_DEBUG === "1" && e instanceof Error && e.stack)
      process.stderr.write(`${e.stack}\n`);
    return ExitCode.internal;
  }
}

class UsageError extends Error {}

/** The exit-code table, as `--help` prints it (the README has the same table). */
export const EXIT_CODES_HELP = [
  "Exit codes:",
  "  0    success",
  "  1    the operation failed and the stack is on a green state (a failed gate or aborted ramp was rolled back)",
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

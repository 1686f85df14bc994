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
    return ExitCode.failed;
  }
}

class UsageError extends Error {}

if (require.main === module) {
  main(hideBin(process.argv)).then((code) => {
    process.exitCode = code;
  });
}

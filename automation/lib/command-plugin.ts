/**
 * The `command` resource plugin the program's builds use, scoped to this project: Pulumi.yaml
 * declares `providers/command-plugin/bin` under `plugins.providers`, and the engine runs the
 * launcher there for the project's `command` resources (a project plugin wins over the plugin
 * cache and PATH). The launcher runs the upstream `pulumi-resource-command` where one is
 * installed (on PATH, or in the plugin cache as `resource-command-v1.2.1`) and glidepath's
 * stand-in (providers/command-plugin) otherwise. Nothing is written into the machine's plugin
 * cache, so other projects and other checkouts never see the stand-in.
 *
 * This module only checks that the launcher can start the plugin it chose, and reports which.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";
import { GlidepathError } from "./errors";

const execFileP = promisify(execFile);

/** The marker line of a stand-in; a plugin file carrying it is never taken for upstream. */
export const STAND_IN_MARKER = "# glidepath stand-in for pulumi-resource-command (providers/command-plugin)";

/** The project plugin directory Pulumi.yaml names (relative to the project). */
export const COMMAND_PLUGIN_DIR = path.join("providers", "command-plugin", "bin");

/** Which plugin the launcher starts, and from where. */
export interface CommandPluginChoice {
  /** `upstream`: an installed `pulumi-resource-command`; `stand-in`: glidepath's. */
  kind: "upstream" | "stand-in";
  /** The upstream binary, or the stand-in's compiled entry point. */
  path: string;
}

/**
 * Asks the project's launcher which plugin it would start (it prints its choice and exits
 * when `GLIDEPATH_COMMAND_PLUGIN_PROBE=1`).
 *
 * @param projectDir - the project directory (holds Pulumi.yaml and the launcher)
 * @param env - the environment the engine will run with (PATH, PULUMI_HOME) @default process.env
 * @throws GlidepathError `GP_TOOLCHAIN_MISSING` when the launcher is missing or fails
 */
export async function commandPluginChoice(
  projectDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandPluginChoice> {
  const launcher = path.join(projectDir, COMMAND_PLUGIN_DIR, "pulumi-resource-command");
  let out: string;
  try {
    out = (await execFileP(launcher, [], { env: { ...env, GLIDEPATH_COMMAND_PLUGIN_PROBE: "1" } })).stdout;
  } catch (e) {
    throw new GlidepathError(
      "GP_TOOLCHAIN_MISSING",
      `the project's command plugin launcher ${launcher} did not run: ${String(e).split("\n")[0]}`,
      `restore it from the repository (\`git checkout -- ${COMMAND_PLUGIN_DIR}\`) and keep it executable`,
    );
  }
  const m = /^(upstream|stand-in) (.+)$/.exec(out.trim());
  if (!m) {
    throw new GlidepathError(
      "GP_TOOLCHAIN_MISSING",
      `the project's command plugin launcher ${launcher} answered ${JSON.stringify(out.trim())}`,
      `restore it from the repository (\`git checkout -- ${COMMAND_PLUGIN_DIR}\`)`,
    );
  }
  return { kind: m[1] as CommandPluginChoice["kind"], path: path.normalize(m[2] as string) };
}

/**
 * Makes sure the project's `command` plugin can start: the upstream one where installed, else
 * the stand-in, which needs the compiled `dist/`. Writes nothing.
 *
 * @param projectDir - the project directory (holds Pulumi.yaml, the launcher and `dist/`)
 * @param env - the environment the engine will run with @default process.env
 * @returns which plugin will run
 * @throws GlidepathError `GP_TOOLCHAIN_MISSING` when it cannot start
 */
export async function ensureCommandPlugin(
  projectDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandPluginChoice["kind"]> {
  const choice = await commandPluginChoice(projectDir, env);
  if (choice.kind === "stand-in" && !(await fs.stat(choice.path).catch(() => undefined))?.isFile()) {
    throw new GlidepathError(
      "GP_TOOLCHAIN_MISSING",
      `the command plugin stand-in is not built (${choice.path} is missing) and no upstream pulumi-resource-command is installed`,
      "run `npm run build`, or install the upstream plugin with `pulumi plugin install resource command 1.2.1`",
    );
  }
  return choice.kind;
}

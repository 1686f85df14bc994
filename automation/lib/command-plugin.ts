/**
 * Installs glidepath's stand-in for the `command` resource plugin (providers/command-plugin)
 * where no upstream `pulumi-resource-command` 1.2.1 is installed. The stand-in is a small
 * launcher that runs the compiled plugin with the Node running glidepath; it carries a marker
 * line so it is never confused with, and never replaces, the upstream plugin.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { GlidepathError } from "./errors";
import { COMMAND_PLUGIN_VERSION, type Toolchain } from "./toolchain";

const execFileP = promisify(execFile);

/** First line after the shebang of the stand-in launcher. */
export const STAND_IN_MARKER = "# glidepath stand-in for pulumi-resource-command (providers/command-plugin)";

/** Where Pulumi keeps the command plugin of `version`. */
export function commandPluginPath(
  version = COMMAND_PLUGIN_VERSION,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const home = env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
  return path.join(home, "plugins", `resource-command-v${version}`, "pulumi-resource-command");
}

/** The launcher script for a project directory and a Node binary. */
export function launcherScript(projectDir: string, node: string): string {
  const main = path.join(projectDir, "dist", "providers", "command-plugin", "main.js");
  return `#!/bin/sh\n${STAND_IN_MARKER}\nexec "${node}" "${main}" "$@"\n`;
}

/**
 * Makes sure a `command` plugin is installed: the upstream one if present, else the stand-in.
 *
 * @param toolchain - the resolved toolchain (its `pulumi` installs the plugin)
 * @param projectDir - the repository root holding `dist/`
 * @returns which plugin is in place
 */
export async function ensureCommandPlugin(
  toolchain: Toolchain,
  projectDir: string,
): Promise<"upstream" | "stand-in"> {
  const target = commandPluginPath();
  const existing = await fs.readFile(target, "utf8").catch(() => undefined);
  if (existing !== undefined && !existing.includes(STAND_IN_MARKER)) return "upstream";
  const script = launcherScript(projectDir, process.execPath);
  if (existing === script) return "stand-in";
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "glidepath-command-plugin-"));
  const file = path.join(dir, "pulumi-resource-command");
  await fs.writeFile(file, script, { mode: 0o755 });
  try {
    await execFileP(
      path.join(toolchain.binDir, "pulumi"),
      ["plugin", "install", "resource", "command", COMMAND_PLUGIN_VERSION, "--file", file, "--reinstall"],
      { env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" }, timeout: 60_000 },
    );
  } catch (e) {
    throw new GlidepathError(
      "GP_TOOLCHAIN_MISSING",
      `installing the command plugin stand-in failed: ${String(e).split("\n")[0]}`,
      `check that ${path.dirname(target)} is writable, then run \`npm run toolchain\` again`,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  const installed = await fs.readFile(target, "utf8").catch(() => "");
  if (installed !== script) {
    throw new GlidepathError(
      "GP_TOOLCHAIN_MISSING",
      `the command plugin at ${target} is not the stand-in that was just installed`,
      `remove ${path.dirname(target)} and run \`npm run toolchain\` again`,
    );
  }
  return "stand-in";
}

/**
 * What every command needs before it can talk to a stack: the project directory, the
 * toolchain, and the opened stack.
 */

import * as fs from "node:fs/promises";
import * as path from "node:path";
import { adoptDeployedState } from "./adopt-deployed";
import { openGuardrailMirror, RECORDS_PULLED_ENV, sharesRecords } from "./audit/log-file";
import { assertLockableBackend } from "./backend-url";
import { ensureCommandPlugin } from "./command-plugin";
import { assertPassphrase } from "./env";
import { GlidepathError } from "./errors";
import type { ResolvedDestination } from "./events/swarm-destination";
import { assertSwarmDeliverable, openSwarmDestination } from "./events/swarm-open";
import { loadStackConfigWithSecrets, stackFileConfig } from "./stack-config";
import { stackFileSyntaxError } from "./stack-file-syntax";
import { checkTargetScopes } from "./target-scope";
import { ensureToolchain, type Toolchain } from "./toolchain";
import { type OpenedStack, openStack } from "./workspace";

/** The repository root when running from `dist/automation/lib` or `automation/lib`. */
export function packageRoot(): string {
  // dist/automation/lib when compiled, automation/lib when run from source (tests)
  const compiled = path.basename(path.resolve(__dirname, "../..")) === "dist";
  return path.resolve(__dirname, compiled ? "../../.." : "../..");
}

/** Options of {@link stackContext}. */
export interface StackContextOptions {
  /** Stack name. */
  stack: string;
  /** Project directory. @default - {@link packageRoot} */
  projectDir?: string;
  /** Progress lines (toolchain provisioning). @default - none */
  progress?: (line: string) => void;
  /**
   * Install the toolchain when it is missing (the installer or a Go build of several minutes).
   * Read-only commands pass false: they refuse with `GP_TOOLCHAIN_MISSING` and name the command
   * that installs it, rather than start a long build nobody asked for.
   * @default true
   */
  provision?: boolean;
  /**
   * Open the stack even when its stack file is not valid YAML (`status` reports it instead).
   * @default false: such a file is refused with `GP_CONFIG_INVALID` naming the file and the line
   */
  tolerateInvalidStackFile?: boolean;
  /**
   * Take the desired state (releases, weights, ramp pointer, generation) from the backend into
   * a stack file that is behind it, before the command reads the file. Read-only commands pass
   * false: they report what the backend says and write nothing.
   * @default true
   */
  adoptDeployed?: boolean;
  /**
   * The command changes the stack (takes the driver lock): a backend the driver cannot lock
   * (`s3://`, `gs://`, `azblob://`, …) is refused with `GP_BACKEND_UNSUPPORTED` before anything
   * else, the stack is not even opened; and a stack on remote targets has its credentials checked
   * against its own scope (`GP_CREDENTIAL_SCOPE`, exit 2) before anything is written.
   * @default false
   */
  changesStack?: boolean;
}

/** A toolchain plus an opened stack. */
export interface StackContext extends OpenedStack {
  /** The resolved toolchain. */
  toolchain: Toolchain;
  /** The project directory. */
  projectDir: string;
  /** Where the stack's SWARM log goes besides its JSONL file. */
  swarm: ResolvedDestination;
}

/**
 * The project directory, checked: it exists, is a directory and holds `Pulumi.yaml`.
 *
 * @param given - the `--project-dir` value @default - {@link packageRoot}
 * @returns its absolute path
 * @throws GlidepathError `GP_ARG_INVALID` (exit 2) naming `--project-dir` and the path
 */
export async function checkProjectDir(given?: string): Promise<string> {
  const dir = path.resolve(given ?? packageRoot());
  const shown =
    given === undefined ? `the package directory ${dir}` : `--project-dir=${JSON.stringify(given)}`;
  const stat = await fs.stat(dir).catch(() => undefined);
  const why =
    stat === undefined
      ? `${dir} does not exist`
      : !stat.isDirectory()
        ? `${dir} is not a directory`
        : !(await fs.stat(path.join(dir, "Pulumi.yaml")).catch(() => undefined))?.isFile()
          ? `${dir} holds no Pulumi.yaml`
          : undefined;
  if (why === undefined) return dir;
  throw new GlidepathError(
    "GP_ARG_INVALID",
    `${shown}: ${why}; nothing was changed`,
    `pass the directory that holds Pulumi.yaml (without --project-dir: this package, ${packageRoot()})`,
  );
}

/** Resolves the toolchain and opens the stack. */
export async function stackContext(opts: StackContextOptions): Promise<StackContext> {
  const projectDir = await checkProjectDir(opts.projectDir);
  if (opts.changesStack) assertLockableBackend(process.env.PULUMI_BACKEND_URL);
  assertPassphrase(opts.stack);
  if (!opts.tolerateInvalidStackFile) {
    const syntax = await stackFileSyntaxError(projectDir, opts.stack);
    if (syntax !== undefined) throw syntax;
  }
  const toolchain = await ensureToolchain({
    projectDir: packageRoot(),
    progress: opts.progress,
    provision: opts.provision,
  });
  await ensureCommandPlugin(projectDir);
  const opened = await openStack({ projectDir, stack: opts.stack, toolchain });
  if (opts.adoptDeployed ?? true) {
    const taken = await adoptDeployedState(opened.stack, projectDir);
    if (taken !== undefined) {
      opts.progress?.(
        `Pulumi.${opts.stack}.yaml was behind the backend (generation ${taken.from}, the stack's newest update ${taken.to}): ` +
          `took the deployed releases, weights and ramp pointer, kept your other edits${taken.changes.length > 0 ? `: ${taken.changes.join("; ")}` : ""}`,
      );
    }
  }
  if (opts.changesStack && (await hasRemoteTargets(projectDir, opts.stack))) {
    const { config } = await loadStackConfigWithSecrets(opened.stack);
    await checkTargetScopes(opts.stack, config);
  }
  const backendUrl = opened.envVars.PULUMI_BACKEND_URL;
  await openGuardrailMirror(projectDir, opts.stack, { backendUrl, progress: opts.progress });
  // The engine this command runs judges the mirror just pulled (the driver lock keeps it current).
  if (sharesRecords(backendUrl)) opened.envVars[RECORDS_PULLED_ENV] = "1";
  const swarm = await openSwarmDestination(opened.stack, projectDir, opts.changesStack ?? false);
  if (opts.changesStack) assertSwarmDeliverable(opts.stack, swarm);
  return { ...opened, toolchain, projectDir, swarm };
}

/** Whether the stack file puts any app on a remote target (only then are credentials checked). */
async function hasRemoteTargets(projectDir: string, stack: string): Promise<boolean> {
  const apps = (await stackFileConfig(projectDir, stack))["glidepath:apps"];
  if (apps === null || typeof apps !== "object") return false;
  return Object.values(apps as Record<string, { target?: unknown }>).some(
    (a) => a !== null && typeof a === "object" && a.target !== undefined && a.target !== "local",
  );
}

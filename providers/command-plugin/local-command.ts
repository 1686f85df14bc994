/**
 * glidepath's stand-in for the `command` resource plugin: the `command:local:Command` resource
 * of `@pulumi/command` 1.2.1, served through `@pulumi/pulumi/provider`. It exists because the
 * upstream plugin cannot be built or downloaded on machines that only reach the package
 * registries (docs/toolchain.md); where the upstream plugin is installed, it is used instead.
 *
 * Covered: `create`, `update`, `delete`, `dir`, `environment`, `interpreter`, `stdin`,
 * `triggers` (replace on change), outputs `stdout` and `stderr`, and `addPreviousOutputInEnv`
 * with upstream's default (true): `update` and `delete` see the previous `stdout` and `stderr`
 * in `PULUMI_COMMAND_STDOUT` and `PULUMI_COMMAND_STDERR` (each only when not empty). Not
 * covered (refused in `check`): `assetPaths`, `archivePaths`.
 *
 * The plugin runs through `bin/pulumi-resource-command`, which Pulumi.yaml declares as the
 * project's `command` plugin and which prefers an installed upstream plugin.
 */
import { spawn } from "node:child_process";
import type * as provider from "@pulumi/pulumi/provider";

/** The inputs this stand-in understands. */
export interface LocalCommandInputs {
  create?: string;
  update?: string;
  delete?: string;
  dir?: string;
  environment?: Record<string, string>;
  interpreter?: string[];
  stdin?: string;
  triggers?: unknown[];
  /** Pass the previous outputs to `update` and `delete` (`PULUMI_COMMAND_STDOUT`, …). @default true */
  addPreviousOutputInEnv?: boolean;
}

/** The outputs a command run produces, trimmed of one trailing newline. */
export interface CommandOutputs {
  stdout: string;
  stderr: string;
}

const UNSUPPORTED = ["assetPaths", "archivePaths"] as const;
const COMPARED = [
  "create",
  "update",
  "delete",
  "dir",
  "environment",
  "interpreter",
  "stdin",
  "addPreviousOutputInEnv",
] as const;

/** Inputs the stand-in refuses, as check failures. */
export function unsupportedInputs(news: Record<string, unknown>): provider.CheckFailure[] {
  return UNSUPPORTED.filter((k) => news[k] !== undefined && news[k] !== false).map((k) => ({
    property: k,
    reason: `${k} is not supported by glidepath's command plugin stand-in; install the upstream plugin to use it`,
  }));
}

/** The diff of two input sets: triggers replace, other inputs update. */
export function diffInputs(olds: LocalCommandInputs, news: LocalCommandInputs): provider.DiffResult {
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const replaces = same(olds.triggers, news.triggers) ? [] : ["triggers"];
  const changed = COMPARED.some((k) => !same(olds[k], news[k]));
  return { changes: replaces.length > 0 || changed, replaces, deleteBeforeReplace: false };
}

/**
 * The environment a command runs with, as upstream builds it: the plugin's own environment,
 * then the `environment` input, then (unless `addPreviousOutputInEnv` is false) the previous
 * run's non-empty outputs as `PULUMI_COMMAND_STDOUT` and `PULUMI_COMMAND_STDERR`.
 *
 * @param inputs - the resource's inputs
 * @param previous - the outputs of the previous run (`update`, `delete`) @default - none (`create`)
 * @param base - the plugin's environment @default process.env
 */
export function commandEnv(
  inputs: LocalCommandInputs,
  previous?: Partial<CommandOutputs>,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...(inputs.environment ?? {}) };
  if (inputs.addPreviousOutputInEnv !== false) {
    if (previous?.stdout) env.PULUMI_COMMAND_STDOUT = previous.stdout;
    if (previous?.stderr) env.PULUMI_COMMAND_STDERR = previous.stderr;
  }
  return env;
}

/**
 * Runs one command; resolves with trimmed stdout and stderr, rejects on a non-zero exit.
 *
 * @param command - the shell command
 * @param inputs - the resource's inputs (directory, environment, interpreter, stdin)
 * @param previous - the previous run's outputs, for {@link commandEnv} @default - none
 */
export function runCommand(
  command: string,
  inputs: LocalCommandInputs,
  previous?: Partial<CommandOutputs>,
): Promise<CommandOutputs> {
  const [shell, ...shellArgs] = inputs.interpreter?.length ? inputs.interpreter : ["/bin/sh", "-c"];
  return new Promise((resolve, reject) => {
    const child = spawn(shell ?? "/bin/sh", [...shellArgs, command], {
      cwd: inputs.dir,
      env: commandEnv(inputs, previous),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve({ stdout: stdout.replace(/\n$/, ""), stderr: stderr.replace(/\n$/, "") });
      else
        reject(
          new Error(
            `command exited with code ${code}: ${command}\n${stderr.trim().split("\n").slice(-10).join("\n")}`,
          ),
        );
    });
    // A command that exits without reading its stdin closes the pipe first: EPIPE then says
    // nothing the exit code does not, and unhandled it would crash the plugin.
    child.stdin.on("error", () => undefined);
    child.stdin.end(inputs.stdin ?? "");
  });
}

function strip(props: Record<string, unknown>): LocalCommandInputs {
  const { stdout: _o, stderr: _e, ...inputs } = props;
  return inputs as LocalCommandInputs;
}

/** The provider served by `main.ts`. */
export const localCommandProvider: provider.Provider = {
  version: "1.2.1",

  async check(_urn, _olds, news) {
    const failures = unsupportedInputs(news ?? {});
    return failures.length > 0 ? { inputs: news, failures } : { inputs: news };
  },

  async diff(_id, _urn, olds, news) {
    return diffInputs(strip(olds ?? {}), strip(news ?? {}));
  },

  async create(_urn, inputs) {
    const out = inputs.create ? await runCommand(inputs.create, inputs) : { stdout: "", stderr: "" };
    return {
      id: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
      outs: { ...inputs, ...out },
    };
  },

  async read(id, _urn, props) {
    return { id, props };
  },

  async update(_id, _urn, olds, news) {
    const command = news.update ?? news.create;
    const previous = { stdout: olds?.stdout ?? "", stderr: olds?.stderr ?? "" };
    // Like upstream, an update without a command keeps the previous outputs.
    const out = command ? await runCommand(command, news, previous) : previous;
    return { outs: { ...news, ...out } };
  },

  async delete(_id, _urn, props) {
    if (props?.delete) await runCommand(props.delete, strip(props), props);
  },
};

/**
 * glidepath's stand-in for the `command` resource plugin: the `command:local:Command` resource
 * of `@pulumi/command` 1.2.1, served through `@pulumi/pulumi/provider`. It exists because the
 * upstream plugin cannot be built or downloaded on machines that only reach the package
 * registries (docs/toolchain.md); where the upstream plugin is installed, it is used instead.
 *
 * Covered: `create`, `update`, `delete`, `dir`, `environment`, `interpreter`, `stdin`,
 * `triggers` (replace on change), outputs `stdout` and `stderr`. Not covered (refused in
 * `check`): `assetPaths`, `archivePaths`, `addPreviousOutputInEnv`.
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
}

const UNSUPPORTED = ["assetPaths", "archivePaths", "addPreviousOutputInEnv"] as const;
const COMPARED = ["create", "update", "delete", "dir", "environment", "interpreter", "stdin"] as const;

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

/** Runs one command; resolves with trimmed stdout and stderr, rejects on a non-zero exit. */
export function runCommand(
  command: string,
  inputs: LocalCommandInputs,
): Promise<{ stdout: string; stderr: string }> {
  const [shell, ...shellArgs] = inputs.interpreter?.length ? inputs.interpreter : ["/bin/sh", "-c"];
  return new Promise((resolve, reject) => {
    const child = spawn(shell ?? "/bin/sh", [...shellArgs, command], {
      cwd: inputs.dir,
      env: { ...process.env, ...(inputs.environment ?? {}) },
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

  async update(_id, _urn, _olds, news) {
    const command = news.update ?? news.create;
    const out = command ? await runCommand(command, news) : { stdout: "", stderr: "" };
    return { outs: { ...news, ...out } };
  },

  async delete(_id, _urn, props) {
    if (props?.delete) await runCommand(props.delete, strip(props));
  },
};

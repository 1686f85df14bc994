/**
 * A throw-away copy of the glidepath project, for end-to-end tests and benchmarks: its own
 * file backend (or a given one, such as a PostgreSQL database several copies share), its own
 * local target, the real Pulumi CLI and the real glidepath CLI.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { COMMAND_PLUGIN_DIR } from "../../automation/lib/command-plugin";

const execFileP = promisify(execFile);

/** The repository root (this file runs from bench/helpers or dist/bench/helpers). */
export const ROOT = path.resolve(
  __dirname,
  path.basename(path.resolve(__dirname, "../..")) === "dist" ? "../../.." : "../..",
);

/** Result of a command run. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** One entry of `pulumi stack history --json`, as far as tests and benchmarks read it. */
export interface StackHistoryEntry {
  kind: string;
  result: string;
  message: string;
}

/** A command running in the background. */
export interface Background {
  /** The process (its pid is glidepath's own). */
  child: ChildProcess;
  /** Everything it printed so far (stdout then stderr). */
  output(): string;
  /** Resolves when it exits. */
  done: Promise<Run>;
}

/** A temporary project. */
export interface ScratchProject {
  /** Project directory (holds Pulumi.yaml, Pulumi.local.yaml, dist/). */
  dir: string;
  /** Environment every command runs with (backend under `dir`); replace it to change later runs. */
  env: NodeJS.ProcessEnv;
  /** Runs `glidepath <args> --project-dir dir`. */
  glidepath(args: readonly string[]): Promise<Run>;
  /**
   * Starts `glidepath <args> --project-dir dir` in the background.
   * @param group - in a process group of its own, so that `process.kill(-pid)` reaches its `pulumi` children too @default false
   */
  start(args: readonly string[], group?: boolean): Background;
  /**
   * Runs the real `pulumi <args>` in `dir`.
   * @param printsSecrets - the command prints a secret on purpose (`config get`): keep it out of the transcript @default false
   */
  pulumi(args: readonly string[], printsSecrets?: boolean): Promise<Run>;
  /** Every byte every command printed so far (for secret scans). */
  transcript(): string;
  /**
   * `pulumi stack history --json`, newest first.
   * @param stack - the stack @default "local"
   * @throws Error when the command fails
   */
  history(stack?: string): Promise<StackHistoryEntry[]>;
}

/**
 * A command's run, or an error with its output when it failed.
 *
 * @param r - the run
 * @throws Error with the exit code, the tail of stdout and stderr
 */
export async function must(r: Promise<Run>): Promise<Run> {
  const done = await r;
  if (done.code !== 0)
    throw new Error(`command failed (exit ${done.code}):\n${done.stdout.slice(-2000)}\n${done.stderr}`);
  return done;
}

async function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileP(cmd, [...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === "number" ? err.code : 1,
      stdout: err.stdout ?? "",
      stderr: err.stderr ?? "",
    };
  }
}

/** Where a scratch project lives and which backend it uses. */
export interface ScratchOptions {
  /**
   * The project directory (created; it must not exist). A fresh checkout on a CI runner lands
   * on the same path as the one before it: tests of fresh clones reuse a path this way.
   * @default - a new temp directory
   */
  dir?: string;
  /** Directory of the file backend, shared by several checkouts. @default - `<dir>/state` */
  backendDir?: string;
  /** The `PULUMI_BACKEND_URL` every command runs with. @default - the file backend in `backendDir` */
  backendUrl?: string;
}

/**
 * Copies the project into a temp directory.
 *
 * @param pulumiBinDir - directory of the toolchain's binaries
 * @param opts - where, and which backend @default - a new temp directory with its own backend
 */
export async function makeProject(pulumiBinDir: string, opts: ScratchOptions = {}): Promise<ScratchProject> {
  const dir = opts.dir ?? (await fs.mkdtemp(path.join(os.tmpdir(), "gp-scratch-")));
  if (opts.dir !== undefined) await fs.mkdir(dir);
  for (const f of ["Pulumi.yaml", "Pulumi.local.yaml", "package.json"]) {
    await fs.copyFile(path.join(ROOT, f), path.join(dir, f));
  }
  await fs.cp(path.join(ROOT, "dist"), path.join(dir, "dist"), { recursive: true });
  await fs.cp(path.join(ROOT, "apps"), path.join(dir, "apps"), { recursive: true });
  // The production policy pack's shim and manifest (its code is in dist/policy).
  await fs.cp(path.join(ROOT, "policy"), path.join(dir, "policy"), { recursive: true });
  // The project's command plugin launcher (Pulumi.yaml `plugins.providers`).
  await fs.cp(path.join(ROOT, COMMAND_PLUGIN_DIR), path.join(dir, COMMAND_PLUGIN_DIR), { recursive: true });
  await fs.symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  const state = opts.backendDir ?? path.join(dir, "state");
  await fs.mkdir(state, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PULUMI_BACKEND_URL: opts.backendUrl ?? `file://${state}`,
    PULUMI_CONFIG_PASSPHRASE: "glidepath-local-development",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PATH: [path.dirname(process.execPath), pulumiBinDir, process.env.PATH].join(path.delimiter),
  };
  const log: string[] = [];
  const record = (r: Run) => {
    log.push(r.stdout, r.stderr);
    return r;
  };
  const project: ScratchProject = {
    dir,
    env,
    glidepath: async (args) =>
      record(
        await run(
          process.execPath,
          [path.join(ROOT, "dist/automation/cli.js"), ...args, "--project-dir", dir],
          dir,
          project.env,
        ),
      ),
    start: (args, group = false) => {
      const child = spawn(
        process.execPath,
        [path.join(ROOT, "dist/automation/cli.js"), ...args, "--project-dir", dir],
        {
          cwd: dir,
          env: project.env,
          stdio: ["ignore", "pipe", "pipe"],
          detached: group,
        },
      );
      let stdout = "";
      let stderr = "";
      child.stdout?.on("data", (d: Buffer) => {
        stdout += d.toString("utf8");
      });
      child.stderr?.on("data", (d: Buffer) => {
        stderr += d.toString("utf8");
      });
      const done = new Promise<Run>((resolve) =>
        child.on("close", (code, signal) =>
          resolve(record({ code: code ?? (signal ? 128 : 1), stdout, stderr })),
        ),
      );
      return { child, output: () => `${stdout}\n${stderr}`, done };
    },
    pulumi: async (args, printsSecrets = false) => {
      const r = await run(path.join(pulumiBinDir, "pulumi"), args, dir, project.env);
      return printsSecrets ? r : record(r);
    },
    transcript: () => log.join("\n"),
    history: async (stack = "local") => {
      const r = await project.pulumi(["stack", "history", "--json", "--stack", stack]);
      if (r.code !== 0) throw new Error(`pulumi stack history failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as StackHistoryEntry[];
    },
  };
  return project;
}

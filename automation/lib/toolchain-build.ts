/**
 * Builds the Pulumi toolchain from the Go module proxy, for machines where
 * the official installer is out of reach. The wrapper modules under `scripts/toolchain/`
 * pin every module (go.mod + go.sum); `go build -mod=readonly` writes nothing into the repo.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { copyFileAtomic } from "./atomic-write";
import { GlidepathError } from "./errors";

/** One binary the Go build produces. */
export interface GoBinary {
  /** File name of the binary, e.g. `pulumi`. */
  name: string;
  /** Wrapper module directory under `scripts/toolchain/`. */
  module: string;
  /** Go package path of the main package. */
  pkg: string;
  /** Version stamped into `github.com/pulumi/pulumi/sdk/v3/go/common/version.Version`. */
  stamp: string;
}

/** Progress sink: one human line at a time. */
export type Progress = (line: string) => void;

/** Runs a command, streaming its stderr lines to `onLine`; resolves with exit code and tail. */
export function runStreaming(
  cmd: string,
  args: readonly string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void; timeoutMs?: number },
): Promise<{ code: number; tail: string }> {
  return new Promise((resolve) => {
    // With a timeout, its own process group, so the kill stops its children too (installer, curl, tar).
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: opts.timeoutMs !== undefined,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    let partial = "";
    const onData = (buf: Buffer) => {
      const text = partial + buf.toString("utf8");
      const parts = text.split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        if (lines.length > 40) lines.shift();
        opts.onLine?.(line);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            try {
              if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
            } catch {
              child.kill("SIGKILL");
            }
          }, opts.timeoutMs).unref();
    child.on("error", (e) => {
      if (timer) clearTimeout(timer);
      resolve({ code: 127, tail: String(e) });
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (partial) lines.push(partial);
      resolve({ code: code ?? (signal ? 124 : 1), tail: lines.join("\n") });
    });
  });
}

/** Where `go` is looked for: PATH, then the usual install location. */
export function defaultGoSearchPath(): string[] {
  return [...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean), "/usr/local/go/bin"];
}

/**
 * Finds an executable `go`.
 *
 * @param dirs - directories to look in @default - {@link defaultGoSearchPath}
 * @returns its path, or undefined when there is none
 */
export async function findGo(dirs: readonly string[] = defaultGoSearchPath()): Promise<string | undefined> {
  for (const dir of dirs) {
    const candidate = path.join(dir, "go");
    try {
      await fs.access(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/**
 * Builds one binary with `go build -mod=readonly` into `outDir`, streaming progress.
 *
 * @param go - path of the go binary
 * @param scriptsDir - the repository's `scripts/toolchain` directory
 * @param bin - what to build
 * @param outDir - where the binary goes (outside the repository)
 * @param progress - progress sink
 * @returns the absolute path of the built binary
 */
export async function goBuild(
  go: string,
  scriptsDir: string,
  bin: GoBinary,
  outDir: string,
  progress: Progress,
): Promise<string> {
  await fs.mkdir(outDir, { recursive: true });
  const out = path.join(outDir, bin.name);
  const started = Date.now();
  const beat = setInterval(
    () => progress(`  … still building ${bin.name} (${Math.round((Date.now() - started) / 1000)}s)`),
    30_000,
  ).unref();
  let downloads = 0;
  const ldflags = `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${bin.stamp}`;
  const result = await runStreaming(go, ["build", "-mod=readonly", "-o", out, "-ldflags", ldflags, bin.pkg], {
    cwd: path.join(scriptsDir, bin.module),
    env: { ...process.env, GOFLAGS: "-mod=readonly" },
    onLine: (line) => {
      if (line.startsWith("go: downloading")) {
        downloads += 1;
        if (downloads % 50 === 1) progress(`  ${bin.name}: downloading modules (${downloads} so far)`);
      }
    },
  }).finally(() => clearInterval(beat));
  if (result.code !== 0) {
    throw new GlidepathError(
      "GP_TOOLCHAIN_BUILD_FAILED",
      `building ${bin.name} (${bin.pkg}) from the Go module proxy failed (exit ${result.code}):\n${result.tail}`,
      "check that the Go module proxy is reachable (GOPROXY) and that `go version` is 1.26 or newer; " +
        "or install Pulumi yourself and put it on PATH",
    );
  }
  progress(`  built ${bin.name} in ${Math.round((Date.now() - started) / 1000)}s`);
  return out;
}

/**
 * Copies `src` to `dest` atomically (temp file + rename), keeping it executable.
 *
 * @param src - file to copy
 * @param dest - destination path
 */
export async function installFile(src: string, dest: string): Promise<void> {
  await copyFileAtomic(src, dest, { mode: 0o755 });
}

/**
 * The Deno probe: finds the `deno` binary (the npm package's platform binary, else `deno` on
 * PATH) and runs the probe script in it with one permission, `--allow-read` of the artifact,
 * no prompt, no config, no remote or npm imports, and an empty environment apart from a
 * throwaway `DENO_DIR`. Killed (SIGKILL) when it outlives its timeout.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { denoProbeScript, probeOfAnswer } from "./probe-script";
import type { SmokeProbe } from "./report";

/**
 * The npm package that carries Deno's binary for a platform (pure), as the `deno` package's
 * optional dependencies name them.
 *
 * @param platform - `process.platform`
 * @param arch - `process.arch`
 * @returns undefined on a platform without one (musl Linux included: those are glibc builds)
 */
export function denoPackageFor(platform: string, arch: string): string | undefined {
  const known: Record<string, string> = {
    "linux-x64": "@deno/linux-x64-glibc",
    "linux-arm64": "@deno/linux-arm64-glibc",
    "darwin-x64": "@deno/darwin-x64",
    "darwin-arm64": "@deno/darwin-arm64",
    "win32-x64": "@deno/win32-x64",
    "win32-arm64": "@deno/win32-arm64",
  };
  return known[`${platform}-${arch}`];
}

/** A Deno binary found, or what is missing. */
export type DenoBinary =
  | { found: true; path: string; version: string | null }
  | { found: false; missing: string };

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds Deno: the platform package's binary resolved from `from` (glidepath's own
 * `node_modules`, installed with the optional dependencies), else `deno` on `PATH`.
 *
 * @param from - the directory to resolve the package from
 * @param env - the environment (its `PATH`) @default process.env
 */
export function findDeno(from: string, env: NodeJS.ProcessEnv = process.env): DenoBinary {
  const exe = process.platform === "win32" ? "deno.exe" : "deno";
  const pkg = denoPackageFor(process.platform, process.arch);
  if (pkg !== undefined) {
    try {
      const manifest = require.resolve(`${pkg}/package.json`, { paths: [from] });
      const bin = path.join(path.dirname(manifest), exe);
      const version = (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version?: unknown }).version;
      if (executable(bin))
        return { found: true, path: bin, version: typeof version === "string" ? version : null };
    } catch {
      // not installed: try PATH
    }
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const bin = path.join(dir, exe);
    if (executable(bin)) return { found: true, path: bin, version: null };
  }
  return {
    found: false,
    missing: `deno binary not found (${pkg === undefined ? `no npm package for ${process.platform}-${process.arch}` : `no ${pkg} under ${from}/node_modules`}, no deno on PATH); install the npm dependencies with their optional ones (npm install)`,
  };
}

/**
 * Probes one artifact in Deno.
 *
 * @param deno - the binary ({@link findDeno})
 * @param artifact - the artifact's absolute path (the only path Deno may read)
 * @param sha256 - its verified sha-256; the script refuses other bytes
 * @param timeoutMs - kill the process after this long
 */
export async function probeDeno(
  deno: { path: string; version: string | null },
  artifact: string,
  sha256: string,
  timeoutMs: number,
): Promise<SmokeProbe> {
  const denoDir = fs.mkdtempSync(path.join(os.tmpdir(), "glidepath-smoke-deno-"));
  const started = performance.now();
  try {
    const run = await new Promise<{ stdout: string; stderr: string; code: number | null; timedOut: boolean }>(
      (resolve) => {
        const child = spawn(
          deno.path,
          [
            "run",
            "--no-prompt",
            "--no-config",
            "--no-lock",
            "--no-remote",
            "--no-npm",
            `--allow-read=${artifact}`,
            "-",
            artifact,
            sha256,
          ],
          {
            env: { DENO_DIR: denoDir, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
            stdio: ["pipe", "pipe", "pipe"],
          },
        );
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, timeoutMs);
        child.stdout.on("data", (b: Buffer) => {
          stdout += b.toString("utf8");
        });
        child.stderr.on("data", (b: Buffer) => {
          stderr += b.toString("utf8");
        });
        child.on("error", (e) => {
          clearTimeout(timer);
          resolve({ stdout, stderr: `${stderr}${e.message}`, code: null, timedOut });
        });
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ stdout, stderr, code, timedOut });
        });
        child.stdin.on("error", () => undefined);
        child.stdin.end(denoProbeScript());
      },
    );
    const elapsed = performance.now() - started;
    if (run.timedOut) {
      return {
        runtime: "deno",
        version: deno.version,
        status: "fail",
        reason_code: "timeout",
        detail: `no answer within ${timeoutMs} ms; the deno process was killed`,
        duration_ms: Math.round(elapsed),
      };
    }
    const last = run.stdout.trim().split("\n").pop() ?? "";
    let answer: unknown;
    try {
      answer = JSON.parse(last);
    } catch {
      const why = run.stderr.trim().split("\n").slice(-3).join(" | ") || `exit ${run.code}`;
      return {
        runtime: "deno",
        version: deno.version,
        status: "fail",
        reason_code: "probe_crashed",
        detail: `deno exited ${run.code} without an answer: ${why}`,
        duration_ms: Math.round(elapsed),
      };
    }
    return probeOfAnswer("deno", deno.version, answer, elapsed);
  } finally {
    fs.rmSync(denoDir, { recursive: true, force: true });
  }
}

/**
 * Runs one glidepath command of the demo as its own process (exactly what a user would type),
 * passing its progress lines through and keeping its JSON result.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";

/** The result of a command. */
export interface ChildResult {
  /** Exit code. */
  code: number;
  /** stdout (the `--json` document). */
  stdout: string;
  /** stderr (progress and errors). */
  stderr: string;
}

/**
 * Runs `glidepath <args>` with Node's own binary.
 *
 * @param packageRoot - the glidepath package (holds dist/automation/cli.js)
 * @param args - the arguments
 * @param onLine - each progress line, as it comes @default - none
 */
export function runGlidepath(
  packageRoot: string,
  args: readonly string[],
  onLine?: (line: string) => void,
): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(packageRoot, "dist/automation/cli.js"), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: process.env,
    });
    let stdout = "";
    let stderr = "";
    let partial = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      const text = d.toString("utf8");
      stderr += text;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) onLine?.(l);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (partial) onLine?.(partial);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

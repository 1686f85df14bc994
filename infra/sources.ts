/**
 * Release sources: where each configured release's bundle is, checked before any resource is
 * declared (program) and before any update (driver).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfigIssue, StackConfig } from "./config";

/**
 * Every release source that is not a directory under the project, and every WASM module that
 * is not a file.
 *
 * @param config - the validated config
 * @param projectDir - the project directory the sources are relative to
 * @returns one issue per missing source, with its config path
 */
export function sourceIssues(
  config: Pick<StackConfig, "releases" | "wasm">,
  projectDir: string,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [app, releases] of Object.entries(config.releases)) {
    for (const role of ["stable", "canary"] as const) {
      const ref = releases[role];
      if (ref === undefined) continue;
      const dir = path.resolve(projectDir, ref.source);
      if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
        issues.push({
          path: `glidepath:releases.${app}.${role}.source`,
          message: `expected a directory with the bundle of ${app}@${ref.version}; ${dir} does not exist`,
        });
      }
    }
  }
  for (const [id, w] of Object.entries(config.wasm)) {
    const file = path.resolve(projectDir, w.module);
    if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
      issues.push({
        path: `glidepath:wasm.${id}.module`,
        message: `expected the built module of blueprint ${id}; ${file} does not exist`,
      });
    }
  }
  return issues;
}

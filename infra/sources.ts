/**
 * Release sources: where each configured release's bundle is, checked before any resource is
 * declared (program) and before any update (driver).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfigIssue, StackConfig } from "./config";

/**
 * Where a configured path really is, if it is inside the project: its real path (links
 * resolved) must be the project's real directory or under it. A link under `apps/` to a system
 * directory reads as a path inside the project; its real path does not.
 *
 * @returns the real path, or the issue's text when it leaves the project or is missing
 */
function realPathInside(
  projectDir: string,
  rel: string,
): { real: string } | { missing: string } | { outside: string } {
  const abs = path.resolve(projectDir, rel);
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    return { missing: abs };
  }
  const project = fs.realpathSync(projectDir);
  return real === project || real.startsWith(`${project}${path.sep}`) ? { real } : { outside: real };
}

/**
 * Every release source that is not a directory inside the project, and every WASM module that
 * is not a file inside it, links resolved.
 *
 * @param config - the validated config
 * @param projectDir - the project directory the sources are relative to
 * @returns one issue per source, with its config path
 */
export function sourceIssues(
  config: Pick<StackConfig, "releases" | "wasm">,
  projectDir: string,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const outside = (rel: string, real: string) =>
    `expected a path inside the project ${projectDir}; ${rel} resolves to ${real}, outside it ` +
    "(copy the files into the project instead of linking them)";
  for (const [app, releases] of Object.entries(config.releases)) {
    for (const role of ["stable", "canary"] as const) {
      const ref = releases[role];
      if (ref === undefined) continue;
      const where = realPathInside(projectDir, ref.source);
      const key = `glidepath:releases.${app}.${role}.source`;
      if ("outside" in where) issues.push({ path: key, message: outside(ref.source, where.outside) });
      else if ("missing" in where || !fs.statSync(where.real).isDirectory()) {
        const dir = path.resolve(projectDir, ref.source);
        issues.push({
          path: key,
          message: `expected a directory with the bundle of ${app}@${ref.version}; ${dir} does not exist`,
        });
      }
    }
  }
  for (const [id, w] of Object.entries(config.wasm)) {
    const where = realPathInside(projectDir, w.module);
    const key = `glidepath:wasm.${id}.module`;
    if ("outside" in where) issues.push({ path: key, message: outside(w.module, where.outside) });
    else if ("missing" in where || !fs.statSync(where.real).isFile()) {
      const file = path.resolve(projectDir, w.module);
      issues.push({
        path: key,
        message: `expected the built module of blueprint ${id}; ${file} does not exist`,
      });
    }
  }
  return issues;
}

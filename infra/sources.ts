/**
 * Release sources: where each configured release's bundle is, checked before any resource is
 * declared (program) and before any update (driver).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { linkLeaves } from "../providers/targets/bundle";
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
 * The links under a release source that leave it, found before any update: the provider
 * refuses them when it publishes (a bundle keeps its links as links, so one that leaves it
 * would mean other content on the target), and config validation should not let an `up` start
 * on them.
 *
 * @param dir - the source directory's real path
 * @returns `rel -> target (resolves to …)` of each, in path order
 */
function escapingLinksIn(dir: string): string[] {
  const out: string[] = [];
  // Node's recursive readdir descends into linked directories; this walk never follows a link.
  const links: string[] = [];
  const walk = (at: string): void => {
    for (const e of fs.readdirSync(at, { withFileTypes: true })) {
      if (e.isSymbolicLink()) links.push(path.join(at, e.name));
      else if (e.isDirectory()) walk(path.join(at, e.name));
    }
  };
  walk(dir);
  for (const abs of links) {
    const target = fs.readlinkSync(abs);
    const lexical = path.resolve(path.dirname(abs), target);
    let resolved = lexical;
    try {
      resolved = fs.realpathSync(lexical);
    } catch {
      // a dangling link: judged by where it points
    }
    if (linkLeaves(dir, target, lexical, resolved))
      out.push(`${path.relative(dir, abs)} -> ${target} (resolves to ${resolved})`);
  }
  return out.sort();
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
      } else {
        const links = escapingLinksIn(where.real);
        if (links.length > 0)
          issues.push({
            path: key,
            message:
              `expected a bundle whose links stay inside it; ${ref.source} has ${links.length} that ` +
              `leave it: ${links.slice(0, 5).join(", ")}${links.length > 5 ? ", …" : ""} ` +
              "(replace each link with the files it points to, or point it inside the bundle)",
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

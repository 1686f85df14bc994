/**
 * Reads and validates the stack's configuration inside the Pulumi program. Any issue stops the
 * program before a single resource is declared.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { formatConfigIssues, parseStackConfig, type StackConfig } from "./config";
import { sourceIssues } from "./sources";

/** The validated config plus the values the program derives from it. */
export interface ProgramConfig extends StackConfig {
  /** The stack name. */
  stack: string;
  /** Absolute root of the `local` target for this stack. */
  localRoot: string;
  /** The project directory (holds Pulumi.yaml); release sources are relative to it. */
  projectDir: string;
}

/**
 * Default root of the `local` target: `<project>/.glidepath/targets/<stack>`.
 *
 * @param projectDir - the project directory (where Pulumi.yaml lives)
 * @param stack - the stack name
 */
export function defaultLocalRoot(projectDir: string, stack: string): string {
  return path.join(projectDir, ".glidepath", "targets", stack);
}

/**
 * The project directory: the nearest directory at or above `start` holding Pulumi.yaml
 * (the language host runs the program from the directory of `main`, not the project's).
 *
 * @param start - where to start looking
 */
export function findProjectDir(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(start);
    dir = parent;
  }
}

/**
 * Whether a config key is a secret. The SDK knows (`runtime/config.isConfigSecret`) but does
 * not declare it in its types; the driver checks the same rule through the Automation API.
 */
function isConfigSecret(key: string): boolean {
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as {
    isConfigSecret?: (k: string) => boolean;
  };
  return runtimeConfig.isConfigSecret?.(key) ?? false;
}

/**
 * Parses `pulumi.runtime.allConfig()`; throws a `RunError` listing every issue, and logs a
 * warning for each key of a namespace nothing here reads.
 */
export function loadProgramConfig(): ProgramConfig {
  const stack = pulumi.getStack();
  const raw = pulumi.runtime.allConfig();
  const secretKeys = new Set(Object.keys(raw).filter((k) => isConfigSecret(k)));
  const parsed = parseStackConfig(raw, secretKeys);
  for (const w of parsed.warnings) pulumi.log.warn(`${w.path}: ${w.message}`);
  const projectDir = findProjectDir(process.cwd());
  const issues = parsed.ok ? sourceIssues(parsed.config, projectDir) : parsed.issues;
  if (!parsed.ok || issues.length > 0) {
    throw new pulumi.RunError(
      `invalid configuration for stack "${stack}" (GP_CONFIG_INVALID):\n${formatConfigIssues(issues)}\n` +
        "fix: correct the values with `pulumi config set --path <key> <value>` or edit Pulumi.<stack>.yaml",
    );
  }
  return {
    ...parsed.config,
    stack,
    projectDir,
    localRoot: parsed.config.localRoot ?? defaultLocalRoot(projectDir, stack),
  };
}

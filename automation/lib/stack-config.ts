/**
 * Validates a stack's configuration before any update, with the same schema the program uses.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { parse } from "yaml";
import {
  type ConfigIssue,
  formatConfigIssues,
  parseStackConfig,
  type StackConfig,
  secretPathIssues,
} from "../../infra/config";
import { sourceIssues } from "../../infra/sources";
import { wasmIssues } from "../../infra/wasm-issues";
import { GlidepathError, isGlidepathError } from "./errors";
import { stackFileSyntaxError } from "./stack-file-syntax";

/** Flattens an Automation API config map into the `key → text` form the schema parses. */
export function rawConfig(config: ConfigMap): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.value]));
}

/**
 * Validates a raw config map.
 *
 * @param stackName - for the message
 * @param raw - `key → text` config
 * @param projectDir - project directory; when given, release sources must exist under it @default - sources unchecked
 * @param secretKeys - keys that are secrets @default - none
 * @throws GlidepathError `GP_CONFIG_INVALID` (exit 2) listing every issue with its path
 */
export function validateRawConfig(
  stackName: string,
  raw: Readonly<Record<string, string>>,
  projectDir?: string,
  secretKeys: ReadonlySet<string> = new Set(),
): StackConfig {
  const parsed = parseStackConfig(raw, secretKeys);
  const issues = parsed.ok
    ? projectDir === undefined
      ? []
      : sourceIssues(parsed.config, projectDir)
    : parsed.issues;
  if (parsed.ok && issues.length === 0) return parsed.config;
  throw configError(stackName, issues);
}

/** The `GP_CONFIG_INVALID` error (exit 2) listing every issue with its path. */
export function configError(stackName: string, issues: readonly ConfigIssue[]): GlidepathError {
  return new GlidepathError(
    "GP_CONFIG_INVALID",
    `invalid configuration for stack "${stackName}"; nothing was deployed:\n${formatConfigIssues(issues)}`,
    `correct each key in Pulumi.${stackName}.yaml or with \`pulumi config set --path <key> <value> --stack ${stackName}\``,
  );
}

/**
 * The `config:` section of `Pulumi.<stack>.yaml` as stored (secure values still encrypted), to
 * see which parts of a key are secrets; `{}` when there is no such file or it is unreadable
 * (the CLI reports a broken file on its own).
 *
 * @param projectDir - the project directory
 * @param stack - the stack name
 */
export async function stackFileConfig(projectDir: string, stack: string): Promise<Record<string, unknown>> {
  const text = await fs.readFile(path.join(projectDir, `Pulumi.${stack}.yaml`), "utf8").catch(() => "");
  try {
    const doc = parse(text) as { config?: unknown } | null;
    return doc?.config !== null && typeof doc?.config === "object"
      ? (doc.config as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** Reads and validates the stack's config (secrets decrypted in memory only), WASM compliance included. */
export async function loadStackConfig(stack: Stack): Promise<StackConfig> {
  return (await loadStackConfigWithSecrets(stack)).config;
}

/**
 * {@link loadStackConfig}, plus the names of the keys that are secrets and the warnings about
 * keys nothing reads (another namespace).
 */
export async function loadStackConfigWithSecrets(
  stack: Stack,
): Promise<{ config: StackConfig; secretKeys: ReadonlySet<string>; warnings: readonly ConfigIssue[] }> {
  const raw = await stack.getAllConfig();
  const secretKeys = new Set(Object.entries(raw).flatMap(([k, v]) => (v.secret ? [k] : [])));
  // A secret where it must not be comes first: the values around it are moot until it is plain.
  const secretParts = secretPathIssues(await stackFileConfig(stack.workspace.workDir, stack.name));
  if (secretParts.length > 0) throw configError(stack.name, secretParts);
  const config = validateRawConfig(stack.name, rawConfig(raw), stack.workspace.workDir, secretKeys);
  const wasm = await wasmIssues(config, stack.workspace.workDir);
  if (wasm.length > 0) throw configError(stack.name, wasm);
  return { config, secretKeys, warnings: parseStackConfig(rawConfig(raw), secretKeys).warnings };
}

/** Whether a stack's config is valid, as `status` reports it (it describes; it does not refuse). */
export type ConfigValidity = { valid: true } | { valid: false; code: "GP_CONFIG_INVALID"; message: string };

/**
 * Checks the stack file's YAML and then the config schema, without throwing for either.
 *
 * @param stack - the stack
 * @throws any other error (the engine failing for another reason)
 */
export async function configValidity(stack: Stack): Promise<ConfigValidity> {
  const syntax = await stackFileSyntaxError(stack.workspace.workDir, stack.name);
  if (syntax !== undefined) return { valid: false, code: "GP_CONFIG_INVALID", message: syntax.message };
  try {
    await loadStackConfig(stack);
    return { valid: true };
  } catch (e) {
    if (isGlidepathError(e) && e.code === "GP_CONFIG_INVALID") {
      return { valid: false, code: "GP_CONFIG_INVALID", message: e.message };
    }
    throw e;
  }
}

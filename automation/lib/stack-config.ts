/**
 * Validates a stack's configuration before any update, with the same schema the program uses.
 */
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { formatConfigIssues, parseStackConfig, type StackConfig } from "../../infra/config";
import { GlidepathError } from "./errors";

/** Flattens an Automation API config map into the `key → text` form the schema parses. */
export function rawConfig(config: ConfigMap): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v.value]));
}

/**
 * Validates a raw config map.
 *
 * @param stackName - for the message
 * @param raw - `key → text` config
 * @throws GlidepathError `GP_CONFIG_INVALID` (exit 2) listing every issue with its path
 */
export function validateRawConfig(stackName: string, raw: Readonly<Record<string, string>>): StackConfig {
  const parsed = parseStackConfig(raw);
  if (parsed.ok) return parsed.config;
  throw new GlidepathError(
    "GP_CONFIG_INVALID",
    `invalid configuration for stack "${stackName}"; nothing was deployed:\n${formatConfigIssues(parsed.issues)}`,
    `correct each key in Pulumi.${stackName}.yaml or with \`pulumi config set --path <key> <value> --stack ${stackName}\``,
  );
}

/** Reads and validates the stack's config (secrets decrypted in memory only). */
export async function loadStackConfig(stack: Stack): Promise<StackConfig> {
  return validateRawConfig(stack.name, rawConfig(await stack.getAllConfig()));
}

/**
 * Update messages: what `pulumi stack history` shows for each glidepath update. They name
 * what changed in words an auditor reads, never a secret value.
 */
import type { StackConfig } from "../../infra/config";

/** Message of a plain deploy: every flag of every app, sorted. */
export function deployMessage(stack: string, config: StackConfig): string {
  const flags = Object.keys(config.apps)
    .sort()
    .flatMap((app) =>
      Object.entries(config.flags[app] ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => `${app}.${key}=${JSON.stringify(value)}`),
    );
  return `glidepath up ${stack}${flags.length ? `: ${flags.join(" ")}` : ""}`;
}

/** Message of a rollback update. */
export function rollbackMessage(stack: string, toVersion: number, toMessage: string): string {
  return `glidepath rollback ${stack} to update ${toVersion} (${toMessage.slice(0, 120)})`;
}

/**
 * Update messages: what `pulumi stack history` shows for each glidepath update. They name
 * what changed in words an auditor reads, never a secret value.
 */
import type { StackConfig } from "../../infra/config";

/** The parts of a config a deploy message names. */
export type MessageConfig = Pick<StackConfig, "apps" | "flags" | "releases" | "weights">;

/**
 * Message of a plain deploy: releases per app (`wix@v1`, or `wix@v1>v2:25%` while a canary
 * is on), then every flag, sorted.
 */
export function deployMessage(stack: string, config: MessageConfig): string {
  const apps = Object.keys(config.apps).sort();
  const releases = apps.flatMap((app) => {
    const r = config.releases[app];
    if (r === undefined) return [];
    const canary = r.canary ? `>${r.canary.version}:${config.weights[app] ?? 0}%` : "";
    return [`${app}@${r.stable.version}${canary}`];
  });
  const flags = apps.flatMap((app) =>
    Object.entries(config.flags[app] ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => `${app}.${key}=${JSON.stringify(value)}`),
  );
  const parts = [...releases, ...flags];
  return `glidepath up ${stack}${parts.length ? `: ${parts.join(" ")}` : ""}`;
}

/** Message of a rollback update. */
export function rollbackMessage(stack: string, toVersion: number, toMessage: string): string {
  return `glidepath rollback ${stack} to update ${toVersion} (${toMessage.slice(0, 120)})`;
}

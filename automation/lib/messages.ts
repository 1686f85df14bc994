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

/** The audit anchor word a production update's message ends with (` audit=<seq>:<hex>`). */
const ANCHOR_WORD = /\s+audit=\d{1,15}:[0-9a-f]{12,64}(?=\s|$)/g;

/**
 * A message without its audit anchors: what the update was, as the command that made it wrote
 * it (the driver's events name updates by this text).
 *
 * @param message - an update message
 */
export function withoutAnchors(message: string): string {
  return message.replace(ANCHOR_WORD, "");
}

/**
 * A message with the audit log's head as its last word, as every production update carries it.
 *
 * @param message - the message
 * @param anchor - `audit=<seq>:<hex>` ({@link formatAnchor})
 */
export function withAnchor(message: string, anchor: string): string {
  return `${withoutAnchors(message)} ${anchor}`;
}

/** A rollback message: `glidepath rollback <stack> to update <N> (<what that update was>)`. */
const ROLLBACK_MESSAGE = /^glidepath rollback \S+ to update \d+ \((.*)\)$/s;

/**
 * What an update was, in its own words: its message, or, for a rollback, the description of
 * the update it restored (followed back through rollbacks of rollbacks), so the description
 * of a restored update is quoted once, never nested.
 *
 * @param message - an update message
 */
export function originalDescription(message: string): string {
  let text = withoutAnchors(message);
  for (let m = ROLLBACK_MESSAGE.exec(text); m !== null; m = ROLLBACK_MESSAGE.exec(text))
    text = m[1] as string;
  return text;
}

/** Longest description of the restored update a rollback message quotes. */
const DESCRIPTION_MAX = 200;

/**
 * Message of a rollback update: names the restored update once, by its number and its own
 * description (`glidepath rollback local to update 7 (glidepath up local: wix@v1)`).
 *
 * @param stack - the stack
 * @param toVersion - the restored update's number
 * @param toMessage - the restored update's message
 */
export function rollbackMessage(stack: string, toVersion: number, toMessage: string): string {
  const what = originalDescription(toMessage);
  const cut = what.length > DESCRIPTION_MAX ? `${what.slice(0, DESCRIPTION_MAX - 1)}…` : what;
  return `glidepath rollback ${stack} to update ${toVersion} (${cut})`;
}

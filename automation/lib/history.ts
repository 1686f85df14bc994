/**
 * `pulumi stack history` as glidepath reads it: newest first, with the config each update ran
 * with. Secrets stay out of everything this module returns unless `showSecrets` is asked for,
 * and that is only used in memory to restore config on rollback.
 */
import type { Stack, UpdateSummary } from "@pulumi/pulumi/automation";

/** One config value as `pulumi config --json` and the history print it. */
export interface HistoryConfigValue {
  /** The value as text (JSON text for structured values); hidden secrets are left out or masked. */
  value?: string;
  /** The structured value, for objects and arrays. */
  objectValue?: unknown;
  /** Whether the value is a secret. */
  secret: boolean;
}

/** A config value as the text the schema parses (JSON text for structured values). */
export function configText(v: HistoryConfigValue): string {
  return v.value ?? JSON.stringify(v.objectValue);
}

/** One entry of the stack history. */
export interface HistoryEntry {
  /** Update number, 1-based as `pulumi stack history` prints it. */
  version: number;
  /** `update`, `refresh`, `destroy`, … */
  kind: string;
  /** `succeeded`, `failed`, `in-progress`. */
  result: string;
  /** The update message. */
  message: string;
  /** Start time, ISO 8601. */
  startTime: string;
  /** Resource operation counts (`create`, `update`, `same`, …). */
  resourceChanges: Record<string, number>;
  /** Config the update ran with. */
  config: Record<string, HistoryConfigValue>;
}

/**
 * Converts an Automation API summary into a {@link HistoryEntry}.
 *
 * @param s - the summary
 * @param ordinal - its 1-based position from the oldest entry; used as the version where the
 *   backend reports none (the file backend reports 0 for every update)
 */
export function toHistoryEntry(s: UpdateSummary, ordinal: number): HistoryEntry {
  return {
    version: s.version > 0 ? s.version : ordinal,
    kind: s.kind,
    result: s.result,
    message: s.message,
    startTime: new Date(s.startTime).toISOString(),
    resourceChanges: { ...(s.resourceChanges ?? {}) },
    config: s.config as unknown as Record<string, HistoryConfigValue>,
  };
}

/**
 * Reads the whole history, newest first.
 *
 * @param stack - the stack
 * @param showSecrets - decrypt secret config values (keep the result in memory only) @default false
 */
export async function readHistory(stack: Stack, showSecrets = false): Promise<HistoryEntry[]> {
  const summaries = await stack.history(undefined, undefined, showSecrets);
  const sorted = [...summaries].sort(
    (a, b) => new Date(b.startTime).getTime() - new Date(a.startTime).getTime(),
  );
  return sorted.map((s, i) => toHistoryEntry(s, sorted.length - i));
}

/** Successful updates (not refreshes or destroys), newest first. */
export function successfulUpdates(history: readonly HistoryEntry[]): HistoryEntry[] {
  return history.filter((h) => h.kind === "update" && h.result === "succeeded");
}

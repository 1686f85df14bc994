/**
 * `pulumi stack history` as glidepath reads it: the whole history (every page, not the CLI's
 * default 10 entries), newest first, with the config each update ran with, and the one
 * decoder of a history config value. Secrets stay out of everything this module returns
 * unless `showSecrets` is asked for, and that is only used in memory to restore config on
 * rollback.
 *
 * Update numbers: a backend that numbers its updates (Pulumi Cloud) reports `version`; the
 * file backend reports 0 for every entry, and glidepath numbers entries by their position in
 * the whole history, oldest = 1, which is how the numbering backends count them. Reading the
 * whole history keeps a number attached to the same update forever.
 */
import { createHash } from "node:crypto";
import type { Stack, UpdateSummary } from "@pulumi/pulumi/automation";

/** The config key of the desired state's generation. */
export const GENERATION_KEY = "glidepath:generation";

/**
 * The generation a config carries (0 when absent or unreadable).
 *
 * @param config - an update's config, or the stack's current config
 */
export function generationOf(config: Readonly<Record<string, HistoryConfigValue>>): number {
  return toGeneration(configValue(config[GENERATION_KEY]));
}

/**
 * A generation from a config value as stored (a number, or its text); 0 when absent or not a
 * whole number.
 *
 * @param value - the value
 */
export function toGeneration(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

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

/**
 * A config value as the value it stands for: structured values as objects (from
 * `objectValue`, or the JSON text of `value`), everything else as its text. The one decoder of
 * history config values.
 *
 * @param v - the value, or undefined for an absent key
 * @returns the decoded value, or undefined for an absent key
 */
export function configValue(v: HistoryConfigValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v.objectValue !== undefined) return v.objectValue;
  const text = v.value;
  if (text === undefined) return undefined;
  if (text.startsWith("{") || text.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Digest of the plain (non-secret) config of an update: SHA-256 over its keys, sorted, with
 * their decoded values. Secret values are masked in history, so only their names count. Two
 * updates with the same digest ran with the same plain config. `glidepath:generation` is left
 * out: it counts writes, it does not change what is deployed.
 *
 * @param config - the config of an update, or the stack's current config
 * @returns `sha256:<hex>`
 */
export function configDigest(config: Readonly<Record<string, HistoryConfigValue>>): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v !== null && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  const entries = Object.keys(config)
    .filter((k) => k !== GENERATION_KEY)
    .sort()
    .map((k) => {
      const v = config[k] as HistoryConfigValue;
      return [k, v.secret ? { secret: true } : canon(configValue(v))];
    });
  return `sha256:${createHash("sha256").update(JSON.stringify(entries)).digest("hex")}`;
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

/** Entries asked for per page when reading the whole history. */
export const HISTORY_PAGE_SIZE = 1000;

/**
 * Reads the whole history, newest first: page after page until a page comes back short
 * (without a page size the CLI returns only the newest 10 entries).
 *
 * @param stack - the stack
 * @param showSecrets - decrypt secret config values (keep the result in memory only) @default false
 * @param pageSize - entries per page @default HISTORY_PAGE_SIZE (1000)
 */
export async function readHistory(
  stack: Pick<Stack, "history">,
  showSecrets = false,
  pageSize = HISTORY_PAGE_SIZE,
): Promise<HistoryEntry[]> {
  const summaries: UpdateSummary[] = [];
  for (let page = 1; ; page++) {
    const got = await stack.history(pageSize, page, showSecrets);
    summaries.push(...got);
    if (got.length < pageSize) break;
  }
  const sorted = [...summaries].sort(
    (a, b) => new Date(b.startTime).getTime() - new Date(a.startTime).getTime(),
  );
  return sorted.map((s, i) => toHistoryEntry(s, sorted.length - i));
}

/** Successful updates (not refreshes or destroys), newest first. */
export function successfulUpdates(history: readonly HistoryEntry[]): HistoryEntry[] {
  return history.filter((h) => h.kind === "update" && h.result === "succeeded");
}

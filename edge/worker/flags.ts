/**
 * Feature flags at the edge, pure: which files of `flags/<app>/` are flags, what a flag file
 * holds, and the header that hands an app's flags to its pages.
 */

/** A flag value as the target stores it. */
export type FlagValue = boolean | number | string;

/** Flag file names: `<Key>.json`, the key as the config allows it. */
const FLAG_FILE = /^([A-Za-z][A-Za-z0-9_-]{0,63})\.json$/;

/**
 * The flag keys among a directory listing (workerd's disk service answers a directory with
 * `[{ name, type }]`).
 *
 * @param listing - the parsed listing, or anything else (no flags)
 */
export function flagKeys(listing: unknown): string[] {
  if (!Array.isArray(listing)) return [];
  return listing
    .filter((e): e is { name: string; type: string } => typeof e?.name === "string" && e.type === "file")
    .map((e) => FLAG_FILE.exec(e.name)?.[1])
    .filter((k): k is string => k !== undefined)
    .sort();
}

/**
 * A flag's value from its file (`{ app, key, value }`), or undefined when the file is not one.
 *
 * @param doc - the parsed file
 * @param app - the app it was read for
 * @param key - the key it was read for
 */
export function flagValue(doc: unknown, app: string, key: string): FlagValue | undefined {
  if (typeof doc !== "object" || doc === null) return undefined;
  const d = doc as { app?: unknown; key?: unknown; value?: unknown };
  if (d.app !== app || d.key !== key) return undefined;
  const v = d.value;
  return typeof v === "boolean" || typeof v === "string" || (typeof v === "number" && Number.isFinite(v))
    ? v
    : undefined;
}

/**
 * The `x-glidepath-flags` header: `Key=value` pairs in key order, values percent-encoded,
 * joined by `; ` (empty when the app has no flags).
 *
 * @param flags - key → value
 */
export function flagsHeader(flags: Readonly<Record<string, FlagValue>>): string {
  return Object.keys(flags)
    .sort()
    .map((k) => `${k}=${encodeURIComponent(String(flags[k]))}`)
    .join("; ");
}

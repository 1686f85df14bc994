/**
 * Golden tag names, pure: `prod-YYYY-MM-DD` (the UTC date it was created), and for a second,
 * third, … tag created that day `prod-YYYY-MM-DD.2`, `.3`, …. A name once used (by a git tag or
 * a golden entry, quarantined or not) is never given again.
 */

/** A golden tag's name. */
export const GOLDEN_TAG = /^prod-\d{4}-\d{2}-\d{2}(\.[1-9]\d{0,3})?$/;

/** `rollback --to last-good`: the newest golden tag that is not quarantined. */
export const LAST_GOOD = "last-good";

/**
 * The name of the next golden tag.
 *
 * @param now - when it is created (its UTC date names it)
 * @param taken - names already used (git tags, golden entries)
 */
export function nextGoldenTag(now: Date, taken: Iterable<string>): string {
  const base = `prod-${now.toISOString().slice(0, 10)}`;
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}.${n}`)) return `${base}.${n}`;
}

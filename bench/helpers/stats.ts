/** Figures the benchmarks print. */

/**
 * The median (the mean of the two middle values for an even count; 0 for none).
 *
 * @param xs - the values
 */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

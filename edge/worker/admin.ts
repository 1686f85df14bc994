/**
 * The admin key check: the `x-wiredchaos-key` header against the key the host configured,
 * compared in constant time (both sides hashed to SHA-256 first, so neither the length nor
 * the first differing byte shows in the timing).
 */

/** The header that carries the admin key. */
export const ADMIN_HEADER = "x-wiredchaos-key";

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/**
 * Whether `given` equals `expected`, in time independent of where they differ. An empty
 * expected key matches nothing.
 *
 * @param given - the header value, or null when absent
 * @param expected - the configured key
 */
export async function keyMatches(given: string | null, expected: string): Promise<boolean> {
  if (given === null || expected.length === 0) return false;
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

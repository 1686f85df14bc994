/** Awaiting a promise that must reject, for assertions on what it rejected with. */

/**
 * The value a promise rejects with; a promise that resolves instead fails with an error
 * saying so.
 *
 * @param p - the promise
 */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  const outcome = await p.then(
    (value: unknown) => ({ resolved: true as const, value }),
    (error: unknown) => ({ resolved: false as const, error }),
  );
  if (outcome.resolved) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  return outcome.error;
}

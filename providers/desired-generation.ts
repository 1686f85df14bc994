/**
 * The desired state's generation, as the route of each app carries it in state. glidepath adds
 * one to `glidepath:generation` with every write of the releases, weights or ramp pointer (a
 * ramp step, a promotion, a rollback), so a stack file whose generation is behind the one in
 * state was written before the stack's latest change: a stale or fresh checkout. Deploying it
 * would move the app's release backwards without anyone asking; the route's `check` refuses
 * that in preview. A stale file that asks for exactly what is deployed is harmless and keeps
 * the deployed generation. Pure: serialized with the provider.
 */

/** The part of a route the generation guards: what traffic goes where. */
export interface RoutePointers {
  /** App, e.g. `wix`. */
  app: string;
  /** Version of the stable release. */
  stable: string;
  /** Version of the canary release, if any. */
  canary?: string;
  /** Canary share of traffic. */
  weight: number;
  /** Generation of the desired state the route was deployed from. @default 0 (before generations) */
  generation?: number;
}

const describe = (r: RoutePointers) =>
  `stable ${r.stable}${r.canary === undefined ? "" : `, canary ${r.canary} at ${r.weight}%`}`;

/**
 * Judges a route's new inputs against its state.
 *
 * @param olds - the route as deployed (its inputs in state), or undefined for a new route
 * @param news - the route the stack file asks for
 * @returns `ok` with the generation to record (never lower than the deployed one), or
 *   `stale` with the sentence that says what would move and how to proceed
 */
export function judgeGeneration(
  olds: RoutePointers | undefined,
  news: RoutePointers,
): { ok: true; generation: number } | { ok: false; reason: string } {
  const asked = news.generation ?? 0;
  const deployed = olds?.generation ?? 0;
  if (olds === undefined || asked >= deployed) return { ok: true, generation: asked };
  const same = olds.stable === news.stable && olds.canary === news.canary && olds.weight === news.weight;
  if (same) return { ok: true, generation: deployed };
  return {
    ok: false,
    reason:
      `${news.app}: the stack runs ${describe(olds)} (generation ${deployed}); the stack file asks for ` +
      `${describe(news)} at generation ${asked}, so it is behind the backend and would move ${news.app} ` +
      "backwards. Bring the file up to date with `glidepath up` (it takes the deployed releases, " +
      "weights and ramp from the backend and keeps your other edits) or `pulumi config refresh " +
      "--force`; to deploy the file's releases on purpose, set `pulumi config set " +
      `glidepath:generation ${deployed + 1}\``,
  };
}

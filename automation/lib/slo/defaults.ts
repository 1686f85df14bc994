/**
 * The SLO gate's defaults that more than one side uses, each stated once: the stack config's
 * defaults (`infra/rollout-config.ts`) and the local edge host (`edge/host/edge-host.ts`, which
 * hands the minimum to the Worker as `MIN_REQUESTS` for its `enough` rule) import them from
 * here, so the gate and the edge's panel judge traffic by one figure. Pure, no imports: the
 * program, the driver and the edge host can all load it.
 */

/**
 * Requests a step's bake window must count before it may pass (`glidepath:rollout.minRequests`,
 * and the edge's `enough`): with fewer, the window is `insufficient_traffic`, held for up to
 * `maxHolds` more windows and then failed closed. It applies to sources that give good/total
 * counts (the edge, `{good,total}` bodies); a score-only source cannot be guarded (the step's
 * report says `traffic: unknown`).
 *
 * Why 100: a window with no failed request looks perfect, so the guard decides how often a bad
 * canary slips through on luck. Take a canary whose true error rate is 5% — five times the
 * 1% budget of the default `minSlo` 99.0. The chance that N of its requests all succeed is
 * 0.95^N ({@link cleanWindowChance}): 36% for N = 20, 4.6% for N = 60, 0.59% for N = 100.
 * At 100 about 1 in 170 such canaries passes a window unseen; 60 would still let 1 in 22
 * through. The cost: at the first step's 5% weight, 100 canary requests in the default 10-minute
 * window need about 2,000 requests per 10 minutes (3.3 req/s) overall, or half that with the
 * default one hold. Quieter services set `minRequests` lower (and accept the odds above), or
 * longer windows; 0 turns the guard off.
 *
 * @default 100
 */
export const DEFAULT_MIN_REQUESTS = 100;

/**
 * The largest share of failed samples (errors, timeouts, garbage) a bake window may hold and
 * still pass (`glidepath:rollout.maxMissRatio`), judged at the window's end beside the
 * in-a-row rule (`maxMisses`). A source that fails every other sample never has 3 misses in a
 * row, yet half the window is blind: at 0.25 it fails (50% > 25%), while an occasional blip (2
 * of the default window's 21 samples, 9.5%) passes.
 *
 * @default 0.25
 */
export const DEFAULT_MAX_MISS_RATIO = 0.25;

/**
 * The chance that a canary with a given true error rate serves `requests` requests without a
 * single error, i.e. passes a window on luck: (1 − errorRate)^requests.
 *
 * @param errorRate - the canary's true error rate, 0–1 (0.05: 5% of requests fail)
 * @param requests - requests in the window
 */
export function cleanWindowChance(errorRate: number, requests: number): number {
  return (1 - errorRate) ** requests;
}

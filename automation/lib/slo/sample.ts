/**
 * What an SLO source gives the gate: one sample per app per round. A failed sample is a miss
 * with its kind, never an exception, so the gate can fail closed on a streak of them.
 */

/** Kinds of failed samples, in the order a request meets them. */
export const MISS_KINDS = [
  "error",
  "timeout",
  "not_json",
  "bad_shape",
  "query_error",
  "empty",
  "not_a_number",
  "stale",
  "out_of_range",
] as const;

/**
 * Kinds of failed samples: `error` (unreachable, non-2xx, aborted), `timeout` (no answer in
 * time), `not_json` (a body that is not JSON), `bad_shape` (JSON of another shape),
 * `out_of_range` (impossible figures: a score outside 0–100, negative counts, good > total).
 * The Prometheus source adds `query_error` (the API answered `status: "error"`), `empty` (a
 * query matched no series), `not_a_number` (NaN or ±Inf) and `stale` (the newest scraped sample
 * is older than allowed, or there is none).
 */
export type MissKind = (typeof MISS_KINDS)[number];

/** One observation of an SLO source for one app. */
export type SloSample =
  | {
      ok: true;
      /** When it was taken (epoch ms). */
      at: number;
      /** Score in percent, 0–100. */
      score: number;
      /** Good requests, when the source reports counts. */
      good?: number;
      /** All requests, when the source reports counts (0: no traffic, no data). */
      total?: number;
    }
  | {
      ok: false;
      /** When it was taken (epoch ms). */
      at: number;
      /** What went wrong. */
      miss: MissKind;
      /** For people: at most {@link DETAIL_MAX} characters, never a secret. */
      detail: string;
    };

/** A successful sample. */
export type OkSample = Extract<SloSample, { ok: true }>;

/** A failed sample. */
export type MissSample = Extract<SloSample, { ok: false }>;

/** A source of SLO samples. */
export interface SloSource {
  /** Human description without secrets, e.g. `http http://127.0.0.1:8080/slo` (no userinfo, no query values). */
  describe(): string;
  /**
   * One sample for `app`; never throws: failures are misses.
   *
   * @param app - the app to sample, e.g. `wix`
   * @param signal - aborts the sample (it then resolves to an `error` miss) @default - none
   */
  sample(app: string, signal?: AbortSignal): Promise<SloSample>;
}

/** Longest `detail` of a miss, in characters. */
export const DETAIL_MAX = 120;

/**
 * Shortens text to at most `max` characters, marking the cut with `…`.
 *
 * @param text - the text
 * @param max - the longest result @default DETAIL_MAX (120)
 */
export function clip(text: string, max = DETAIL_MAX): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * A failed sample, its detail clipped to {@link DETAIL_MAX}.
 *
 * @param at - when it was taken (epoch ms)
 * @param miss - what went wrong
 * @param detail - for people; must not hold secrets
 */
export function missSample(at: number, miss: MissKind, detail: string): MissSample {
  return { ok: false, at, miss, detail: clip(detail) };
}

/**
 * What an SLO source gives the gate: one sample per app per round. A failed sample is a miss
 * with its kind, never an exception, so the gate can fail closed on a streak of them.
 */

/** Kinds of failed samples. */
export type MissKind = "error" | "timeout" | "not_json" | "bad_shape" | "out_of_range";

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
      /** All requests, when the source reports counts. */
      total?: number;
    }
  | { ok: false; at: number; miss: MissKind; detail: string };

/** A source of SLO samples. */
export interface SloSource {
  /** Human description without secrets (no userinfo, no query values). */
  describe(): string;
  /**
   * One sample for `app`; never throws: failures are misses.
   *
   * @param app - the app to sample
   */
  sample(app: string): Promise<SloSample>;
}

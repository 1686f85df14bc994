/**
 * The rollout part of the stack configuration (`glidepath:rollout`): the driver's steps, bake
 * windows and SLO gate, and the durations they are written in. Pure: no Pulumi runtime, no
 * I/O. `infra/config.ts` re-exports everything here.
 *
 * Durations are bounded: a bake window, the final window and the sampling interval at most
 * {@link MAX_BAKE_DURATION} (24h); the interval at least {@link MIN_INTERVAL} (100ms); burn-rate
 * windows at most {@link MAX_BURN_WINDOW} (720h, 30 days).
 */
import { z } from "zod";
import { DEFAULT_MAX_MISS_RATIO, DEFAULT_MIN_REQUESTS } from "../automation/lib/slo/defaults";
import { PLACEHOLDERS, unknownPlaceholders } from "../automation/lib/slo/prometheus-query";

/** A positive duration such as `500ms`, `30s`, `10m`, `1h` (bounds are the schemas' business). */
export const DURATION = /^([1-9]\d*)(ms|s|m|h)$/;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * Parses a {@link DURATION} into milliseconds.
 *
 * @param text - the duration, e.g. `30s`
 * @throws Error when the text is not a duration
 */
export function durationMs(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/**
 * The longest bake window, final window and sampling interval. The interval is a timer
 * (`setTimeout`, which Node cuts to 1 ms past 2^31 − 1 ms ≈ 24.8 days: a 999h interval would
 * sample in a tight loop and flood the source), and the bake sleeps at most a window; a day
 * keeps both far below that limit, and a step that needs longer than a day at one weight is
 * better split into more steps.
 */
export const MAX_BAKE_DURATION = "24h";

/** The shortest sampling interval: below it the driver floods the SLO source (and its rate limits). */
export const MIN_INTERVAL = "100ms";

/**
 * The longest burn-rate window. Burn windows are not timers (only ranges over the samples
 * taken), so the timer limit does not bind them; 30 days is the usual SLO period, and the bound
 * keeps a typo such as `99999999999999999999h` from becoming an imprecise number.
 */
export const MAX_BURN_WINDOW = "720h";

/**
 * A duration schema: refuses an empty or blank value, a malformed one, and one outside the bounds,
 * each with the value and the expected form.
 *
 * @param max - the longest duration accepted, e.g. `24h`
 * @param maxNote - explains the bound in the message, e.g. ` (30 days)` @default - none
 * @param min - the shortest duration accepted and why @default - any positive duration
 */
function duration(max: string, maxNote = "", min?: { value: string; note: string }) {
  return z.string({ error: "expected a duration such as 30s, 10m or 1h" }).superRefine((s, ctx) => {
    if (s.trim() === "") {
      ctx.addIssue({ code: "custom", message: "expected a duration such as 30s, got an empty value" });
    } else if (!DURATION.test(s)) {
      ctx.addIssue({ code: "custom", message: "expected a duration such as 30s, 10m or 1h" });
    } else if (durationMs(s) > durationMs(max)) {
      ctx.addIssue({
        code: "custom",
        message: `expected at most ${max}${maxNote}, got ${JSON.stringify(s)}`,
      });
    } else if (min !== undefined && durationMs(s) < durationMs(min.value)) {
      ctx.addIssue({
        code: "custom",
        message: `expected at least ${min.value} ${min.note}, got ${JSON.stringify(s)}`,
      });
    }
  });
}

/** A bake window (window, final window): at most {@link MAX_BAKE_DURATION}. */
const bakeDuration = duration(MAX_BAKE_DURATION);

/** The sampling interval: {@link MIN_INTERVAL} to {@link MAX_BAKE_DURATION}. */
const intervalDuration = duration(MAX_BAKE_DURATION, "", {
  value: MIN_INTERVAL,
  note: "between samples (less floods the source)",
});

/** A burn-rate window: at most {@link MAX_BURN_WINDOW}. */
const burnWindow = duration(MAX_BURN_WINDOW, " (30 days)");

/** Burn-rate gate settings (multi-window error-budget burn). */
const burnSchema = z.strictObject({
  /** SLO objective in percent; the error budget is 100 − objective. @default 99.9 */
  objective: z.number().gt(0).lt(100).default(99.9),
  /** Long window, at most 720h. @default 1h */
  longWindow: burnWindow.default("1h"),
  /** Short window, at most 720h. @default 5m */
  shortWindow: burnWindow.default("5m"),
  /** Burn rate both windows must exceed to fail the gate. @default 14.4 */
  maxBurnRate: z.number().positive().default(14.4),
});

/** A PromQL template: not blank, placeholders among `$app`, `$release`, `$window`. */
const promql = z.string({ error: "expected a PromQL query" }).superRefine((q, ctx) => {
  if (q.trim() === "") {
    ctx.addIssue({ code: "custom", message: "expected a PromQL query, got an empty value" });
    return;
  }
  const unknown = unknownPlaceholders(q);
  if (unknown.length > 0) {
    ctx.addIssue({
      code: "custom",
      message: `unknown placeholder ${unknown.map((u) => `$${u}`).join(", ")} in ${JSON.stringify(q)}; use ${PLACEHOLDERS.map((p) => `$${p}`).join(", ")}`,
    });
  }
});

/** An http(s) URL. */
const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });

/**
 * Prometheus as the SLO source. Default queries and what counts as a miss:
 * `automation/lib/slo/prometheus-query.ts`, `automation/lib/slo/prometheus-source.ts`.
 */
const prometheusSloSchema = z.strictObject({
  source: z.literal("prometheus"),
  /** Prometheus's base URL (may be a secret: `pulumi config set --secret --path glidepath:rollout.slo.url …`). */
  url: httpUrl,
  /** PromQL overrides of the default queries; each omitted one keeps its default. @default - the edge's metrics */
  query: z
    .strictObject({
      /** Good requests of the canary over `$window`. @default - `glidepath_edge_good_requests_total` */
      good: promql.optional(),
      /** All requests of the canary over `$window`. @default - `glidepath_edge_requests_total` */
      total: promql.optional(),
      /** Timestamp (s) of the newest scraped sample. @default - `max(timestamp(glidepath_edge_requests_total{…}))` */
      fresh: promql.optional(),
    })
    .optional(),
  /** How old the newest scraped sample may be before a sample is `stale`, at most 24h. @default 2m */
  maxAge: bakeDuration.default("2m"),
});

/** A weight of the ramp. */
const weight = z
  .number({ error: "expected an integer weight from 1 to 100" })
  .int({ error: "expected an integer weight from 1 to 100" })
  .min(1, { error: "expected an integer weight from 1 to 100" })
  .max(100, { error: "expected an integer weight from 1 to 100" });

/** Rollout settings of the driver, as config or `glidepath rollout` flags give them. */
export const rolloutSchema = z
  .strictObject({
    /** Canary weights of the ramp, strictly increasing, ending at 100. @default [5, 25, 50, 100] */
    steps: z
      .array(weight, { error: "expected a list of integer weights from 1 to 100" })
      .min(1, { error: "expected at least one weight" })
      .default([5, 25, 50, 100]),
    /** Bake window of each step but the last, at most 24h. @default 10m */
    window: bakeDuration.default("10m"),
    /** Bake window of the last step, at most 24h. @default 15m */
    finalWindow: bakeDuration.default("15m"),
    /** Time between SLO samples, 100ms to 24h. @default 30s */
    interval: intervalDuration.default("30s"),
    /** Minimum SLO score (percent) a sample must reach. @default 99.0 */
    minSlo: z
      .number({ error: "expected a percentage from 0 to 100 such as 99.5" })
      .min(0, { error: "expected a percentage from 0 to 100 such as 99.5" })
      .max(100, { error: "expected a percentage from 0 to 100 such as 99.5" })
      .default(99.0),
    /** Failed samples (errors, timeouts, garbage) in a row that fail the gate closed at once. @default 3 */
    maxMisses: z
      .number({ error: "expected a whole number from 1 to 100 such as 3" })
      .int({ error: "expected a whole number from 1 to 100 such as 3" })
      .min(1, { error: "expected a whole number from 1 to 100 such as 3" })
      .max(100, { error: "expected a whole number from 1 to 100 such as 3" })
      .default(3),
    /**
     * The largest share of failed samples, 0–1, a window may end with and still pass (beside
     * the in-a-row rule): above it the window fails closed (`misses`).
     * @default DEFAULT_MAX_MISS_RATIO (0.25)
     */
    maxMissRatio: z
      .number({ error: "expected a fraction from 0 to 1 such as 0.25" })
      .min(0, { error: "expected a fraction from 0 to 1 such as 0.25" })
      .max(1, { error: "expected a fraction from 0 to 1 such as 0.25" })
      .default(DEFAULT_MAX_MISS_RATIO),
    /** `threshold`: every sample ≥ minSlo; `burn-rate`: error budget over two windows (needs counts). @default "threshold" */
    mode: z.enum(["threshold", "burn-rate"]).default("threshold"),
    /** Burn-rate settings; `{}` takes every default. @default - objective 99.9, windows 1h and 5m, max burn rate 14.4 */
    burn: burnSchema.prefault({}),
    /**
     * Requests a step's window must count (from sources that give good/total counts) before it
     * may pass; 0 turns the guard off. The reasoning behind the figure is in
     * `automation/lib/slo/defaults.ts`.
     * @default DEFAULT_MIN_REQUESTS (100)
     */
    minRequests: z.number().int().min(0).default(DEFAULT_MIN_REQUESTS),
    /** Extra windows a step may wait for enough traffic before failing closed. @default 1 */
    maxHolds: z.number().int().min(0).max(10).default(1),
    /** Where SLO samples come from. @default - the local edge */
    slo: z
      .discriminatedUnion("source", [
        z.strictObject({ source: z.literal("edge") }),
        z.strictObject({ source: z.literal("http"), url: httpUrl }),
        prometheusSloSchema,
      ])
      .default({ source: "edge" }),
  })
  .superRefine((r, ctx) => {
    r.steps.forEach((w, i) => {
      const prev = r.steps[i - 1];
      if (prev !== undefined && w <= prev) {
        ctx.addIssue({
          code: "custom",
          path: ["steps", i],
          message: `expected weights to increase: ${prev} then ${w}`,
        });
      }
    });
    for (const key of ["window", "finalWindow"] as const) {
      const valid = intervalDuration.safeParse(r.interval).success && bakeDuration.safeParse(r[key]).success;
      if (valid && durationMs(r.interval) > durationMs(r[key])) {
        ctx.addIssue({
          code: "custom",
          path: ["interval"],
          message: `expected the sampling interval (${r.interval}) to fit in the ${key === "window" ? "window of each step" : "window of the last step"} (${r[key]})`,
        });
      }
    }
    if (r.steps[r.steps.length - 1] !== 100) {
      ctx.addIssue({ code: "custom", path: ["steps"], message: "expected the last step to be 100" });
    }
  });

/** Validated rollout settings (`glidepath:rollout`). */
export type RolloutConfig = z.infer<typeof rolloutSchema>;

/** Where SLO samples come from (`glidepath:rollout.slo`, validated). */
export type SloSettings = RolloutConfig["slo"];

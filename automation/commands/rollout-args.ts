/**
 * The flags of `glidepath rollout`: their yargs declarations and the zod schema that checks
 * them. Every flag takes a value (`requiresArg`, so `--window -5s` is the value `-5s`, and a
 * flag without one is a usage error), every value arrives as text, and an empty or blank
 * value is refused, never read as 0 or dropped for the default. The full form of each value
 * (durations, URL, weights, ranges) is checked when the rollout is planned
 * (`automation/lib/driver/plan.ts`), against the same rules as `glidepath:rollout`.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { stackArgs } from "./common";

/**
 * Declares the rollout flags on `y`.
 *
 * @param y - yargs, usually with the common stack options
 */
export function rolloutOptions<T>(y: Argv<T>) {
  return y
    .option("version", {
      type: "string",
      demandOption: true,
      requiresArg: true,
      describe: "canary version tag (bundles in apps/<app>/<version>)",
    })
    .option("apps", {
      type: "string",
      requiresArg: true,
      describe: "comma-separated apps (default: every app with a release)",
    })
    .option("steps", {
      type: "string",
      requiresArg: true,
      describe: "comma-separated weights, increasing, ending at 100 (default 5,25,50,100)",
    })
    .option("window", {
      type: "string",
      requiresArg: true,
      describe: "bake window of each step, at most 24h (default 10m)",
    })
    .option("final-window", {
      type: "string",
      requiresArg: true,
      describe: "bake window of the last step, at most 24h (default 15m)",
    })
    .option("min", {
      type: "string",
      requiresArg: true,
      describe: "minimum SLO score in percent (default 99.0)",
    })
    .option("interval", {
      type: "string",
      requiresArg: true,
      describe: "time between SLO samples, 100ms to 24h (default 30s)",
    })
    .option("slo-url", {
      type: "string",
      requiresArg: true,
      describe: "HTTP SLO source returning JSON with a score or good/total counts",
    })
    .option("max-misses", {
      type: "string",
      requiresArg: true,
      describe: "failed samples in a row before failing closed (default 3)",
    })
    .option("override-hold", {
      type: "boolean",
      default: false,
      describe:
        "ramp even though the stack is failing (rollout_gate hold); recorded in the events and every update message",
    })
    .version(false);
}

/** Whether a value is empty or only whitespace. */
const blank = (s: string) => s.trim() === "";

/**
 * A text flag: refuses an empty or blank value, then anything `valid` refuses.
 *
 * @param expected - the expected form, e.g. `expected a duration such as 30s`
 * @param valid - the value's syntax @default - any non-blank text
 */
function text(expected: string, valid: (s: string) => boolean = () => true) {
  return z.string({ error: expected }).superRefine((s, ctx) => {
    if (blank(s)) ctx.addIssue({ code: "custom", message: `${expected}, got an empty value` });
    else if (!valid(s)) ctx.addIssue({ code: "custom", message: expected });
  });
}

/**
 * A number flag: decimal text of a strict syntax (no `0x`, no `1e3`, no units), as a number.
 *
 * @param expected - the expected form, e.g. `expected a number such as 99.5`
 * @param syntax - the accepted text, after trimming
 */
function numeric(expected: string, syntax: RegExp) {
  return text(expected, (s) => syntax.test(s.trim())).transform((s) => Number(s.trim()));
}

/** Comma-separated names, trimmed, empty items dropped. */
function names(s: string): string[] {
  return s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
}

/** The validated rollout flags (camelCase, as yargs also spells them). */
export const rolloutArgs = stackArgs.extend({
  /** The canary version tag. */
  version: text("expected a version tag such as v2"),
  /** Apps to ramp. @default - every app with a release */
  apps: text("expected comma-separated app names such as wix,gamma", (s) => names(s).length > 0)
    .transform(names)
    .optional(),
  /** Canary weights. @default - `glidepath:rollout.steps` */
  steps: text("expected comma-separated integer weights such as 5,25,50,100", (s) =>
    /^\s*\d+(\s*,\s*\d+)*\s*$/.test(s),
  )
    .transform((s) => s.split(",").map((x) => Number(x.trim())))
    .optional(),
  /** Bake window of each step but the last. @default - `glidepath:rollout.window` */
  window: text("expected a duration such as 30s").optional(),
  /** Bake window of the last step. @default - `glidepath:rollout.finalWindow` */
  finalWindow: text("expected a duration such as 30s").optional(),
  /** Minimum SLO score (percent). @default - `glidepath:rollout.minSlo` */
  min: numeric("expected a number such as 99.5", /^-?\d+(\.\d+)?$/).optional(),
  /** Time between samples. @default - `glidepath:rollout.interval` */
  interval: text("expected a duration such as 30s").optional(),
  /** HTTP SLO source. @default - `glidepath:rollout.slo`, else `NOTION_SLO_BADGE_URL` */
  sloUrl: text("expected an http(s) URL").optional(),
  /** Failed samples in a row before failing closed. @default - `glidepath:rollout.maxMisses` */
  maxMisses: numeric("expected a whole number such as 3", /^\d+$/).optional(),
  /** Ramp on a failing stack. @default false */
  overrideHold: z.boolean().default(false),
});

/** Parsed rollout flags. */
export type RolloutArgv = z.infer<typeof rolloutArgs>;

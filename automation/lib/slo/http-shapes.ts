/**
 * The JSON bodies an HTTP SLO source may answer (the runbook's badge endpoint and anything
 * shaped like it), and how a body becomes a sample (pure). Extra keys are allowed (badges
 * carry labels); figures must be JSON numbers (`"99.1"` is a bad shape).
 *
 * - overall score: `{ "score": 99.2 }` (percent, 0–100)
 * - overall counts: `{ "good": 995, "total": 1000 }` (score = 100 × good / total), alone or beside a score
 * - per app: `{ "apps": { "wix": { "score": 99.5 }, "gamma": { "good": 10, "total": 10 } } }`
 *
 * A body with an `apps` key is per app (even if it also has a score); an app missing from it is
 * a bad shape. Only the sampled app's entry is checked, so one app's bad entry does not blind
 * the others.
 *
 * No traffic: counts with `total: 0` and no score give an ok sample with score 100 and
 * `total: 0`. No requests is no evidence either way: counted as a miss, a quiet canary would
 * fail closed; counted as a low score, it would fail the threshold. Score 100 is neutral, the
 * burn rate ignores it (no requests), and `total: 0` lets the gate's `minRequests` guard see
 * that the window had no data (by default it needs 100 requests). With the guard off
 * (`minRequests: 0`), a window of such samples passes. A body with a score and no counts says
 * nothing about traffic: the guard cannot apply to it (the window's traffic is `unknown`).
 */
import { z } from "zod";
import { missSample, type SloSample } from "./sample";

/** A JSON number: any number, including the infinities `1e999` parses to (judged as out of range). */
const figure = z.union([z.number(), z.literal([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])], {
  error: "expected a number",
});

/** Overall score: `{ "score": 99.2 }` (percent; extra keys allowed). */
export const sloScoreSchema = z.looseObject({ score: figure });

/** Overall counts: `{ "good": 995, "total": 1000 }` (extra keys allowed). */
export const sloCountsSchema = z.looseObject({ good: figure, total: figure });

/** A score, counts, or both: the figures of the whole body or of one app. */
export const sloFiguresSchema = z
  .looseObject({ score: figure.optional(), good: figure.optional(), total: figure.optional() })
  .refine((f) => (f.good === undefined) === (f.total === undefined), {
    error: 'expected "good" and "total" together',
  })
  .refine((f) => f.score !== undefined || f.total !== undefined, {
    error: 'expected "score" or "good" and "total"',
  });

/** Per app: `{ "apps": { "<app>": <figures> } }`; each entry is checked against {@link sloFiguresSchema} when its app is sampled. */
export const sloPerAppSchema = z.looseObject({
  apps: z.record(z.string(), z.unknown(), { error: 'expected "apps" to be an object of figures by app' }),
});

/** The figures of a body or of one app. */
export type SloFigures = z.infer<typeof sloFiguresSchema>;

/** The first issue of a failed parse as `path: message`. */
function firstIssue(error: z.ZodError, prefix: readonly PropertyKey[]): string {
  const issue = error.issues[0];
  if (issue === undefined) return "unexpected shape";
  const path = [...prefix, ...issue.path].map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Turns figures into a sample: impossible figures (a score outside 0–100 or not finite,
 * negative or non-finite counts, good > total) are `out_of_range` misses. A reported score is
 * kept as it is beside counts; without one, score = 100 × good / total, and 100 when total is 0.
 *
 * @param f - the figures
 * @param at - when the sample was taken (epoch ms)
 */
export function figuresToSample(f: SloFigures, at: number): SloSample {
  const { good, total } = f;
  if (good !== undefined && total !== undefined) {
    if (!Number.isFinite(good) || !Number.isFinite(total) || good < 0 || total < 0 || good > total) {
      return missSample(at, "out_of_range", `impossible counts: good ${good}, total ${total}`);
    }
  }
  const score = f.score ?? (total ? (100 * (good ?? 0)) / total : 100);
  if (!Number.isFinite(score) || score < 0 || score > 100) {
    return missSample(at, "out_of_range", `score ${score} is outside 0–100`);
  }
  return good !== undefined && total !== undefined
    ? { ok: true, at, score, good, total }
    : { ok: true, at, score };
}

/**
 * Reads one app's sample out of a parsed JSON body: per-app bodies by the app's entry, other
 * bodies as overall figures.
 *
 * @param body - the parsed JSON
 * @param app - the sampled app
 * @param at - when the sample was taken (epoch ms)
 */
export function readSloBody(body: unknown, app: string, at: number): SloSample {
  const isObject = typeof body === "object" && body !== null && !Array.isArray(body);
  let figures: unknown = body;
  let prefix: PropertyKey[] = [];
  if (isObject && "apps" in body) {
    const perApp = sloPerAppSchema.safeParse(body);
    if (!perApp.success) return missSample(at, "bad_shape", firstIssue(perApp.error, []));
    if (!Object.hasOwn(perApp.data.apps, app)) {
      return missSample(at, "bad_shape", `no figures for app "${app}" in "apps"`);
    }
    figures = perApp.data.apps[app];
    prefix = ["apps", app];
  }
  const parsed = sloFiguresSchema.safeParse(figures);
  if (!parsed.success) return missSample(at, "bad_shape", firstIssue(parsed.error, prefix));
  return figuresToSample(parsed.data, at);
}

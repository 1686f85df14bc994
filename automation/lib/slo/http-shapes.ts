/**
 * The JSON bodies an HTTP SLO source may answer (the runbook's `NOTION_SLO_BADGE_URL` and
 * anything shaped like it). Extra keys are allowed (badges carry labels); numbers must be
 * JSON numbers.
 *
 * - overall: `{ "score": 99.2 }` (percent, 0–100)
 * - counts: `{ "good": 995, "total": 1000 }` (score = 100 × good / total), alone or beside a score
 * - per app: `{ "apps": { "wix": { "score": 99.5 }, "gamma": { "good": 10, "total": 10 } } }`
 */
import { z } from "zod";

/** A score and/or good/total counts. */
export const sloFiguresSchema = z
  .looseObject({
    score: z.number().optional(),
    good: z.number().optional(),
    total: z.number().optional(),
  })
  .refine((f) => f.score !== undefined || (f.good !== undefined && f.total !== undefined), {
    error: 'expected "score" or both "good" and "total"',
  });

/** Figures per app. */
export const sloPerAppSchema = z.looseObject({ apps: z.record(z.string(), sloFiguresSchema) });

/** Any accepted body: per app first, then overall figures. */
export const sloBodySchema = z.union([sloPerAppSchema, sloFiguresSchema]);

/** The figures of one app out of a body. */
export type SloFigures = z.infer<typeof sloFiguresSchema>;

/**
 * The demo report (`glidepath demo --json`, and `artifacts/demo-report.json` in the demo
 * project): both ramps, the step table, what the edge served afterwards, and the timings.
 */
import { z } from "zod";
import { rolloutReportSchema } from "../driver/report";

const figures = z.strictObject({
  total: z.number().int().min(0),
  good: z.number().int().min(0),
  score: z.number(),
});

/** Schema of the demo report. */
export const demoReportSchema = z.strictObject({
  schema: z.literal("glidepath.demo-report/v1"),
  ok: z.boolean(),
  stack: z.string(),
  projectDir: z.string(),
  edgeUrl: z.string(),
  panelUrl: z.string(),
  /** The v2 ramp (expected: promoted) and the v3 ramp (expected: rolled back). */
  ramps: z.array(
    z.strictObject({
      expected: z.enum(["promoted", "rolled_back"]),
      exitCode: z.number().int(),
      report: rolloutReportSchema,
    }),
  ),
  rows: z.array(
    z.strictObject({
      version: z.string(),
      stable: z.string(),
      app: z.string(),
      weight: z.number().int(),
      verdict: z.string(),
      reason: z.string().optional(),
      canaryFigures: figures,
      stableFigures: figures,
      canaryJudged: figures,
    }),
  ),
  /** Per app, the releases that answered probe requests after the last ramp. */
  servingAfter: z.record(z.string(), z.record(z.string(), z.number().int())),
  /** What v3 lost against the stable release (the regression the gate should catch). */
  regression: z.array(z.string()),
  traffic: z.strictObject({
    sent: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
    ratePerSecond: z.number(),
  }),
  screenshot: z.union([z.strictObject({ file: z.string() }), z.strictObject({ skipped: z.string() })]),
  /** Wall time per phase and in total (ms). */
  timings: z.record(z.string(), z.number()),
  problems: z.array(z.string()),
});

/** A demo report. */
export type DemoReport = z.infer<typeof demoReportSchema>;

/**
 * `notion-sync.json`, the report of `glidepath sync` (pure): when it ran, how long it took, what
 * it did per outcome and per domain, the entries it refused (page id, property, why), and each
 * app's SLO badge. It holds ids, names, counts and times only, never a token or a key: the
 * schema has no field a secret could go in, and every string is checked against the run's
 * secrets before the report is written.
 */
import { z } from "zod";
import { BADGES } from "./slo-badge";

/** The report's kind marker. */
export const SYNC_REPORT_SCHEMA = "glidepath.notion-sync/v1";

const count = z.number().int().min(0);

/** What the sync did to the items of one collection (or in all). */
const countsSchema = z.strictObject({
  /** Entries read and written (or compared) in the collection. */
  entries: count,
  /** Items created. */
  created: count,
  /** Items whose content changed (their `lastSync` moved). */
  updated: count,
  /** Items already equal to their entry (nothing written, `lastSync` kept). */
  unchanged: count,
  /** Items marked archived: their page is no longer in the registry (trashed or deleted). */
  archived: count,
});

/** One domain's collection, folder and key id (from config), and what happened there. */
const domainCountsSchema = countsSchema.extend({
  collection: z.string(),
  gammaFolderId: z.string().nullable(),
  keyId: z.string(),
});

/** Schema of `notion-sync.json`. */
export const syncReportSchema = z.strictObject({
  schema: z.literal(SYNC_REPORT_SCHEMA),
  stack: z.string().min(1),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  durationMs: count,
  /** The registry read: its database, and how many pages it returned. */
  registry: z.strictObject({ databaseId: z.string(), pages: count }),
  /** The totals (refused entries counted once, in no domain). */
  counts: countsSchema.extend({ refused: count }),
  /** Per domain: its collection and Gamma folder (from config) and what happened there. */
  domains: z.strictObject({ Business: domainCountsSchema, Gaming: domainCountsSchema }),
  /** Entries not written: the page, the property at fault and why. */
  refused: z.array(z.strictObject({ pageId: z.string(), field: z.string(), reason: z.string() })),
  /** The SLO badges: the source read (described without secrets) and per app its badge. */
  slo: z.strictObject({
    source: z.string(),
    origin: z.enum(["--slo-url", "glidepath:rollout.slo", "NOTION_SLO_BADGE_URL"]),
    badges: z.record(z.string(), z.strictObject({ badge: z.enum(BADGES), detail: z.string() })),
  }),
});

/** The sync report. */
export type SyncReport = z.infer<typeof syncReportSchema>;

/**
 * Validates a report and checks it carries none of `secrets` (pure).
 *
 * @param report - the report as built
 * @param secrets - the run's secret values (token, keys); empty ones are ignored
 * @returns the validated report
 * @throws Error when it does not fit the schema or holds a secret (a bug: never written)
 */
export function checkedReport(report: unknown, secrets: readonly string[]): SyncReport {
  const parsed = syncReportSchema.parse(report);
  const text = JSON.stringify(parsed);
  for (const s of secrets) {
    if (s.length > 0 && text.includes(s))
      throw new Error("the sync report would hold a secret; it was not written");
  }
  return parsed;
}

/**
 * `glidepath sync --stack S [--json-output artifacts/notion-sync.json] [--slo-url URL] [--json]`:
 * mirrors the stack's Notion registry into its Wix collections (Business entries into
 * Business's, Gaming's into Gaming's), each item with its app's SLO badge, and archives the
 * items whose page left the registry. The config and secrets are checked first (exit 2 /
 * GP_SECRETS_MISSING, nothing read or written); then each domain's key against its collection;
 * any failure while reading Notion writes nothing. Changes no stack state: no driver lock, no
 * update. Writes the report and a `content-sync:swarm-registry` SWARM event.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { writeArtifact } from "../lib/artifacts";
import { readRegistry } from "../lib/content/registry-reader";
import { badgeSource, readBadges } from "../lib/content/slo-badge";
import { syncClient } from "../lib/content/sync-client";
import { checkedReport, SYNC_REPORT_SCHEMA } from "../lib/content/sync-report";
import { runSync, syncSummary } from "../lib/content/sync-run";
import { syncSettingsOf } from "../lib/content/sync-settings";
import { badgeUrlOf } from "../lib/driver/plan";
import { openLogs } from "../lib/driver/session";
import { emit, openForReport, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "sync";
export const describe = "mirror the Notion registry into the Wix collections (Business and Gaming apart)";

export function builder(y: Argv) {
  return withStackOptions(y)
    .option("json-output", {
      type: "string",
      describe: "also write the report (notion-sync.json) to this file",
    })
    .option("slo-url", {
      type: "string",
      describe:
        "HTTP SLO source of the badges (default: as for rollout: glidepath:rollout.slo or NOTION_SLO_BADGE_URL)",
    });
}

const args = stackArgs.extend({
  jsonOutput: z.string().min(1).optional(),
  sloUrl: z.string().optional(),
});

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const { ctx, config } = await openForReport(a, SYNC_REPORT_SCHEMA);
  const settings = syncSettingsOf(a.stack, config, process.env);
  const source = badgeSource(config, a.sloUrl, badgeUrlOf(process.env, config));
  const raw = await runSync(settings, {
    client: (key) => syncClient({ url: settings.endpoint, key }),
    read: () =>
      readRegistry({
        token: settings.notionToken,
        databaseId: settings.registryDatabaseId,
        baseUrl: settings.notionUrl,
      }),
    badges: (apps) =>
      readBadges(apps, { stack: a.stack, projectDir: ctx.projectDir, cfg: config, slo: source.slo }),
    sloOrigin: source.origin,
    progress: progressLine,
  });
  const report = checkedReport(raw, [settings.notionToken, settings.keys.Business, settings.keys.Gaming]);
  if (a.jsonOutput) await writeArtifact(ctx.projectDir, a.jsonOutput, report, { flag: "--json-output" });
  const logs = openLogs(ctx);
  try {
    await logs.swarm.send({
      id: `content-sync:${a.stack}:${report.startedAt}`,
      ts: report.finishedAt,
      stack: a.stack,
      phase: "content-sync:swarm-registry",
      verdict: report.counts.refused > 0 ? "partial" : "complete",
      ...(report.counts.refused > 0
        ? {
            reason: `${report.counts.refused} entr${report.counts.refused === 1 ? "y" : "ies"} refused: ${report.refused
              .slice(0, 10)
              .map((r) => `${r.pageId} (${r.field})`)
              .join(", ")}${report.counts.refused > 10 ? ", …" : ""}`,
          }
        : {}),
      update: syncSummary(report),
    });
  } finally {
    await logs.finish();
  }
  emit(a.json, report, () =>
    [
      syncSummary(report),
      ...report.refused.map((r) => `  refused ${r.pageId}: ${r.field} ${r.reason}`),
      ...Object.entries(report.slo.badges).map(([app, b]) => `  badge ${app}: ${b.badge} (${b.detail})`),
    ].join("\n"),
  );
}

/**
 * One registry sync, Notion → Wix, in this order: check each domain's key against its
 * collection (a signed no-op: a key the endpoint refuses stops the sync before anything is
 * read or written); read the whole registry (any failure: nothing is written); map each page
 * (a page that does not fit is refused, never written); route each entry by its domain through
 * the firewall; read one SLO badge per app; upsert each domain's items into its collection; and
 * mirror deletions: every item of a collection whose page is no longer in the registry is
 * marked archived by the endpoint (a refused page counts as present: its item is left as it
 * is). Returns the report; the caller writes it and the SWARM event.
 */
import { DOMAINS, type Domain } from "../../../infra/content-config";
import { type DomainTarget, domainTarget, guardedClient, routeEntries } from "./firewall";
import { type RegistryEntry, registryEntriesOf, wixIdOf } from "./registry-entry";
import type { RegistryRead } from "./registry-reader";
import type { Badge, BadgeReading } from "./slo-badge";
import type { SyncClient, SyncItem } from "./sync-client";
import type { SyncReport } from "./sync-report";
import { SYNC_REPORT_SCHEMA } from "./sync-report";
import type { SyncSettings } from "./sync-settings";

/**
 * The Wix item of an entry (pure): its content fields only (the endpoint owns `lastSync` and
 * `archived`). Nothing in it comes from anywhere but the entry, its domain's target and its badge.
 *
 * @param entry - the entry
 * @param target - its domain's target (from config)
 * @param badge - its app's badge, or null when it names no app
 */
export function syncItemOf(entry: RegistryEntry, target: DomainTarget, badge: Badge | null): SyncItem {
  return {
    _id: entry.id,
    title: entry.title,
    domain: target.domain,
    status: entry.status,
    summary: entry.summary,
    url: entry.url,
    app: entry.app,
    tags: entry.tags,
    sloBadge: badge,
    gammaFolderId: target.gammaFolderId,
    notionPageId: entry.pageId,
  };
}

/** What a sync calls out to (real clients in the command; stubs in unit tests). */
export interface SyncDeps {
  /** The sync client signing with `key` (the domain's key id and secret). */
  client(key: { id: string; secret: string }): SyncClient;
  /** Reads the whole registry. */
  read(): Promise<RegistryRead>;
  /** One badge per app. */
  badges(apps: string[]): Promise<{ source: string; badges: Record<string, BadgeReading> }>;
  /** Where the badges come from (`--slo-url` …). */
  sloOrigin: SyncReport["slo"]["origin"];
  /** Progress lines for people. @default - none */
  progress?: (line: string) => void;
  /** Clock. @default Date.now */
  now?: () => number;
}

/**
 * Runs a sync.
 *
 * @param s - the resolved settings
 * @param deps - the clients
 * @returns the report (not yet validated: see `checkedReport`)
 * @throws GlidepathError from the clients: `GP_CREDENTIAL_SCOPE` (a key refused), `GP_TARGET_UNREACHABLE` …
 */
export async function runSync(s: SyncSettings, deps: SyncDeps): Promise<SyncReport> {
  const now = deps.now ?? Date.now;
  const started = now();
  const progress = deps.progress ?? (() => undefined);
  const targets = Object.fromEntries(
    DOMAINS.map((d) => [d, domainTarget(s.domains, d) as DomainTarget]),
  ) as Record<Domain, DomainTarget>;
  const clients = Object.fromEntries(
    DOMAINS.map((d) => {
      const key = { id: targets[d].keyId, secret: s.keys[d] };
      return [d, guardedClient(s.domains, d, key.id, deps.client(key))];
    }),
  ) as Record<Domain, SyncClient>;
  for (const d of DOMAINS) await clients[d].check(targets[d].collection);

  const read = await deps.read();
  const mapped = registryEntriesOf(read.pages);
  const routed = routeEntries(mapped.entries);
  const refused = [...mapped.refused, ...routed.refused];
  for (const r of refused) progress(`refused page ${r.pageId}: ${r.field} ${r.reason}`);
  const apps = [
    ...new Set(DOMAINS.flatMap((d) => routed.byDomain[d].flatMap((e) => (e.app ? [e.app] : [])))),
  ];
  const slo = await deps.badges(apps);
  for (const [app, b] of Object.entries(slo.badges))
    progress(`SLO badge of ${app}: ${b.badge} (${b.detail})`);
  const refusedIds = refused.flatMap((r) => {
    const id = wixIdOf(r.pageId);
    return id === undefined ? [] : [id];
  });

  const domains = {} as SyncReport["domains"];
  for (const d of DOMAINS) {
    const t = targets[d];
    const entries = routed.byDomain[d];
    const items = entries.map((e) =>
      syncItemOf(e, t, e.app ? (slo.badges[e.app]?.badge ?? "unknown") : null),
    );
    const outcomes = items.length === 0 ? [] : await clients[d].upsert(t.collection, items);
    const { archived } = await clients[d].mirror(t.collection, [...items.map((i) => i._id), ...refusedIds]);
    const of = (o: string) => outcomes.filter((x) => x.outcome === o).length;
    domains[d] = {
      collection: t.collection,
      gammaFolderId: t.gammaFolderId,
      keyId: t.keyId,
      entries: items.length,
      created: of("created"),
      updated: of("updated"),
      unchanged: of("unchanged"),
      archived: archived.length,
    };
    const x = domains[d];
    progress(
      `${d} → ${t.collection}: ${x.created} created, ${x.updated} updated, ${x.unchanged} unchanged, ${x.archived} archived`,
    );
  }
  const sum = (k: "entries" | "created" | "updated" | "unchanged" | "archived") =>
    DOMAINS.reduce((n, d) => n + domains[d][k], 0);
  const finished = now();
  return {
    schema: SYNC_REPORT_SCHEMA,
    stack: s.stack,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    durationMs: Math.max(0, finished - started),
    registry: { databaseId: s.registryDatabaseId, pages: read.pages.length },
    counts: {
      entries: sum("entries"),
      created: sum("created"),
      updated: sum("updated"),
      unchanged: sum("unchanged"),
      archived: sum("archived"),
      refused: refused.length,
    },
    domains,
    refused,
    slo: { source: slo.source, origin: deps.sloOrigin, badges: slo.badges },
  };
}

/**
 * The SWARM event's one-line summary of a report (pure).
 *
 * @param r - the report
 */
export function syncSummary(r: SyncReport): string {
  const c = r.counts;
  return `glidepath sync ${r.stack}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.archived} archived, ${c.refused} refused (${DOMAINS.map((d) => `${d} ${r.domains[d].entries}`).join(", ")})`;
}

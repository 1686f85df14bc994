/**
 * Stack history joined with the SWARM events (pure): each event names the update message of
 * its phase, and belongs to the newest update with that message that started before it. The
 * result is for people and files (`glidepath history`, human and --json): every URL in it that
 * carries credentials is redacted (a plain `glidepath:rollout.slo.url` of an older update).
 */
import type { SwarmEvent } from "../events/schema";
import type { HistoryEntry } from "../history";
import { withoutAnchors } from "../messages";
import { redactUrls } from "../redact";

/** A history entry with the events (gate verdicts, rollback, promotion) of its update. */
export interface JoinedEntry extends HistoryEntry {
  events: Pick<SwarmEvent, "id" | "ts" | "phase" | "verdict" | "reason" | "slo">[];
}

/**
 * Joins history (newest first) and events (any order).
 *
 * @param history - the stack history, newest first
 * @param events - the stack's SWARM events
 */
export function joinHistory(history: readonly HistoryEntry[], events: readonly SwarmEvent[]): JoinedEntry[] {
  const joined: JoinedEntry[] = history.map((h) => ({ ...h, events: [] }));
  for (const e of [...events].sort((a, b) => a.ts.localeCompare(b.ts))) {
    if (e.update === undefined) continue;
    const owner = joined.find(
      (h) => withoutAnchors(h.message) === withoutAnchors(e.update as string) && h.startTime <= e.ts,
    );
    if (owner === undefined) continue;
    const { id, ts, phase, verdict, reason, slo } = e;
    owner.events.push({ id, ts, phase, verdict, reason, slo });
  }
  return redactUrls(joined);
}

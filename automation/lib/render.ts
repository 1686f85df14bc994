/**
 * Human renderings of results: plain text tables, no colour codes, no secret values.
 */
import type { JoinedEntry } from "./driver/history-join";
import type { HistoryEntry } from "./history";

/** One line per history entry, newest first, then a line per event of its update. */
export function renderHistory(history: readonly (HistoryEntry | JoinedEntry)[]): string {
  if (history.length === 0) return "(no updates yet)";
  const rows = history.map((h) => {
    const changes = Object.entries(h.resourceChanges)
      .filter(([, n]) => n > 0)
      .map(([op, n]) => `${op}:${n}`)
      .join(" ");
    const head = `  #${String(h.version).padEnd(4)} ${h.kind.padEnd(8)} ${h.result.padEnd(10)} ${h.startTime}  ${h.message}${changes ? `  [${changes}]` : ""}`;
    const events = "events" in h ? h.events : [];
    return [
      head,
      ...events.map(
        (e) =>
          `        └ ${e.phase}${e.verdict ? ` gate ${e.verdict}` : ""}${e.reason ? ` (${e.reason})` : ""}`,
      ),
    ].join("\n");
  });
  return ["stack history (newest first):", ...rows].join("\n");
}

/** Stack outputs as indented JSON under a title. */
export function renderOutputs(outputs: Readonly<Record<string, unknown>>): string {
  return `outputs:\n${JSON.stringify(outputs, null, 2)
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n")}`;
}

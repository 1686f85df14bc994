/**
 * Human renderings of results: plain text tables, no colour codes, no secret values.
 */
import type { HistoryEntry } from "./history";

/** One line per history entry, newest first. */
export function renderHistory(history: readonly HistoryEntry[]): string {
  if (history.length === 0) return "(no updates yet)";
  const rows = history.map((h) => {
    const changes = Object.entries(h.resourceChanges)
      .filter(([, n]) => n > 0)
      .map(([op, n]) => `${op}:${n}`)
      .join(" ");
    return `  #${String(h.version).padEnd(4)} ${h.kind.padEnd(8)} ${h.result.padEnd(10)} ${h.startTime}  ${h.message}${changes ? `  [${changes}]` : ""}`;
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

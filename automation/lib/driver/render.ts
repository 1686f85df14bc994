/**
 * Terminal rendering of the driver's progress and report (pure: events in, lines out).
 */
import type { SloSample } from "../slo/sample";
import type { DriverEvent } from "./events";
import type { RolloutReport } from "./report";

const sampleText = (s: SloSample) => (s.ok ? s.score.toFixed(2) : `miss:${s.miss}`);

/**
 * One line per driver event.
 *
 * @param e - the event
 * @param steps - the number of steps of the ramp
 */
export function renderDriverEvent(e: DriverEvent, steps: number): string {
  const at = (step: number, weight: number) => `[step ${step + 1}/${steps} ${weight}%]`;
  switch (e.type) {
    case "resume":
      return `${at(e.step, e.weight)} resuming a ramp left by an earlier driver (${e.applied ? "step applied: judging it again" : "its update did not complete: rolling back"})`;
    case "step":
      return `${at(e.step, e.weight)} pulumi up: ${e.message}`;
    case "applied":
      return `${at(e.step, e.weight)} applied in ${(e.ms / 1000).toFixed(1)}s; baking`;
    case "round": {
      const apps = Object.entries(e.progress.apps)
        .map(
          ([app, a]) =>
            `${app} ${sampleText(a.sample)} (min ${a.summary.minScore?.toFixed(2) ?? "-"}, ${a.summary.count} samples, ${a.summary.misses} misses)`,
        )
        .join("  ");
      return `${at(e.step, e.weight)} ${Math.ceil(e.progress.leftMs / 1000)}s left  ${apps}`;
    }
    case "verdict":
      return `${at(e.step, e.weight)} gate: ${e.verdict.status}${e.verdict.status === "fail" ? ` — ${e.verdict.reason}` : e.verdict.status === "insufficient_traffic" ? ` — ${e.verdict.detail}` : ""}`;
    case "rollback":
      return `rolling back to the last green state: ${e.reason}`;
    case "rolled-back":
      return `rolled back in ${(e.ms / 1000).toFixed(1)}s: ${e.message}`;
    case "promote":
      return `promoting: ${e.message}`;
    case "closing":
      return `finishing the ${e.phase === "promoting" ? "promotion" : "rollback"} of ${e.version} that an earlier driver left unfinished`;
    case "interrupted":
      return e.live
        ? `${e.signal}: stopping the ramp and rolling back to the last green state (a second ${e.signal} abandons the rollback)`
        : `${e.signal}: stopping; nothing was deployed`;
    case "warning":
      return `warning: ${e.message}`;
    case "propagated":
      return `${at(e.step, e.weight)} the edge serves the new route: ${Object.entries(e.seenAfterMs)
        .map(([app, ms]) => `${app} after ${(ms / 1000).toFixed(1)}s`)
        .join(", ")}`;
  }
}

/** The human summary of a rollout. */
export function renderRolloutReport(r: RolloutReport): string {
  const rows = r.steps.map((s) => {
    const slo = Object.entries(s.slo)
      .map(([app, x]) => `${app} min ${x.minScore?.toFixed(2) ?? "-"}/${x.count}`)
      .join(", ");
    return `  ${String(s.weight).padStart(3)}%  ${s.verdict.padEnd(20)} ${slo}${s.reason ? `  (${s.reason})` : ""}`;
  });
  const tail =
    r.outcome === "promoted"
      ? `promoted: ${r.promotion ?? ""}`
      : r.outcome === "rolled_back"
        ? `rolled back (${r.reason ?? ""}): ${r.rollback?.message ?? ""}`
        : r.outcome === "rollback_failed"
          ? `ROLLBACK FAILED (${r.reason ?? ""}): the canary may still be live; ${r.error?.message.split("\n")[0] ?? ""}`
          : `not started: ${r.error?.message.split("\n")[0] ?? r.reason ?? ""}`;
  return [`rollout ${r.rampId} on ${r.stack}${r.resumed ? " (resumed)" : ""}`, ...rows, tail].join("\n");
}

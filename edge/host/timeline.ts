/**
 * What the investor panel shows besides live traffic: the ramp in progress and the stack's
 * recent updates with their gate verdicts. `buildTimeline` is pure; `cachedTimeline` reads
 * stack history and the SWARM log at most once per `maxAgeMs`, on demand (the panel polls).
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { joinHistory } from "../../automation/lib/driver/history-join";
import type { SwarmEvent } from "../../automation/lib/events/schema";
import { eventFiles, readSwarmEvents } from "../../automation/lib/events/sinks";
import { configValue, type HistoryEntry, readHistory } from "../../automation/lib/history";

/** The panel's timeline document (`host` in `/_glidepath/status`). */
export interface Timeline {
  /** The ramp in progress per the newest update's config, or null at rest. */
  ramp: { version: string; apps: string[]; step: number; weight: number; startedAt: string } | null;
  /** Newest first. */
  updates: {
    version: number;
    at: string;
    kind: string;
    result: string;
    message: string;
    /** Gate verdicts and phases recorded for the update. */
    events: { phase: string; verdict?: string; reason?: string }[];
  }[];
}

/** Updates the panel lists. */
export const TIMELINE_LENGTH = 12;

function rampOf(entry: HistoryEntry | undefined): Timeline["ramp"] {
  if (entry?.result !== "succeeded") return null;
  const r = configValue(entry.config["glidepath:ramp"]) as Partial<NonNullable<Timeline["ramp"]>> | undefined;
  if (typeof r !== "object" || r === null) return null;
  if (typeof r.version !== "string" || typeof r.weight !== "number" || typeof r.step !== "number")
    return null;
  return {
    version: r.version,
    apps: Array.isArray(r.apps) ? r.apps.filter((a): a is string => typeof a === "string") : [],
    step: r.step,
    weight: r.weight,
    startedAt: typeof r.startedAt === "string" ? r.startedAt : "",
  };
}

/**
 * The timeline of a stack.
 *
 * @param history - stack history, newest first
 * @param events - the stack's SWARM events
 */
export function buildTimeline(history: readonly HistoryEntry[], events: readonly SwarmEvent[]): Timeline {
  const joined = joinHistory(history, events);
  return {
    ramp: rampOf(history.find((h) => h.kind === "update")),
    updates: joined.slice(0, TIMELINE_LENGTH).map((h) => ({
      version: h.version,
      at: h.startTime,
      kind: h.kind,
      result: h.result,
      message: h.message,
      events: h.events.map((e) => ({
        phase: e.phase,
        ...(e.verdict !== undefined ? { verdict: e.verdict } : {}),
        ...(e.reason !== undefined ? { reason: e.reason } : {}),
      })),
    })),
  };
}

/**
 * A loader of the stack's timeline that reads at most once per `maxAgeMs` and shares one
 * read among concurrent callers.
 *
 * @param stack - the opened stack
 * @param projectDir - where the SWARM log lives
 * @param maxAgeMs - how stale an answer may be @default 3000
 */
export function cachedTimeline(stack: Stack, projectDir: string, maxAgeMs = 3000): () => Promise<Timeline> {
  let last: { at: number; value: Timeline } | undefined;
  let pending: Promise<Timeline> | undefined;
  const read = async (): Promise<Timeline> => {
    const [history, events] = await Promise.all([
      readHistory(stack, false),
      readSwarmEvents(eventFiles(projectDir).swarm, stack.name),
    ]);
    const value = buildTimeline(history, events);
    last = { at: Date.now(), value };
    return value;
  };
  return async () => {
    if (last && Date.now() - last.at < maxAgeMs) return last.value;
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

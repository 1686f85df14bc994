/**
 * Where events go. The SWARM log has a sink interface (JSONL by default; the Notion sink plugs
 * into the same interface); runtime events always go to `runtime-events.jsonl`.
 */
import * as path from "node:path";
import { appendJsonl, readJsonl } from "./jsonl";
import { type RuntimeEvent, runtimeEventSchema, type SwarmEvent, swarmEventSchema } from "./schema";

/** A destination of SWARM events. Sending an event whose id was already sent never adds a second record (the JSONL sink skips it; the Notion sink updates its row if the event changed). */
export interface SwarmSink {
  /** Human description (`jsonl artifacts/swarm-events.jsonl`), without secrets. */
  describe(): string;
  /** Records one event, once per id. */
  send(event: SwarmEvent): Promise<void>;
}

/** Default file names under the project's `artifacts/`. */
export const EVENT_FILES = { swarm: "swarm-events.jsonl", runtime: "runtime-events.jsonl" } as const;

/**
 * The JSONL SWARM sink: appends to `file`, skipping ids it already holds.
 *
 * @param file - the JSONL file
 */
export function jsonlSwarmSink(file: string): SwarmSink {
  let seen: Set<string> | undefined;
  return {
    describe: () => `jsonl ${file}`,
    async send(event) {
      seen ??= new Set((await readJsonl(file, swarmEventSchema)).records.map((e) => e.id));
      if (seen.has(event.id)) return;
      await appendJsonl(file, swarmEventSchema, event);
      seen.add(event.id);
    },
  };
}

/** Reads the SWARM events of a stack, oldest first. */
export async function readSwarmEvents(file: string, stack: string): Promise<SwarmEvent[]> {
  return (await readJsonl(file, swarmEventSchema)).records.filter((e) => e.stack === stack);
}

/** Appends runtime events to a JSONL file. */
export interface RuntimeLog {
  /** The file. */
  file: string;
  /** Appends one event (its time is now). */
  record(code: RuntimeEvent["code"], subject?: string, detail?: string): Promise<void>;
}

/**
 * The runtime event log of a stack.
 *
 * @param file - the JSONL file
 * @param stack - the stack the events concern
 */
export function runtimeLog(file: string, stack: string): RuntimeLog {
  return {
    file,
    async record(code, subject, detail) {
      const event: RuntimeEvent = { ts: new Date().toISOString(), stack, code };
      if (subject !== undefined) event.subject = subject;
      if (detail !== undefined) event.detail = detail;
      await appendJsonl(file, runtimeEventSchema, event);
    },
  };
}

/** Reads the runtime events of a stack, oldest first. */
export async function readRuntimeEvents(file: string, stack: string): Promise<RuntimeEvent[]> {
  return (await readJsonl(file, runtimeEventSchema)).records.filter((e) => e.stack === stack);
}

/** The event files of a project. */
export function eventFiles(projectDir: string): { swarm: string; runtime: string } {
  const dir = path.join(projectDir, "artifacts");
  return { swarm: path.join(dir, EVENT_FILES.swarm), runtime: path.join(dir, EVENT_FILES.runtime) };
}

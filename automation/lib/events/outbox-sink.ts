/**
 * The SWARM log with a remote destination: the JSONL file is the first write and the outbox;
 * Notion receives the stack's undelivered events afterwards, in log order, each once, in the
 * background. Delivery never blocks the command it serves (a rollback runs on while Notion is
 * down or throttling), and never fails it: the first failure stops delivery for the rest of the
 * command (one warning, no retry storm), and the events stay pending for the next command or
 * `glidepath events flush`. At its end the command waits a bounded time for delivery in flight,
 * then aborts it.
 */
import { deliveredFile, readDelivered, recordDelivered } from "./delivered";
import { notionSwarmSink } from "./notion-sink";
import { type Delivery, deliverPending, pendingEvents } from "./outbox";
import { jsonlSwarmSink, readSwarmEvents, type SwarmSink } from "./sinks";
import { destinationKey, type NotionDestination } from "./swarm-destination";

/** Options of {@link outboxSwarmSink}. */
export interface OutboxOptions {
  /** The project (its `artifacts/` holds the log and the delivered ids). */
  projectDir: string;
  /** The SWARM log file. */
  file: string;
  /** The stack whose events this outbox delivers. */
  stack: string;
  /** The Notion destination (its token must be set). */
  destination: NotionDestination & { token: string };
  /** Receives one line per delivery problem (never a secret). @default - stderr */
  warn?: (line: string) => void;
  /** The remote sink. @default - the Notion sink for `destination`, with the outbox's retry policy */
  remote?: Pick<SwarmSink, "send" | "describe">;
  /** How long {@link SwarmOutbox.finish} waits for delivery in flight (ms). @default 15000 */
  finishTimeoutMs?: number;
}

/** What a flush did. */
export interface FlushResult {
  /** Events this outbox delivered. */
  delivered: number;
  /** Events of the stack still pending. */
  pending: number;
  /** Why delivery stopped, when it did. */
  error?: unknown;
}

/** What the outbox adds to a sink. */
export interface SwarmOutbox extends SwarmSink {
  /**
   * Delivers every pending event now (also after an earlier failure); never throws. Counts what
   * this outbox delivered since it was opened (its opening delivery included).
   */
  flush(): Promise<FlushResult>;
  /** How many of the stack's events are still pending. */
  pendingCount(): Promise<number>;
  /** Waits (bounded) for background delivery, then aborts what is still in flight. */
  finish(): Promise<void>;
}

/**
 * The outbox of a stack's SWARM log.
 *
 * @param opts - files, stack, destination
 */
export function outboxSwarmSink(opts: OutboxOptions): SwarmOutbox {
  const warn = opts.warn ?? ((line: string) => process.stderr.write(`warning: ${line}\n`));
  const local = jsonlSwarmSink(opts.file);
  const abort = new AbortController();
  const remote =
    opts.remote ??
    notionSwarmSink({
      token: opts.destination.token,
      databaseId: opts.destination.databaseId,
      baseUrl: opts.destination.baseUrl,
      // Fewer, shorter retries than a foreground call: the next command delivers what this one could not.
      timeoutMs: 10_000,
      retry: { maxRetries: 2, maxRetryDelayMs: 5000 },
      signal: abort.signal,
    });
  const to = destinationKey(opts.destination);
  const done = deliveredFile(opts.projectDir);
  let stopped = false;
  let deliveredHere = 0;
  let chain: Promise<unknown> = Promise.resolve();

  /** One delivery pass; never throws (an unreadable log is a failure like the sink's). */
  const deliver = async (): Promise<Delivery> => {
    const events = await readSwarmEvents(opts.file, opts.stack).catch((error: unknown) => error as Error);
    const delivered = await readDelivered(done, to).catch((error: unknown) => error as Error);
    if (events instanceof Error) return { delivered: [], pending: [], error: events };
    if (delivered instanceof Error) return { delivered: [], pending: [], error: delivered };
    return deliverPending(events, delivered, remote, {
      onDelivered: async (e) => {
        deliveredHere++;
        await recordDelivered(done, to, e.id);
      },
    });
  };
  const background = async (): Promise<void> => {
    if (stopped) return;
    const r = await deliver();
    if (r.error === undefined || stopped) return;
    stopped = true;
    warn(
      `SWARM events not delivered to ${remote.describe()} (${r.pending.length} pending): ${message(r.error)}; ` +
        "they stay in the local log and go with the next command, or `glidepath events flush`",
    );
  };
  const kick = (): void => {
    chain = chain.then(background);
  };
  kick();
  return {
    describe: () => `${local.describe()}, then ${remote.describe()}`,
    async send(event) {
      await local.send(event);
      kick();
    },
    async flush() {
      await chain;
      stopped = false;
      const r = await deliver();
      return {
        delivered: deliveredHere,
        pending: await countPending(opts.projectDir, opts.file, opts.stack, opts.destination),
        ...(r.error === undefined ? {} : { error: r.error }),
      };
    },
    pendingCount: () => countPending(opts.projectDir, opts.file, opts.stack, opts.destination),
    async finish() {
      if ((await settled(chain, opts.finishTimeoutMs ?? 15_000)) === "done") return;
      stopped = true;
      abort.abort();
      warn(
        `SWARM delivery to ${remote.describe()} did not finish in time; the rest goes with the next command, or \`glidepath events flush\``,
      );
      // The abort ends the Notion sink's requests at once; a sink that ignores it is not waited for.
      await settled(chain, ABORT_GRACE_MS);
    },
  };
}

/**
 * How many of a stack's SWARM events a destination has not acknowledged.
 *
 * @param projectDir - the project (its delivered-ids file)
 * @param file - the SWARM log
 * @param stack - the stack
 * @param destination - the Notion destination
 */
export async function countPending(
  projectDir: string,
  file: string,
  stack: string,
  destination: NotionDestination,
): Promise<number> {
  const events = await readSwarmEvents(file, stack);
  return pendingEvents(events, await readDelivered(deliveredFile(projectDir), destinationKey(destination)))
    .length;
}

/** How long {@link SwarmOutbox.finish} waits for aborted delivery to wind down (ms). */
const ABORT_GRACE_MS = 1000;

/** Whether `p` settles within `ms` (the timer does not keep the process alive). */
async function settled(p: Promise<unknown>, ms: number): Promise<"done" | "late"> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), ms);
    timer.unref();
  });
  const outcome = await Promise.race([p.then(() => "done" as const), late]);
  clearTimeout(timer);
  return outcome;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

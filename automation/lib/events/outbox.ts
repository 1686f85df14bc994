/**
 * The SWARM log as an outbox (pure: the caller reads the log, keeps the delivered ids and owns
 * the sink). The JSONL log is written first; a remote sink (Notion) receives its events later,
 * in log order, each once. Progress is the set of event ids a sink has acknowledged, not a
 * count of lines: a count would silently skip or repeat events if the log were ever rotated,
 * filtered differently (one file holds every stack's events) or a line were torn, while an id
 * stays the event's name wherever it sits. The sink is idempotent by id as well, so an event
 * whose acknowledgement was lost (sent, then a time-out) is sent again harmlessly.
 */
import type { SwarmEvent } from "./schema";
import type { SwarmSink } from "./sinks";

/**
 * The events not yet delivered, in log order. An id that appears twice counts once, at its
 * first line (the log keeps the first event of an id).
 *
 * @param events - the log's events, oldest first
 * @param delivered - ids the sink has acknowledged
 */
export function pendingEvents(events: readonly SwarmEvent[], delivered: ReadonlySet<string>): SwarmEvent[] {
  const seen = new Set<string>();
  const pending: SwarmEvent[] = [];
  for (const event of events) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    if (!delivered.has(event.id)) pending.push(event);
  }
  return pending;
}

/** What {@link deliverPending} did. */
export interface Delivery {
  /** The events the sink acknowledged, in the order sent. */
  delivered: SwarmEvent[];
  /** The events still pending afterwards (the failed one first), in log order. */
  pending: SwarmEvent[];
  /** The first failure (of the sink, or of `onDelivered`); delivery stopped there. */
  error?: unknown;
}

/** Options of {@link deliverPending}. */
export interface DeliverOptions {
  /**
   * Called after each acknowledged event, before the next is sent, to persist progress (append
   * its id to the delivered-ids file). A failure stops delivery like a sink failure does; the
   * event counts as delivered (the sink has it) and is sent again next time if its id was not
   * kept. @default - nothing
   */
  onDelivered?: (event: SwarmEvent) => Promise<void> | void;
}

/**
 * Sends the pending events to the sink one at a time, in log order, and stops at the first
 * failure (later events wait, so the sink never sees them out of order). It never throws: the
 * failure is returned, for the caller to report without failing the command it serves.
 *
 * @param events - the log's events, oldest first
 * @param delivered - ids the sink has acknowledged
 * @param sink - the destination
 * @param opts - progress hook
 */
export async function deliverPending(
  events: readonly SwarmEvent[],
  delivered: ReadonlySet<string>,
  sink: Pick<SwarmSink, "send">,
  opts: DeliverOptions = {},
): Promise<Delivery> {
  const pending = pendingEvents(events, delivered);
  const done: SwarmEvent[] = [];
  for (const [i, event] of pending.entries()) {
    try {
      await sink.send(event);
    } catch (error) {
      return { delivered: done, pending: pending.slice(i), error };
    }
    done.push(event);
    try {
      await opts.onDelivered?.(event);
    } catch (error) {
      return { delivered: done, pending: pending.slice(i + 1), error };
    }
  }
  return { delivered: done, pending: [] };
}

import fc from "fast-check";
import { expect, test } from "vitest";
import { deliverPending, pendingEvents } from "../../automation/lib/events/outbox";
import type { SwarmEvent } from "../../automation/lib/events/schema";

const event = (id: string, phase = "canary:5"): SwarmEvent => ({
  id,
  ts: "2026-12-01T10:00:00.000Z",
  stack: "staging",
  phase,
});
const ids = (events: readonly SwarmEvent[]) => events.map((e) => e.id);

test("pending: the undelivered events in log order; a repeated id counts once, at its first line", () => {
  const log = [event("a"), event("b"), event("c"), event("b", "canary:25"), event("d")];
  expect(ids(pendingEvents(log, new Set()))).toEqual(["a", "b", "c", "d"]);
  expect(pendingEvents(log, new Set()).find((e) => e.id === "b")?.phase).toBe("canary:5");
  expect(ids(pendingEvents(log, new Set(["a", "c"])))).toEqual(["b", "d"]);
  expect(ids(pendingEvents(log, new Set(["a", "b", "c", "d", "gone"])))).toEqual([]);
});

test("deliverPending sends in order, stops at the first failure and returns it; the next call resumes there", async () => {
  const sent: string[] = [];
  let failOn: string | undefined = "c";
  const sink = {
    async send(e: SwarmEvent) {
      if (e.id === failOn) throw new Error(`notion down at ${e.id}`);
      sent.push(e.id);
    },
  };
  const log = [event("a"), event("b"), event("c"), event("d")];
  const delivered = new Set<string>();
  const kept: string[] = [];
  const first = await deliverPending(log, delivered, sink, { onDelivered: (e) => void kept.push(e.id) });
  expect(ids(first.delivered)).toEqual(["a", "b"]);
  expect(ids(first.pending)).toEqual(["c", "d"]);
  expect((first.error as Error).message).toBe("notion down at c");
  expect(kept).toEqual(["a", "b"]);
  for (const e of first.delivered) delivered.add(e.id);
  failOn = undefined;
  const second = await deliverPending(log, delivered, sink);
  expect(ids(second.delivered)).toEqual(["c", "d"]);
  expect(second).not.toHaveProperty("error");
  expect(second.pending).toEqual([]);
  expect(sent).toEqual(["a", "b", "c", "d"]);
});

test("a failure to persist progress stops delivery too; the event stays counted as delivered", async () => {
  const sent: string[] = [];
  const out = await deliverPending(
    [event("a"), event("b")],
    new Set(),
    { send: async (e) => void sent.push(e.id) },
    {
      onDelivered: () => {
        throw new Error("disk full");
      },
    },
  );
  expect(ids(out.delivered)).toEqual(["a"]);
  expect(ids(out.pending)).toEqual(["b"]);
  expect((out.error as Error).message).toBe("disk full");
  expect(sent).toEqual(["a"]);
});

/** What one send attempt does: succeed, fail before the sink keeps it, or keep it and then fail (a lost ack). */
type Attempt = "ok" | "fail" | "lost-ack";

test("property: under any interleaving of failures and appends, every event reaches the sink exactly once, in log order", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.constantFrom<Attempt>("ok", "fail", "lost-ack"), { maxLength: 60 }),
      async (batches, attempts) => {
        // The log grows in batches between deliveries; the caller persists the ids each call delivered.
        const log: SwarmEvent[] = [];
        const delivered = new Set<string>();
        const stored: string[] = [];
        const sentOk: string[] = [];
        let attempt = 0;
        // An idempotent sink (as the Notion sink is, by event id).
        const sink = {
          async send(e: SwarmEvent) {
            const what = attempts[attempt++] ?? "ok";
            if (what === "fail") throw new Error("down");
            if (!stored.includes(e.id)) stored.push(e.id);
            if (what === "lost-ack") throw new Error("timed out");
            sentOk.push(e.id);
          },
        };
        let n = 0;
        const run = async () => {
          const out = await deliverPending(log, delivered, sink, {
            onDelivered: (e) => void delivered.add(e.id),
          });
          // Nothing acknowledged is pending, and the pending ones are the log's tail.
          expect(ids(out.pending)).toEqual(ids(pendingEvents(log, delivered)));
          return out;
        };
        for (const size of batches) {
          for (let i = 0; i < size; i++) log.push(event(`e${n++}`));
          await run();
        }
        // Keep running (as later commands would) until the outbox is empty.
        for (let guard = 0; pendingEvents(log, delivered).length > 0; guard++) {
          expect(guard).toBeLessThan(attempts.length + log.length + 1);
          await run();
        }
        expect(stored).toEqual(ids(log));
        expect(sentOk).toEqual(ids(log));
        expect([...delivered]).toEqual(ids(log));
      },
    ),
    { numRuns: 300 },
  );
});

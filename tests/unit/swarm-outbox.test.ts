import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { deliveredFile } from "../../automation/lib/events/delivered";
import { countPending, outboxSwarmSink } from "../../automation/lib/events/outbox-sink";
import type { SwarmEvent } from "../../automation/lib/events/schema";
import type { SwarmSink } from "../../automation/lib/events/sinks";
import { readSwarmEvents } from "../../automation/lib/events/sinks";
import { type NotionDestination, swarmDestination } from "../../automation/lib/events/swarm-destination";
import { parseStackConfig, type StackConfig } from "../../infra/config";

const DB = "5f0c2a9e-1111-4111-8111-0000000000a1";
const TOKEN = "secret_swarm_0123456789abcdef";

function config(content?: unknown): StackConfig {
  const r = parseStackConfig({
    "glidepath:environment": "staging",
    "glidepath:apps": JSON.stringify({ wix: { target: "local" } }),
    ...(content === undefined ? {} : { "glidepath:content": JSON.stringify(content) }),
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

describe("swarmDestination", () => {
  test("a stack whose config names no SWARM database keeps the JSONL log only, whatever is exported", () => {
    expect(swarmDestination(config(), { SWARM_DB_ID: DB, SWARM_NOTION_TOKEN: TOKEN })).toEqual({
      destination: { kind: "jsonl" },
      issues: [],
    });
  });

  test("the stack's database, the exported token, and GLIDEPATH_NOTION_API_URL over the config's URL", () => {
    const cfg = config({ notion: { swarmDatabaseId: DB, apiUrl: "https://notion.config.example" } });
    expect(swarmDestination(cfg, { SWARM_NOTION_TOKEN: TOKEN })).toEqual({
      destination: { kind: "notion", databaseId: DB, baseUrl: "https://notion.config.example", token: TOKEN },
      issues: [],
    });
    expect(
      swarmDestination(cfg, { SWARM_NOTION_TOKEN: TOKEN, GLIDEPATH_NOTION_API_URL: "http://127.0.0.1:9" })
        .destination,
    ).toMatchObject({ baseUrl: "http://127.0.0.1:9" });
  });

  test("credentials issued for another stack's database are refused, naming both databases", () => {
    const cfg = config({ notion: { swarmDatabaseId: DB } });
    const { issues } = swarmDestination(cfg, { SWARM_NOTION_TOKEN: TOKEN, SWARM_DB_ID: "other-db" });
    expect(issues).toEqual([
      { code: "GP_CREDENTIAL_SCOPE", message: expect.stringMatching(/SWARM_DB_ID=other-db.*is 5f0c2a9e/) },
    ]);
  });

  test("a missing token is named with how to set it", () => {
    const { destination, issues } = swarmDestination(config({ notion: { swarmDatabaseId: DB } }), {});
    expect(destination).toMatchObject({ kind: "notion", databaseId: DB });
    expect(destination).not.toHaveProperty("token");
    expect(issues).toEqual([
      { code: "GP_SECRETS_MISSING", message: expect.stringContaining("SWARM_NOTION_TOKEN") },
    ]);
  });
});

/** A remote sink that records what it received and can be made to fail or hang. */
function remoteSink() {
  const received: string[] = [];
  let mode: "ok" | "fail" | "hang" = "ok";
  let calls = 0;
  const sink: Pick<SwarmSink, "send" | "describe"> & {
    received: string[];
    set(m: typeof mode): void;
    calls(): number;
  } = {
    received,
    set: (m) => {
      mode = m;
    },
    calls: () => calls,
    describe: () => "remote",
    async send(event) {
      calls++;
      if (mode === "fail") throw new Error("503 service_unavailable");
      if (mode === "hang") await new Promise(() => {});
      received.push(event.id);
    },
  };
  return sink;
}

const event = (id: string, stack = "staging"): SwarmEvent => ({
  id,
  ts: "2026-12-01T10:00:00.000Z",
  stack,
  phase: "canary:5",
  weight: 5,
  verdict: "pass",
});

describe("the outbox", () => {
  let dir: string;
  let file: string;
  const destination: NotionDestination & { token: string } = {
    kind: "notion",
    databaseId: DB,
    baseUrl: "http://127.0.0.1:9",
    token: TOKEN,
  };
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-outbox-"));
    file = path.join(dir, "artifacts", "swarm-events.jsonl");
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  const open = (remote: ReturnType<typeof remoteSink>, warnings: string[] = [], finishTimeoutMs = 2000) =>
    outboxSwarmSink({
      projectDir: dir,
      file,
      stack: "staging",
      destination,
      remote,
      warn: (l) => warnings.push(l),
      finishTimeoutMs,
    });

  test("each event is on disk first, then delivered in log order, once; other stacks' events are not sent", async () => {
    const remote = remoteSink();
    const box = open(remote);
    await box.send(event("e1"));
    await box.send(event("other", "production"));
    await box.send(event("e2"));
    await box.send(event("e1"));
    await box.finish();
    expect((await readSwarmEvents(file, "staging")).map((e) => e.id)).toEqual(["e1", "e2"]);
    expect(remote.received).toEqual(["e1", "e2"]);
    expect(await countPending(dir, file, "staging", destination)).toBe(0);
    const ledger = (await fs.readFile(deliveredFile(dir), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(ledger.map((l) => [l.id, l.to])).toEqual([
      ["e1", `notion:${DB}`],
      ["e2", `notion:${DB}`],
    ]);
  });

  test("a failing destination never fails a send: one warning, no further attempts, the events stay pending", async () => {
    const remote = remoteSink();
    remote.set("fail");
    const warnings: string[] = [];
    const box = open(remote, warnings);
    for (const id of ["e1", "e2", "e3"]) await box.send(event(id));
    await box.finish();
    expect((await readSwarmEvents(file, "staging")).map((e) => e.id)).toEqual(["e1", "e2", "e3"]);
    expect(remote.received).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not delivered to remote .*503 service_unavailable.*glidepath events flush/);
    // The first attempt failed and delivery stopped: later sends did not retry it.
    expect(remote.calls()).toBeLessThanOrEqual(2);
    expect(await box.pendingCount()).toBe(3);
  });

  test("the next command delivers what the last one could not, in order, each once; flush reports what it did", async () => {
    const remote = remoteSink();
    remote.set("fail");
    const first = open(remote);
    for (const id of ["e1", "e2"]) await first.send(event(id));
    await first.finish();
    remote.set("ok");
    const next = open(remote);
    await next.send(event("e3"));
    const r = await next.flush();
    await next.finish();
    expect(remote.received).toEqual(["e1", "e2", "e3"]);
    expect(r).toEqual({ delivered: 3, pending: 0 });
    const again = open(remote);
    expect(await again.flush()).toEqual({ delivered: 0, pending: 0 });
    await again.finish();
    expect(remote.received).toEqual(["e1", "e2", "e3"]);
  });

  test("flush retries after a failure earlier in the same command, and reports the error when it fails again", async () => {
    const remote = remoteSink();
    remote.set("fail");
    const box = open(remote);
    await box.send(event("e1"));
    const failed = await box.flush();
    expect(failed).toMatchObject({ delivered: 0, pending: 1 });
    expect(String(failed.error)).toContain("503");
    remote.set("ok");
    expect(await box.flush()).toEqual({ delivered: 1, pending: 0 });
    await box.finish();
  });

  test("finish gives a hanging destination a bounded wait, then stops; the event stays pending", async () => {
    const remote = remoteSink();
    remote.set("hang");
    const warnings: string[] = [];
    const box = open(remote, warnings, 50);
    await box.send(event("e1"));
    // A remote that ignores the abort never settles; finish must not wait on it for ever.
    const outcome = await Promise.race([
      box.finish().then(() => "finished"),
      new Promise((r) => setTimeout(() => r("stuck"), 5000)),
    ]);
    expect(outcome).toBe("finished");
    expect(warnings.some((w) => w.includes("did not finish in time"))).toBe(true);
    expect(await countPending(dir, file, "staging", destination)).toBe(1);
  });
});

import { afterEach, beforeEach, expect, test } from "vitest";
import { isGlidepathError } from "../../automation/lib/errors";
import { SWARM_NOTION_PROPERTIES } from "../../automation/lib/events/notion-row";
import { type NotionSinkOptions, notionSwarmSink } from "../../automation/lib/events/notion-sink";
import type { SwarmEvent } from "../../automation/lib/events/schema";
import { type NotionFake, type NotionPropertyType, startNotionFake } from "../fakes/notion-fake";
import { rejectionOf } from "../helpers/rejection";

const TOKEN = "secret_swarm_0123456789abcdef";
const DB = "5f0c2a9e-1111-4111-8111-0000000000a1";
const OTHER_DB = "5f0c2a9e-2222-4222-8222-0000000000b2";

const SCHEMA: Record<string, NotionPropertyType> = {
  Name: "title",
  ...Object.fromEntries(Object.values(SWARM_NOTION_PROPERTIES).map((p) => [p.name, p.type])),
};

let fake: NotionFake;
beforeEach(async () => {
  fake = await startNotionFake({
    tokens: { [TOKEN]: { scope: "swarm", databaseIds: [DB] } },
    databases: [
      { id: DB, title: "SWARM", properties: SCHEMA },
      { id: OTHER_DB, properties: { Name: "title" } },
    ],
  });
});
afterEach(() => fake.close());

const sink = (over: Partial<NotionSinkOptions> = {}) =>
  notionSwarmSink({ token: TOKEN, databaseId: DB, baseUrl: fake.url, environment: "staging", ...over });

const event = (id: string, over: Partial<SwarmEvent> = {}): SwarmEvent => ({
  id,
  ts: "2026-12-01T10:00:00.000Z",
  stack: "staging",
  phase: "canary:5",
  rampId: "v2@2026-12-01T09:59:00.000Z",
  version: "v2",
  apps: ["wix", "gamma"],
  weight: 5,
  verdict: "pass",
  update: "glidepath canary 5% v2",
  slo: {
    wix: {
      count: 12,
      misses: 0,
      minScore: 0.995,
      lastScore: 0.998,
      requests: 1200,
      good: 1199,
      traffic: "counted",
    },
    gamma: { count: 12, misses: 1, minScore: 0.991, lastScore: 0.997 },
  },
  ...over,
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  const e = await rejectionOf(p);
  expect(e).toBeInstanceOf(Error);
  return e as Error;
}

test("each event becomes one row with typed properties; the data source is resolved once", async () => {
  const s = sink();
  await s.send(event("e1"));
  await s.send(event("e2", { phase: "canary:25", weight: 25 }));
  await s.send(
    event("e3", {
      phase: "rollback:triggered",
      weight: 0,
      verdict: "fail",
      reason: "gate failed: wix",
      slo: {},
    }),
  );
  const rows = fake.pages(DB).map((p) => fake.plain(p));
  expect(rows).toHaveLength(3);
  expect(rows[0]).toEqual({
    Name: "canary:5",
    "Event ID": "e1",
    Phase: "canary:5",
    Stack: "staging",
    Environment: "staging",
    Version: "v2",
    Ramp: "v2@2026-12-01T09:59:00.000Z",
    Apps: ["wix", "gamma"],
    Weight: 5,
    Verdict: "pass",
    Reason: "",
    Update: "glidepath canary 5% v2",
    "Min score": 0.991,
    "Last score": 0.997,
    Samples: 24,
    Misses: 1,
    Requests: 1200,
    "Good requests": 1199,
    SLO: expect.stringMatching(/^wix: 12 samples, 0 misses, min 0\.995.*; gamma: 12 samples, 1 misses/),
    Time: "2026-12-01T10:00:00.000Z",
  });
  expect(rows[2]).toMatchObject({
    Name: "rollback:triggered",
    Verdict: "fail",
    Reason: "gate failed: wix",
    Samples: null,
  });
  expect(fake.requests.filter((r) => r.path.startsWith("/v1/databases/"))).toHaveLength(1);
  expect(
    fake.requests.filter((r) => r.method === "GET" && r.path.startsWith("/v1/data_sources/")),
  ).toHaveLength(1);
  expect(fake.writes.every((w) => w.applied && w.credentialScope === "swarm")).toBe(true);
});

test("re-sending an id writes nothing; a changed event updates its row, not a second one", async () => {
  const s = sink();
  expect(await s.write(event("e1"))).toBe("created");
  expect(await s.write(event("e1"))).toBe("unchanged");
  expect(
    await notionSwarmSink({ token: TOKEN, databaseId: DB, baseUrl: fake.url, environment: "staging" }).write(
      event("e1"),
    ),
  ).toBe("unchanged");
  expect(fake.writes).toHaveLength(1);
  expect(await s.write(event("e1", { verdict: "fail", reason: "late sample" }))).toBe("updated");
  expect(fake.pages(DB)).toHaveLength(1);
  expect(fake.plain(fake.pages(DB)[0] as never)).toMatchObject({ Verdict: "fail", Reason: "late sample" });
  expect(fake.writes.map((w) => w.method)).toEqual(["POST", "PATCH"]);
});

test("concurrent sends are serialized: the same id sent many times at once gives one row", async () => {
  const s = sink();
  await Promise.all([1, 2, 3, 4, 5].map(() => s.send(event("same"))));
  expect(fake.pages(DB)).toHaveLength(1);
  expect(fake.writes).toHaveLength(1);
});

test("a bad token fails with a clear error that does not carry the token", async () => {
  const badToken = "secret_wrong_fedcba9876543210";
  const e = await rejection(sink({ token: badToken }).send(event("e1")));
  expect(isGlidepathError(e)).toBe(true);
  expect(e.message).toContain("401 unauthorized");
  expect(e.message).toContain("SWARM_NOTION_TOKEN");
  const everything = JSON.stringify({
    message: e.message,
    stack: e.stack,
    e,
    remedy: (e as { remedy?: string }).remedy,
  });
  expect(everything).not.toContain(badToken);
  expect(everything).not.toContain(TOKEN);
  expect(fake.pages(DB)).toHaveLength(0);
});

test("a database not shared with the integration, or a schema that does not fit, is refused before any write", async () => {
  const unshared = await rejection(sink({ databaseId: OTHER_DB }).send(event("e1")));
  expect(unshared.message).toContain("404 object_not_found");
  expect((unshared as { code?: string }).code).toBe("GP_CREDENTIAL_SCOPE");
  const { Misses: _dropped, ...rest } = SCHEMA;
  const misfit = await startNotionFake({
    tokens: { [TOKEN]: { scope: "swarm", databaseIds: [DB] } },
    databases: [{ id: DB, properties: { ...rest, Weight: "rich_text" } }],
  });
  try {
    const e = await rejection(
      notionSwarmSink({ token: TOKEN, databaseId: DB, baseUrl: misfit.url }).send(event("e1")),
    );
    expect((e as { code?: string }).code).toBe("GP_CONFIG_INVALID");
    expect(e.message).toContain(`"Weight" is rich_text, expected number; "Misses" (number) is missing`);
    expect(misfit.writes).toHaveLength(0);
  } finally {
    await misfit.close();
  }
});

test("a 429 storm is ridden out by the client's retries (Retry-After honoured), and the row is written once", async () => {
  fake.fault({ path: "/v1/", fault: { kind: "throttle", retryAfterSeconds: 0 }, times: 4 });
  await sink().send(event("e1"));
  expect(fake.requests.filter((r) => r.fault === "throttle")).toHaveLength(4);
  fake.fault({
    method: "POST",
    path: "/v1/pages",
    fault: { kind: "throttle", retryAfterSeconds: 0 },
    times: 5,
  });
  await sink().send(event("e2"));
  expect(fake.pages(DB).map((p) => fake.plain(p)["Event ID"])).toEqual(["e1", "e2"]);
});

test("an outage fails the send as unreachable; the next send after it succeeds", async () => {
  const s = sink({ retry: { maxRetries: 0 } });
  fake.fault({ path: "/v1/", fault: { kind: "fail", status: 503 }, times: 1 });
  const e = await rejection(s.send(event("e1")));
  expect((e as { code?: string }).code).toBe("GP_TARGET_UNREACHABLE");
  expect(e.message).toContain("503 service_unavailable");
  await s.send(event("e1"));
  expect(fake.pages(DB)).toHaveLength(1);
});

test("the client's log lines never carry the token", async () => {
  const lines: string[] = [];
  const logger = (level: unknown, message: string, extra: unknown) => {
    lines.push(JSON.stringify({ level, message, extra }));
  };
  fake.fault({
    method: "POST",
    path: "/v1/pages",
    fault: { kind: "throttle", retryAfterSeconds: 0 },
    times: 1,
  });
  await sink({ logger, token: TOKEN }).send(event("e1"));
  await rejection(sink({ logger, token: "secret_wrong_0000" }).send(event("e2")));
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.join("\n")).not.toContain(TOKEN);
  expect(lines.join("\n")).not.toContain("secret_wrong_0000");
});

test("a request that never answers, or a Notion that is not listening, is unreachable, not a hang", async () => {
  fake.fault({ path: "/v1/", fault: { kind: "hang" }, times: 1 });
  const hung = await rejection(sink({ timeoutMs: 100, retry: { maxRetries: 0 } }).send(event("e1")));
  expect((hung as { code?: string }).code).toBe("GP_TARGET_UNREACHABLE");
  expect(hung.message).toContain("notionhq_client_request_timeout");
  const gone = await startNotionFake({ tokens: {}, databases: [] });
  const url = gone.url;
  await gone.close();
  const refused = await rejection(sink({ baseUrl: url, retry: { maxRetries: 0 } }).send(event("e1")));
  expect((refused as { code?: string }).code).toBe("GP_TARGET_UNREACHABLE");
  expect(refused.message).toContain("ECONNREFUSED");
});

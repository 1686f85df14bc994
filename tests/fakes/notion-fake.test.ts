import { APIErrorCode, APIResponseError, Client, collectPaginatedAPI } from "@notionhq/client";
import { afterEach, beforeEach, expect, test } from "vitest";
import { rejectionOf } from "../helpers/rejection";
import { type NotionFake, startNotionFake } from "./notion-fake";

const TOKEN = "secret_swarm_token";
const DB = "11111111-1111-4111-8111-111111111111";
const OTHER_DB = "22222222-2222-4222-8222-222222222222";

let fake: NotionFake;

beforeEach(async () => {
  fake = await startNotionFake({
    tokens: {
      [TOKEN]: { scope: "swarm-integration", databaseIds: [DB] },
      other_token: { scope: "other-integration", databaseIds: [OTHER_DB] },
    },
    databases: [
      {
        id: DB,
        title: "SWARM",
        properties: {
          Name: "title",
          Key: "rich_text",
          Weight: "number",
          Stage: "select",
          Tags: "multi_select",
          When: "date",
          Done: "checkbox",
        },
      },
      { id: OTHER_DB, properties: { Name: "title" } },
    ],
  });
});
afterEach(() => fake.close());

/** The real client against the fake; retries wait what `Retry-After` says. */
const client = (auth = TOKEN, retry?: { maxRetries: number; initialRetryDelayMs?: number }) =>
  new Client({ auth, baseUrl: fake.url, logger: () => {}, ...(retry ? { retry } : {}) });

const row = (key: string, weight: number, extra: Record<string, unknown> = {}) => ({
  parent: { type: "data_source_id" as const, data_source_id: fake.dataSourceId(DB) },
  properties: {
    Name: { title: [{ text: { content: `row ${key}` } }] },
    Key: { rich_text: [{ text: { content: key } }] },
    Weight: { number: weight },
    ...extra,
  },
});

async function failure(p: Promise<unknown>): Promise<APIResponseError> {
  const e = await rejectionOf(p);
  expect(e).toBeInstanceOf(APIResponseError);
  return e as APIResponseError;
}

test("Notion-Version is required (400 missing_version) and errors are the full JSON error object", async () => {
  const res = await fetch(`${fake.url}/v1/databases/${DB}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({
    object: "error",
    status: 400,
    code: "missing_version",
    message: expect.stringContaining("Notion-Version"),
    request_id: expect.any(String),
  });
});

test("a missing or unknown token is 401 unauthorized, through the client's error type", async () => {
  const none = await fetch(`${fake.url}/v1/databases/${DB}`, { headers: { "notion-version": "2025-09-03" } });
  expect(none.status).toBe(401);
  expect(await none.json()).toMatchObject({ object: "error", status: 401, code: "unauthorized" });
  const e = await failure(client("not-a-token").databases.retrieve({ database_id: DB }));
  expect(e.code).toBe(APIErrorCode.Unauthorized);
  expect(e.status).toBe(401);
  expect(e.message).not.toContain("not-a-token");
});

test("databases.retrieve lists its data source; a database not shared with the token, or unknown, is 404 object_not_found", async () => {
  const db = await client().databases.retrieve({ database_id: DB });
  expect(db).toMatchObject({
    object: "database",
    id: DB,
    data_sources: [{ id: fake.dataSourceId(DB), name: "SWARM" }],
  });
  const ds = await client().dataSources.retrieve({ data_source_id: fake.dataSourceId(DB) });
  expect(ds.object).toBe("data_source");
  expect((ds as { properties: Record<string, { type: string }> }).properties.Weight?.type).toBe("number");
  for (const call of [
    () => client().databases.retrieve({ database_id: OTHER_DB }),
    () => client().dataSources.query({ data_source_id: fake.dataSourceId(OTHER_DB) }),
    () => client().databases.retrieve({ database_id: "33333333-3333-4333-8333-333333333333" }),
    () => client("other_token").pages.create(row("x", 1)),
  ]) {
    const e = await failure(call());
    expect([e.status, e.code]).toEqual([404, APIErrorCode.ObjectNotFound]);
  }
});

test("pages.create with a data_source_id parent returns the whole page; every write is logged with the token's scope, never the token", async () => {
  const when = { date: { start: "2026-12-01T10:00:00.000Z" } };
  const page = await client().pages.create(
    row("k1", 5, {
      Stage: { select: { name: "canary" } },
      Tags: { multi_select: [{ name: "wix" }] },
      When: when,
    }),
  );
  expect(page).toMatchObject({
    object: "page",
    parent: { type: "data_source_id", data_source_id: fake.dataSourceId(DB), database_id: DB },
    in_trash: false,
    properties: {
      Name: {
        type: "title",
        title: [{ type: "text", plain_text: "row k1", text: { content: "row k1", link: null } }],
      },
      Weight: { type: "number", number: 5 },
      Stage: { type: "select", select: { name: "canary", id: expect.any(String) } },
      Tags: { type: "multi_select", multi_select: [{ name: "wix" }] },
      When: { type: "date", date: { start: "2026-12-01T10:00:00.000Z", end: null, time_zone: null } },
      Done: { type: "checkbox", checkbox: false },
    },
  });
  expect(page).toHaveProperty("created_time");
  expect(page).toHaveProperty("last_edited_time");
  await failure(client("other_token").pages.create(row("k2", 1)));
  expect(fake.writes).toEqual([
    {
      method: "POST",
      path: "/v1/pages",
      credentialScope: "swarm-integration",
      targetScope: `${DB}/${fake.dataSourceId(DB)}`,
      applied: true,
    },
    {
      method: "POST",
      path: "/v1/pages",
      credentialScope: "other-integration",
      targetScope: "",
      applied: false,
    },
  ]);
  expect(JSON.stringify(fake.writes)).not.toContain(TOKEN);
});

test("a property that does not fit the data source's schema is 400 validation_error, and nothing is written", async () => {
  const cases = [
    row("k", 1, { Colour: { rich_text: [] } }),
    row("k", 1, { Weight: { rich_text: [{ text: { content: "ten" } }] } }),
    row("k", 1, { Key: { rich_text: [{ text: { content: "x".repeat(2001) } }] } }),
    row("k", 1, { Stage: { select: { name: "a,b" } } }),
  ];
  const messages: string[] = [];
  for (const body of cases) {
    const e = await failure(client().pages.create(body));
    expect([e.status, e.code]).toEqual([400, APIErrorCode.ValidationError]);
    messages.push(e.message);
  }
  expect(messages[0]).toBe("Colour is not a property that exists.");
  expect(messages[1]).toContain("Weight is expected to be number");
  expect(messages[2]).toContain(
    "body failed validation: body.properties.Key.rich_text[0].text.content.length",
  );
  expect(fake.pages(DB)).toHaveLength(0);
  expect(fake.writes.map((w) => w.applied)).toEqual([false, false, false, false]);
});

test("dataSources.query filters on rich_text and title equality and pages with opaque cursors", async () => {
  const notion = client();
  for (let i = 0; i < 5; i++) await notion.pages.create(row(`k${i}`, i * 10));
  const ds = fake.dataSourceId(DB);
  const one = await notion.dataSources.query({
    data_source_id: ds,
    filter: { property: "Key", rich_text: { equals: "k3" } },
  });
  expect(one.results).toHaveLength(1);
  expect(one).toMatchObject({ object: "list", has_more: false, next_cursor: null });
  const byTitle = await notion.dataSources.query({
    data_source_id: ds,
    filter: { property: "Name", title: { equals: "row k1" } },
  });
  expect(byTitle.results.map((p) => fake.plain(p as never).Key)).toEqual(["k1"]);

  const first = await notion.dataSources.query({ data_source_id: ds, page_size: 2 });
  expect(first.results).toHaveLength(2);
  expect(first.has_more).toBe(true);
  expect(first.next_cursor).toMatch(/^[0-9a-f-]{36}$/);
  const all = await collectPaginatedAPI(notion.dataSources.query, { data_source_id: ds, page_size: 2 });
  expect(all.map((p) => fake.plain(p as never).Key)).toEqual(["k0", "k1", "k2", "k3", "k4"]);
  const pageRequests = fake.requests.filter((r) => r.path === `/v1/data_sources/${ds}/query`);
  expect(pageRequests.length).toBeGreaterThanOrEqual(1 + 1 + 1 + 3);

  const bad = await failure(notion.dataSources.query({ data_source_id: ds, start_cursor: "forged" }));
  expect(bad.code).toBe(APIErrorCode.ValidationError);
  const big = await failure(notion.dataSources.query({ data_source_id: ds, page_size: 101 }));
  expect(big.code).toBe(APIErrorCode.ValidationError);
  const unknown = await failure(
    notion.dataSources.query({
      data_source_id: ds,
      filter: { property: "Nope", rich_text: { equals: "x" } },
    }),
  );
  expect(unknown.message).toBe("Could not find property with name or id: Nope");
});

test("number, select and date filters, and/or, and sorts", async () => {
  const notion = client();
  for (const [k, w, stage, day] of [
    ["a", 5, "canary", "2026-11-01"],
    ["b", 50, "canary", "2026-11-15"],
    ["c", 100, "stable", "2026-12-01"],
  ] as const)
    await notion.pages.create(
      row(k, w, { Stage: { select: { name: stage } }, When: { date: { start: day } } }),
    );
  const ds = fake.dataSourceId(DB);
  const keys = async (args: Omit<Parameters<typeof notion.dataSources.query>[0], "data_source_id">) =>
    (await notion.dataSources.query({ data_source_id: ds, ...args })).results.map(
      (p) => fake.plain(p as never).Key,
    );
  expect(
    await keys({
      filter: {
        and: [
          { property: "Stage", select: { equals: "canary" } },
          { property: "Weight", number: { greater_than_or_equal_to: 10 } },
        ],
      },
    }),
  ).toEqual(["b"]);
  expect(
    await keys({
      filter: {
        or: [
          { property: "When", date: { on_or_after: "2026-12-01" } },
          { property: "When", date: { before: "2026-11-02" } },
        ],
      },
    }),
  ).toEqual(["a", "c"]);
  expect(await keys({ sorts: [{ property: "Weight", direction: "descending" }] })).toEqual(["c", "b", "a"]);
});

test("pages.update merges properties; a trashed page leaves queries, cannot be edited, and comes back when restored", async () => {
  const notion = client();
  const page = await notion.pages.create(row("k", 5));
  const updated = await notion.pages.update({ page_id: page.id, properties: { Weight: { number: 25 } } });
  expect(fake.plain(updated as never)).toMatchObject({ Key: "k", Weight: 25, Name: "row k" });
  const ds = fake.dataSourceId(DB);
  await notion.pages.update({ page_id: page.id, in_trash: true });
  expect((await notion.dataSources.query({ data_source_id: ds })).results).toHaveLength(0);
  const trashed = await notion.dataSources.query({ data_source_id: ds, in_trash: true });
  expect(trashed.results.map((p) => p.id)).toEqual([page.id]);
  expect(trashed.results[0]).toMatchObject({ in_trash: true, archived: true });
  const e = await failure(notion.pages.update({ page_id: page.id, properties: { Weight: { number: 1 } } }));
  expect(e.code).toBe(APIErrorCode.ValidationError);
  await notion.pages.update({ page_id: page.id, in_trash: false });
  expect((await notion.dataSources.query({ data_source_id: ds })).results).toHaveLength(1);
  expect(fake.writes.filter((w) => w.method === "PATCH").map((w) => w.applied)).toEqual([
    true,
    true,
    false,
    true,
  ]);
});

test("a 429 with Retry-After is retried by the real client; past its retries the error is rate_limited", async () => {
  const raw = await startNotionFake({ tokens: {}, databases: [] });
  raw.fault({ path: "/v1/", fault: { kind: "throttle", retryAfterSeconds: 0 } });
  const res = await fetch(`${raw.url}/v1/databases/x`);
  expect(res.status).toBe(429);
  expect(res.headers.get("retry-after")).toBe("0");
  expect(await res.json()).toMatchObject({ object: "error", status: 429, code: "rate_limited" });
  await raw.close();

  fake.fault({
    method: "POST",
    path: "/v1/pages",
    fault: { kind: "throttle", retryAfterSeconds: 0 },
    times: 2,
  });
  await client().pages.create(row("k", 1));
  expect(fake.requests.map((r) => [r.status, r.fault])).toEqual([
    [429, "throttle"],
    [429, "throttle"],
    [200, undefined],
  ]);
  expect(fake.pages(DB)).toHaveLength(1);

  fake.fault({ method: "POST", path: "/v1/pages", fault: { kind: "throttle", retryAfterSeconds: 0 } });
  const e = await failure(client(TOKEN, { maxRetries: 3 }).pages.create(row("k2", 1)));
  expect([e.status, e.code]).toEqual([429, APIErrorCode.RateLimited]);
  expect(fake.requests.filter((r) => r.fault === "throttle")).toHaveLength(2 + 4);
  expect(fake.pages(DB)).toHaveLength(1);
});

test("a 503 is retried for a GET but not for a POST (the client's rule)", async () => {
  fake.fault({ path: "/v1/", fault: { kind: "fail", status: 503 }, times: 1 });
  await client(TOKEN, { maxRetries: 2, initialRetryDelayMs: 1 }).databases.retrieve({ database_id: DB });
  expect(fake.requests.map((r) => r.status)).toEqual([503, 200]);
  fake.fault({ path: "/v1/", fault: { kind: "fail", status: 503 }, times: 1 });
  const e = await failure(client().pages.create(row("k", 1)));
  expect([e.status, e.code]).toEqual([503, APIErrorCode.ServiceUnavailable]);
  expect(fake.pages(DB)).toHaveLength(0);
});

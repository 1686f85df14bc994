import { afterEach, beforeEach, expect, test } from "vitest";
import { syncClient } from "../../automation/lib/content/sync-client";
import { signedHeaders } from "../../automation/lib/content/sync-signature";
import { GlidepathError } from "../../automation/lib/errors";
import { startWixFake, type WixFake } from "./wix-fake";

let fake: WixFake;
const KEY = "key-site-a";

beforeEach(async () => {
  fake = await startWixFake({
    keys: { [KEY]: { scope: "site-a-key", siteIds: ["site-a"] }, other: { scope: "b", siteIds: ["site-b"] } },
  });
});
afterEach(() => fake.close());

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: KEY, "wix-site-id": "site-a" },
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const code = (json: Record<string, unknown>) =>
  (json as { details?: { applicationError?: { code?: string } } }).details?.applicationError?.code;

test("401 without Authorization or with an unknown key, 403 for a site outside the key's scope; all logged as refused", async () => {
  const save = { dataCollectionId: "C", dataItem: { id: "a", data: { x: 1 } } };
  const none = await call("POST", "/wix-data/v2/items/save", save, { "wix-site-id": "site-a" });
  expect(none.status).toBe(401);
  expect(none.json).toMatchObject({
    message: expect.any(String),
    details: { applicationError: { code: "UNAUTHENTICATED" } },
  });
  expect(
    (await call("POST", "/wix-data/v2/items/save", save, { authorization: "nope", "wix-site-id": "site-a" }))
      .status,
  ).toBe(401);
  const wrong = await call("POST", "/wix-data/v2/items/save", save, {
    authorization: KEY,
    "wix-site-id": "site-b",
  });
  expect(wrong.status).toBe(403);
  expect(code(wrong.json)).toBe("PERMISSION_DENIED");
  expect((await call("POST", "/wix-data/v2/items/save", save, { authorization: KEY })).status).toBe(403);
  expect(fake.writes).toEqual([
    {
      method: "POST",
      path: "/wix-data/v2/items/save",
      credentialScope: "(none)",
      targetScope: "site-a/C",
      applied: false,
    },
    {
      method: "POST",
      path: "/wix-data/v2/items/save",
      credentialScope: "(unknown key)",
      targetScope: "site-a/C",
      applied: false,
    },
    {
      method: "POST",
      path: "/wix-data/v2/items/save",
      credentialScope: "site-a-key",
      targetScope: "site-b/C",
      applied: false,
    },
    {
      method: "POST",
      path: "/wix-data/v2/items/save",
      credentialScope: "site-a-key",
      targetScope: "/C",
      applied: false,
    },
  ]);
  expect(fake.items("site-a", "C")).toEqual([]);
  expect(fake.items("site-b", "C")).toEqual([]);
});

test("insert, get, save (INSERTED then UPDATED), remove; WDE0074 and WDE0073; dates as $date", async () => {
  const ins = await call("POST", "/wix-data/v2/items", {
    dataCollectionId: "C",
    dataItem: { id: "a", data: { x: 1 } },
  });
  expect(ins.status).toBe(200);
  expect(ins.json.dataItem).toMatchObject({
    id: "a",
    dataCollectionId: "C",
    data: {
      _id: "a",
      x: 1,
      _createdDate: { $date: expect.stringMatching(/^\d{4}-/) },
      _updatedDate: { $date: expect.any(String) },
    },
  });
  const again = await call("POST", "/wix-data/v2/items", {
    dataCollectionId: "C",
    dataItem: { id: "a", data: {} },
  });
  expect([again.status, code(again.json)]).toEqual([409, "WDE0074"]);
  const saved = await call("POST", "/wix-data/v2/items/save", {
    dataCollectionId: "C",
    dataItem: { id: "a", data: { x: 2 } },
  });
  expect(saved.json.action).toBe("UPDATED");
  const fresh = await call("POST", "/wix-data/v2/items/save", {
    dataCollectionId: "C",
    dataItem: { id: "b", data: { _id: "b" } },
  });
  expect(fresh.json.action).toBe("INSERTED");
  const got = await call("GET", "/wix-data/v2/items/a?dataCollectionId=C");
  expect((got.json.dataItem as { data: unknown }).data).toMatchObject({ _id: "a", x: 2 });
  expect((await call("DELETE", "/wix-data/v2/items/a?dataCollectionId=C")).status).toBe(200);
  const gone = await call("GET", "/wix-data/v2/items/a?dataCollectionId=C");
  expect([gone.status, code(gone.json)]).toEqual([404, "WDE0073"]);
  const gone2 = await call("DELETE", "/wix-data/v2/items/a?dataCollectionId=C");
  expect([gone2.status, code(gone2.json)]).toEqual([404, "WDE0073"]);
  expect(fake.writes.map((w) => [w.method, w.path, w.applied])).toEqual([
    ["POST", "/wix-data/v2/items", true],
    ["POST", "/wix-data/v2/items", false],
    ["POST", "/wix-data/v2/items/save", true],
    ["POST", "/wix-data/v2/items/save", true],
    ["DELETE", "/wix-data/v2/items/a", true],
    ["DELETE", "/wix-data/v2/items/a", false],
  ]);
  expect(fake.items("site-a", "C").map((d) => d._id)).toEqual(["b"]);
});

test("query: $eq, $in, bare value, sort, cursor paging where later pages carry only the cursor, offset paging", async () => {
  for (let i = 0; i < 7; i++)
    fake.editItem("site-a", "C", `i${i}`, { app: i % 2 === 0 ? "wix" : "gamma", n: i });
  const eq = await call("POST", "/wix-data/v2/items/query", {
    dataCollectionId: "C",
    query: {
      filter: { app: { $eq: "wix" } },
      sort: [{ fieldName: "n", order: "DESC" }],
      cursorPaging: { limit: 3 },
    },
  });
  const data = (j: Record<string, unknown>) =>
    (j.dataItems as { data: { n: number } }[]).map((d) => d.data.n);
  expect(data(eq.json)).toEqual([6, 4, 2]);
  const meta = eq.json.pagingMetadata as { count: number; cursors: { next: string | null } };
  expect(meta.count).toBe(3);
  expect(meta.cursors.next).toEqual(expect.any(String));
  const next = await call("POST", "/wix-data/v2/items/query", {
    query: { cursorPaging: { cursor: meta.cursors.next } },
  });
  expect(data(next.json)).toEqual([0]);
  expect(next.json.pagingMetadata).toMatchObject({ count: 1, cursors: { next: null }, hasNext: false });
  const bad = await call("POST", "/wix-data/v2/items/query", {
    query: { cursorPaging: { cursor: "made-up" } },
  });
  expect(bad.status).toBe(400);

  const inq = await call("POST", "/wix-data/v2/items/query", {
    dataCollectionId: "C",
    query: { filter: { n: { $in: [1, 5, 9] }, app: "gamma" }, paging: { limit: 1, offset: 1 } },
    returnTotalCount: true,
  });
  expect(data(inq.json)).toEqual([5]);
  expect(inq.json.pagingMetadata).toMatchObject({ count: 1, offset: 1, total: 2, hasNext: false });
  const tooMany = await call("POST", "/wix-data/v2/items/query", {
    dataCollectionId: "C",
    query: { paging: { limit: 1001 } },
  });
  expect(tooMany.status).toBe(400);
  expect(fake.writes).toEqual([]);
});

test("bulk save: per-item results and metadata; more than 1000 items is WDE0006 and applies nothing", async () => {
  fake.editItem("site-a", "C", "a", { x: 0 });
  const res = await call("POST", "/wix-data/v2/bulk/items/save", {
    dataCollectionId: "C",
    dataItems: [{ id: "a", data: { x: 1 } }, { data: { _id: "b", x: 2 } }],
    returnEntity: true,
  });
  expect(res.json).toMatchObject({
    results: [
      { action: "UPDATE", itemMetadata: { id: "a", originalIndex: 0, success: true }, dataItem: { id: "a" } },
      { action: "INSERT", itemMetadata: { id: "b", originalIndex: 1, success: true } },
    ],
    bulkActionMetadata: { totalSuccesses: 2, totalFailures: 0 },
  });
  const over = await call("POST", "/wix-data/v2/bulk/items/save", {
    dataCollectionId: "C",
    dataItems: Array.from({ length: 1001 }, (_, i) => ({ id: `z${i}`, data: {} })),
  });
  expect([over.status, code(over.json)]).toEqual([400, "WDE0006"]);
  expect(fake.items("site-a", "C")).toHaveLength(2);
  expect(fake.writes.map((w) => w.applied)).toEqual([true, false]);
});

test("publish needs wix-site-id, counts per site, and answers 428 while blocked", async () => {
  expect(await call("POST", "/site-publisher/v1/site/publish", {})).toEqual({ status: 200, json: {} });
  expect((await call("POST", "/site-publisher/v1/site/publish", {}, { authorization: KEY })).status).toBe(
    403,
  );
  fake.blockPublish("site-a");
  const blocked = await call("POST", "/site-publisher/v1/site/publish", {});
  expect([blocked.status, code(blocked.json)]).toEqual([428, "FAILED_PRECONDITION"]);
  expect(fake.publishes("site-a")).toBe(1);
  expect(fake.writes.map((w) => [w.targetScope, w.applied])).toEqual([
    ["site-a", true],
    ["", false],
    ["site-a", false],
  ]);
});

test("faults answer with the Wix error body and never reach the data", async () => {
  fake.fault({ path: "/wix-data/v2/items/save", fault: { kind: "fail", status: 503 }, times: 1 });
  const res = await call("POST", "/wix-data/v2/items/save", {
    dataCollectionId: "C",
    dataItem: { id: "a", data: {} },
  });
  expect([res.status, code(res.json)]).toEqual([503, "UNAVAILABLE"]);
  expect(fake.items("site-a", "C")).toEqual([]);
});

test("the site's pages name the gp_release they were asked for", async () => {
  const res = await fetch(`${fake.url}/site/site-a/pricing?gp_release=v2@0123456789abcdef`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/html");
  const html = await res.text();
  expect(html).toContain("gp_release=v2@0123456789abcdef");
  expect(html).toContain("path=/pricing");
  expect((await fetch(`${fake.url}/site/nowhere/`)).status).toBe(404);
});

// ── the sync endpoint: the site's backend code, through HTTP, with glidepath's client ──────────

const SYNC_SECRET_A = "a".repeat(43);
const SYNC_SECRET_B = "b".repeat(43);
const syncUrl = (siteId: string) => `${fake.url}/site/${siteId}/_functions/sync`;
const syncKey = (secret = SYNC_SECRET_A) => ({ id: "business", secret });
const business = "SwarmRegistryBusiness";

test("sync endpoint: the client's upserts land in the site's store, visible through the Data API, one write-log entry each", async () => {
  fake.setSecret("site-a", "WIREDCHAOS_KEY_BUSINESS", SYNC_SECRET_A);
  // The URL as glidepath derives it from a site URL with a trailing slash.
  const c = syncClient({ url: new URL("_functions/sync", `${fake.url}/site/site-a/`).href, key: syncKey() });
  await c.check(business);
  const first = await c.upsert(business, [
    { _id: "entry-1", title: "One" },
    { _id: "entry-2", title: "Two" },
  ]);
  expect(first.map((r) => r.outcome)).toEqual(["created", "created"]);
  expect(fake.items("site-a", business)).toEqual([
    expect.objectContaining({ _id: "entry-1", title: "One", archived: false, lastSync: first[0]?.lastSync }),
    expect.objectContaining({ _id: "entry-2", title: "Two", archived: false }),
  ]);
  const got = await call("GET", `/wix-data/v2/items/entry-1?dataCollectionId=${business}`);
  expect(got.json).toMatchObject({ dataItem: { data: { _id: "entry-1", title: "One", archived: false } } });
  const entry = {
    method: "POST",
    path: "/site/site-a/_functions/sync",
    credentialScope: "sync-key:business",
    targetScope: `site-a/${business}`,
    applied: true,
  };
  expect(fake.writes).toEqual([entry, entry]);

  // Twice: nothing written, lastSync kept.
  const second = await c.upsert(business, [
    { _id: "entry-1", title: "One" },
    { _id: "entry-2", title: "Two" },
  ]);
  expect(second).toEqual(first.map((r) => ({ ...r, outcome: "unchanged" })));
  expect(fake.writes).toHaveLength(2);

  expect(await c.mirror(business, ["entry-1"])).toEqual({ archived: ["entry-2"] });
  expect(fake.items("site-a", business)[1]).toMatchObject({ _id: "entry-2", archived: true });
  expect(fake.writes).toHaveLength(3);
});

test("sync endpoint: missing, wrong, replayed and stale requests are refused, logged as not applied, and write nothing", async () => {
  fake.setSecret("site-a", "WIREDCHAOS_KEY_BUSINESS", SYNC_SECRET_A);
  const body = JSON.stringify({ op: "upsert", collection: business, items: [{ _id: "x", n: 1 }] });
  const headers = signedHeaders(
    { method: "POST", path: "/_functions/sync", keyId: "business", body },
    SYNC_SECRET_A,
    Date.now(),
  );
  const post = async (h: Record<string, string>) => {
    const res = await fetch(syncUrl("site-a"), { method: "POST", headers: h, body });
    return { status: res.status, json: (await res.json()) as { error?: { code: string } } };
  };
  const { "x-wiredchaos-key": _k, ...withoutKey } = headers;
  const missing = await post(withoutKey);
  expect([missing.status, missing.json.error?.code]).toEqual([401, "missing_key"]);
  const wrong = await post({ ...headers, "x-wiredchaos-signature": `v1=${"0".repeat(64)}` });
  expect([wrong.status, wrong.json.error?.code]).toEqual([403, "forbidden"]);
  // Header names in any case.
  const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
  expect((await post(upper)).status).toBe(200);
  const itemsAfter = fake.items("site-a", business);
  const replay = await post(headers);
  expect([replay.status, replay.json.error?.code]).toEqual([409, "replayed_nonce"]);
  const stale = await rejection(
    syncClient({ url: syncUrl("site-a"), key: syncKey(), now: () => Date.now() - 600_000 }).upsert(business, [
      { _id: "y" },
    ]),
  );
  expect(stale.code).toBe("GP_CREDENTIAL_SCOPE");
  expect(fake.items("site-a", business)).toEqual(itemsAfter);
  const refusal = (credentialScope: string) => ({
    method: "POST",
    path: "/site/site-a/_functions/sync",
    credentialScope,
    targetScope: `site-a/${business}`,
    applied: false,
  });
  expect(fake.writes).toEqual([
    refusal("(none)"),
    refusal("sync-key:business"),
    { ...refusal("sync-key:business"), applied: true },
    refusal("sync-key:business"),
    refusal("sync-key:business"),
  ]);
  expect(JSON.stringify(fake.requests)).not.toContain(SYNC_SECRET_A);
});

test("sync endpoint: one site's key is refused by another site, and a key cannot write the other domain's collection", async () => {
  fake.setSecret("site-a", "WIREDCHAOS_KEY_BUSINESS", SYNC_SECRET_A);
  fake.setSecret("site-b", "WIREDCHAOS_KEY_BUSINESS", SYNC_SECRET_B);
  const crossSite = await rejection(
    syncClient({ url: syncUrl("site-b"), key: syncKey(SYNC_SECRET_A) }).check(business),
  );
  expect(crossSite.code).toBe("GP_CREDENTIAL_SCOPE");
  const crossDomain = await rejection(
    syncClient({ url: syncUrl("site-a"), key: syncKey() }).upsert("SwarmRegistryGaming", [{ _id: "g" }]),
  );
  expect(crossDomain.code).toBe("GP_CREDENTIAL_SCOPE");
  expect(crossDomain.message).toContain("key business may not write collection SwarmRegistryGaming");
  expect(fake.items("site-a", "SwarmRegistryGaming")).toEqual([]);
  expect(fake.writes.map((w) => [w.targetScope, w.applied])).toEqual([
    [`site-b/${business}`, false],
    ["site-a/SwarmRegistryGaming", false],
  ]);
  // An unknown site serves no function.
  expect((await fetch(syncUrl("site-z"), { method: "POST", body: "{}" })).status).toBe(404);
});

async function rejection(p: Promise<unknown>): Promise<GlidepathError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GlidepathError);
  return e as GlidepathError;
}

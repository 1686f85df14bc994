/**
 * The site's sync endpoint (`apps/wix/velo/backend/sync-endpoint.js`) run through the Velo
 * harness: what it accepts, what it refuses and with which status, and that a refused request
 * leaves every collection (the nonce collection included) as it was.
 */
import { beforeAll, beforeEach, expect, test } from "vitest";
import {
  loadSyncEndpoint,
  loadSyncSignature,
  type MemoryStore,
  memoryStore,
  type SecretStore,
  type SyncConfig,
  secretStore,
  syncHarness,
  type VeloRequest,
  type VeloResponse,
  veloRequest,
} from "../fakes/velo-harness";

let signer: Awaited<ReturnType<typeof loadSyncSignature>>;
beforeAll(async () => {
  signer = await loadSyncSignature();
});

const OLD = "o".repeat(40);
const NEW = "n".repeat(40);
const GAMING = "g".repeat(40);
const URL_ = "https://site.example/_functions/sync";
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);

let clock: number;
let store: MemoryStore;
let secrets: SecretStore;
let handle: (r: VeloRequest) => Promise<VeloResponse>;
let config: SyncConfig;
let nonces = 0;

beforeEach(async () => {
  clock = T0;
  store = memoryStore(() => clock);
  secrets = secretStore({ WIREDCHAOS_KEY_BUSINESS: OLD, WIREDCHAOS_KEY_GAMING: GAMING });
  ({ handle, config } = await syncHarness({ store, secrets, now: () => clock }));
});

interface Send {
  body?: unknown;
  /** The text sent, when it is not `body` as JSON. */
  text?: string;
  /** The text signed. @default - the text sent */
  signedText?: string;
  keyId?: string | null;
  secret?: string;
  /** Seconds added to the clock for the timestamp. */
  skew?: number;
  nonce?: string;
  method?: string;
  url?: string;
  signedPath?: string;
  drop?: string[];
}

function request(s: Send = {}): VeloRequest {
  const text = s.text ?? JSON.stringify(s.body ?? { op: "check", collection: "SwarmRegistryBusiness" });
  const keyId = s.keyId === undefined ? "business" : s.keyId;
  const timestamp = String(Math.floor(clock / 1000) + (s.skew ?? 0));
  const nonce = s.nonce ?? `nonce-${String(++nonces).padStart(12, "0")}`;
  const canonical = signer.canonicalString({
    method: "POST",
    path: s.signedPath ?? "/_functions/sync",
    timestamp,
    nonce,
    keyId: keyId ?? "",
    body: s.signedText ?? text,
  });
  const headers: Record<string, string> = {
    "X-WiredChaos-Timestamp": timestamp,
    "x-wiredchaos-nonce": nonce,
    "x-wiredchaos-signature": signer.signatureOf(canonical, s.secret ?? OLD),
  };
  if (keyId !== null) headers["x-wiredchaos-key"] = keyId;
  for (const h of s.drop ?? []) delete headers[h];
  return veloRequest({ method: s.method ?? "POST", url: s.url ?? URL_, headers, body: text });
}

const send = (s: Send = {}) => handle(request(s));
const upsertBody = (items: Record<string, unknown>[], collection = "SwarmRegistryBusiness") => ({
  op: "upsert",
  collection,
  items,
});
const errorOf = (r: VeloResponse) => (r.body as { error?: { code: string; message: string } }).error;

/** Asserts the response is a refusal with that status and code, and that nothing changed. */
async function refused(s: Send, status: number, code: string): Promise<VeloResponse> {
  const before = store.snapshot();
  const r = await send(s);
  expect({ status: r.status, code: errorOf(r)?.code }).toEqual({ status, code });
  expect(store.snapshot()).toEqual(before);
  expect(JSON.stringify(r)).not.toContain(OLD);
  expect(JSON.stringify(r)).not.toContain(NEW);
  return r;
}

test("a signed check answers ok with the key and collection; the nonce is the only write", async () => {
  const r = await send();
  expect(r.status).toBe(200);
  expect(r.body).toEqual({ ok: true, op: "check", keyId: "business", collection: "SwarmRegistryBusiness" });
  expect(r.headers).toMatchObject({ "Content-Type": "application/json" });
  expect(Object.keys(store.snapshot())).toEqual([config.nonceCollection]);
});

test("upsert: created, then unchanged (nothing written, lastSync kept), then updated for a changed field", async () => {
  const a = { _id: "entry-a", title: "A", tags: ["x"], meta: { b: 1, a: 2 } };
  const first = await send({ body: upsertBody([a]) });
  expect(first.status).toBe(200);
  const created = new Date(T0).toISOString();
  expect((first.body as { results: unknown }).results).toEqual([
    { _id: "entry-a", outcome: "created", lastSync: created },
  ]);
  const stored = () => store.read("SwarmRegistryBusiness", "entry-a");
  expect(stored()?.fields).toEqual({ ...a, archived: false, lastSync: created });
  const updatedAt = stored()?.updated;

  clock += 60_000;
  // The same fields (object keys in another order) change nothing.
  const again = await send({
    body: upsertBody([{ meta: { a: 2, b: 1 }, tags: ["x"], title: "A", _id: "entry-a" }]),
  });
  expect((again.body as { results: unknown }).results).toEqual([
    { _id: "entry-a", outcome: "unchanged", lastSync: created },
  ]);
  expect(stored()?.updated).toBe(updatedAt);

  clock += 60_000;
  const changed = await send({ body: upsertBody([{ ...a, title: "A2" }]) });
  const later = new Date(clock).toISOString();
  expect((changed.body as { results: unknown }).results).toEqual([
    { _id: "entry-a", outcome: "updated", lastSync: later },
  ]);
  expect(stored()?.fields).toMatchObject({ title: "A2", lastSync: later, archived: false });

  // A field dropped is a change too (the update replaces the item).
  clock += 60_000;
  const dropped = await send({ body: upsertBody([{ _id: "entry-a", title: "A2", tags: ["x"] }]) });
  expect((dropped.body as { results: { outcome: string }[] }).results[0]?.outcome).toBe("updated");
  expect(stored()?.fields).not.toHaveProperty("meta");
});

test("mirror archives what is not present (lastSync moves), leaves archived items alone; an upsert un-archives", async () => {
  await send({
    body: upsertBody([
      { _id: "a", n: 1 },
      { _id: "b", n: 2 },
      { _id: "c", n: 3 },
    ]),
  });
  clock += 1000;
  const m = await send({ body: { op: "mirror", collection: "SwarmRegistryBusiness", present: ["a"] } });
  expect(m.status).toBe(200);
  expect((m.body as { archived: string[] }).archived.sort()).toEqual(["b", "c"]);
  const at = new Date(clock).toISOString();
  expect(store.read("SwarmRegistryBusiness", "b")?.fields).toEqual({
    _id: "b",
    n: 2,
    archived: true,
    lastSync: at,
  });
  expect(store.read("SwarmRegistryBusiness", "a")?.fields.archived).toBe(false);

  clock += 1000;
  const before = store.snapshot().SwarmRegistryBusiness;
  const again = await send({ body: { op: "mirror", collection: "SwarmRegistryBusiness", present: ["a"] } });
  expect((again.body as { archived: string[] }).archived).toEqual([]);
  expect(store.snapshot().SwarmRegistryBusiness).toEqual(before);

  clock += 1000;
  const back = await send({ body: upsertBody([{ _id: "b", n: 2 }]) });
  expect((back.body as { results: unknown }).results).toEqual([
    { _id: "b", outcome: "updated", lastSync: new Date(clock).toISOString() },
  ]);
  expect(store.read("SwarmRegistryBusiness", "b")?.fields.archived).toBe(false);
});

test("a missing x-wiredchaos-key is 401 missing_key; a key without signature headers is 401 unsigned", async () => {
  await refused({ keyId: null }, 401, "missing_key");
  await refused({ keyId: "" }, 401, "missing_key");
  for (const h of ["X-WiredChaos-Timestamp", "x-wiredchaos-nonce", "x-wiredchaos-signature"])
    await refused({ drop: [h] }, 401, "unsigned");
  await refused({ nonce: "short" }, 401, "unsigned");
});

test("an unknown key id and a wrong secret get the same 403 forbidden", async () => {
  const unknown = await refused({ keyId: "nobody" }, 403, "forbidden");
  const wrong = await refused({ secret: "w".repeat(40) }, 403, "forbidden");
  expect(unknown.body).toEqual(wrong.body);
  await refused({ keyId: "__proto__" }, 403, "forbidden");
});

test("a tampered body, path, method, key id or timestamp breaks the signature (403)", async () => {
  const body = upsertBody([{ _id: "a", n: 1 }]);
  await refused({ body, signedText: JSON.stringify(upsertBody([{ _id: "a", n: 2 }])) }, 403, "forbidden");
  await refused({ signedPath: "/_functions/other" }, 403, "forbidden");
  await refused({ method: "PUT" }, 403, "forbidden");
  // Signed for Gaming's key id with Business's secret: not Business's signature.
  const r = request({ keyId: "gaming", secret: GAMING });
  r.headers["x-wiredchaos-key"] = "business";
  const before = store.snapshot();
  expect((await handle(r)).status).toBe(403);
  const t = request();
  t.headers["x-wiredchaos-timestamp"] = String(Number(t.headers["x-wiredchaos-timestamp"]) - 1);
  expect((await handle(t)).status).toBe(403);
  expect(store.snapshot()).toEqual(before);
});

test("the site prefix of the URL is not signed: a free site's /<site>/_functions/sync verifies", async () => {
  expect((await send({ url: "https://user.wixsite.com/my-site/_functions/sync" })).status).toBe(200);
});

test("a timestamp outside ±window is 401 stale_request, either way; inside it is accepted", async () => {
  const w = config.windowSeconds;
  const stale = await refused({ skew: -(w + 1) }, 401, "stale_request");
  expect(errorOf(stale)?.message).toContain(`${w + 1} s behind`);
  await refused({ skew: w + 1 }, 401, "stale_request");
  expect((await send({ skew: -(w - 1) })).status).toBe(200);
  expect((await send({ skew: w - 1 })).status).toBe(200);
});

test("a replayed request is 409 replayed_nonce and writes nothing", async () => {
  const r = request({ body: upsertBody([{ _id: "a", n: 1 }]) });
  expect((await handle(r)).status).toBe(200);
  clock += 5000;
  store.write("SwarmRegistryBusiness", "a", { _id: "a", n: 9, archived: false, lastSync: "then" });
  const before = store.snapshot();
  const again = await handle(r);
  expect({ status: again.status, code: errorOf(again)?.code }).toEqual({
    status: 409,
    code: "replayed_nonce",
  });
  expect(store.snapshot()).toEqual(before);
});

test("oversized and malformed bodies are 400, before any key check", async () => {
  const big = "x".repeat(config.maxBodyBytes);
  await refused({ body: upsertBody([{ _id: "a", text: big }]) }, 400, "body_too_large");
  await refused({ body: upsertBody([{ _id: "a", text: big }]), keyId: null }, 400, "body_too_large");
  await refused({ text: "{not json", keyId: null }, 400, "malformed_body");
  const malformed: unknown[] = [
    [],
    "text",
    { op: "drop", collection: "SwarmRegistryBusiness" },
    { op: "check", collection: "bad name" },
    { op: "check", collection: "SwarmRegistryBusiness", extra: 1 },
    { op: "upsert", collection: "SwarmRegistryBusiness" },
    upsertBody([{ n: 1 }]),
    upsertBody([{ _id: "a", lastSync: "2026-01-01T00:00:00Z" }]),
    upsertBody([{ _id: "a", archived: true }]),
    upsertBody([{ _id: "a", _owner: "me" }]),
    upsertBody([{ _id: "a", $set: 1 }]),
    upsertBody([{ _id: "a" }, { _id: "a" }]),
    upsertBody(Array.from({ length: config.maxItems + 1 }, (_, i) => ({ _id: `i${i}` }))),
    { op: "mirror", collection: "SwarmRegistryBusiness", present: "a" },
    { op: "mirror", collection: "SwarmRegistryBusiness", present: [1] },
  ];
  for (const body of malformed) await refused({ body }, 400, "malformed_body");
});

test("a key may write only its own collections (403 collection_forbidden names both)", async () => {
  const r = await refused(
    { body: upsertBody([{ _id: "a", n: 1 }], "SwarmRegistryGaming") },
    403,
    "collection_forbidden",
  );
  expect(errorOf(r)?.message).toBe("key business may not write collection SwarmRegistryGaming");
  await refused(
    { body: { op: "check", collection: "SwarmRegistryBusiness" }, keyId: "gaming", secret: GAMING },
    403,
    "collection_forbidden",
  );
  await refused(
    { body: { op: "mirror", collection: "SwarmRegistryGaming", present: [] } },
    403,
    "collection_forbidden",
  );
});

test("rotation: old and new secrets both verify while <NAME>_NEXT exists; after the switch the old one is refused", async () => {
  secrets.set("WIREDCHAOS_KEY_BUSINESS_NEXT", NEW);
  expect((await send({ secret: OLD })).status).toBe(200);
  expect((await send({ secret: NEW })).status).toBe(200);
  // The switch: <NAME> takes the new value, <NAME>_NEXT is deleted.
  secrets.set("WIREDCHAOS_KEY_BUSINESS", NEW);
  secrets.set("WIREDCHAOS_KEY_BUSINESS_NEXT", null);
  await refused({ secret: OLD }, 403, "forbidden");
  expect((await send({ secret: NEW })).status).toBe(200);
});

test("no usable secret on the site is 500 secret_unavailable (a short one is not used)", async () => {
  secrets.set("WIREDCHAOS_KEY_BUSINESS", null);
  await refused({}, 500, "secret_unavailable");
  secrets.set("WIREDCHAOS_KEY_BUSINESS", "short-secret");
  await refused({ secret: "short-secret" }, 500, "secret_unavailable");
});

test("expired nonces are pruned by later requests; a live one is kept", async () => {
  await send();
  const nonceIds = () => store.list(config.nonceCollection).map((s) => s.fields._id);
  expect(nonceIds()).toHaveLength(1);
  clock += (2 * config.windowSeconds + 1) * 1000;
  await send();
  expect(nonceIds()).toEqual([`nonce-${String(nonces).padStart(12, "0")}`]);
});

test("a wix-data failure mid-upsert is 500 write_failed naming the item; a re-run completes it", async () => {
  const h = await syncHarness({ store, secrets, now: () => clock });
  const data = h.deps.data;
  let fail = true;
  const { createSyncHandler } = (await loadSyncEndpoint()).endpoint;
  handle = createSyncHandler({
    ...h.deps,
    data: {
      ...data,
      insert: async (c, item, o) => {
        if (fail && c === "SwarmRegistryBusiness" && item._id === "b")
          throw new Error("WDE0116: rate limited");
        return data.insert(c, item, o);
      },
    },
  });
  const r = await send({
    body: upsertBody([
      { _id: "a", n: 1 },
      { _id: "b", n: 2 },
    ]),
  });
  expect(r.status).toBe(500);
  expect(errorOf(r)).toEqual({
    code: "write_failed",
    message: "wix-data failed on item b after 1 of 2 items (WDE0116: rate limited); run the sync again",
  });
  fail = false;
  const again = await send({
    body: upsertBody([
      { _id: "a", n: 1 },
      { _id: "b", n: 2 },
    ]),
  });
  expect((again.body as { results: { outcome: string }[] }).results.map((x) => x.outcome)).toEqual([
    "unchanged",
    "created",
  ]);
});

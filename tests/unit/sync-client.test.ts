/**
 * glidepath's sync client (`automation/lib/content/sync-client.ts`): its signer agrees with the
 * endpoint's verifier (two implementations of one canonical string), and against the endpoint
 * code served on loopback it chunks, re-signs retries, and turns refusals into glidepath errors
 * that name the key id and the collection, never the secret.
 */
import fc from "fast-check";
import { afterEach, beforeAll, beforeEach, expect, test } from "vitest";
import { type SyncClientOptions, syncClient } from "../../automation/lib/content/sync-client";
import {
  canonicalString,
  signatureOf,
  signedHeaders,
  signedPath,
} from "../../automation/lib/content/sync-signature";
import { GlidepathError } from "../../automation/lib/errors";
import { type FakeRequest, type FakeServer, startFake } from "../fakes/fake-http";
import {
  loadSyncSignature,
  type MemoryStore,
  memoryStore,
  type SecretStore,
  secretStore,
  syncHarness,
  type VeloRequest,
  type VeloResponse,
  veloRequest,
} from "../fakes/velo-harness";

let js: Awaited<ReturnType<typeof loadSyncSignature>>;
beforeAll(async () => {
  js = await loadSyncSignature();
});

const SECRET = "s".repeat(43);
const KEY = { id: "business", secret: SECRET };
const COLLECTION = "SwarmRegistryBusiness";

test("the TS signer and the JS verifier write the same canonical string and signature", () => {
  const text = fc.string({ unit: "grapheme", maxLength: 200 });
  fc.assert(
    fc.property(
      fc.constantFrom("POST", "post", "PUT"),
      fc.stringMatching(/^\/_functions\/[a-z/]{0,20}$/),
      fc.stringMatching(/^[0-9]{1,12}$/),
      fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/),
      fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,39}$/),
      text,
      fc.string({ minLength: 32, maxLength: 64 }),
      (method, path, timestamp, nonce, keyId, body, secret) => {
        const parts = { method, path, timestamp, nonce, keyId, body };
        const canonical = canonicalString(parts);
        expect(canonical).toBe(js.canonicalString(parts));
        expect(signatureOf(canonical, secret)).toBe(js.signatureOf(js.canonicalString(parts), secret));
      },
    ),
  );
  for (const p of [
    "/_functions/sync",
    "/site/a/_functions/sync",
    "/x/_functions-dev/sync/sub",
    "/sync",
    "/_functionsx/a",
  ])
    expect(signedPath(p) ?? null).toBe(js.signedPath(p));
});

test("a request the client signs verifies at the endpoint; tampering with body, path, method or timestamp fails", async () => {
  const clock = Date.UTC(2026, 11, 1);
  const store = memoryStore();
  const { handle } = await syncHarness({
    store,
    secrets: secretStore({ WIREDCHAOS_KEY_BUSINESS: SECRET }),
    now: () => clock,
  });
  const body = JSON.stringify({ op: "upsert", collection: COLLECTION, items: [{ _id: "a", n: 1 }] });
  const signed = (nonce: string) =>
    signedHeaders(
      { method: "POST", path: "/_functions/sync", keyId: "business", body },
      SECRET,
      clock,
      nonce,
    );
  const at = (
    over: Partial<{ method: string; url: string; body: string; headers: Record<string, string> }>,
  ) =>
    handle(
      veloRequest({
        method: "POST",
        url: "https://site.example/_functions/sync",
        body,
        ...over,
        headers: over.headers ?? signed(`nonce-${Math.random().toString(36).slice(2)}-xxxxxxxx`),
      }),
    );
  const before = store.snapshot();
  const tampered = [
    await at({ body: body.replace('"n":1', '"n":2') }),
    await at({ url: "https://site.example/_functions/other" }),
    await at({ method: "PUT" }),
    await at({
      headers: (() => {
        const h = signed("nonce-tampered-timestamp");
        h["x-wiredchaos-timestamp"] = String(Number(h["x-wiredchaos-timestamp"]) + 1);
        return h;
      })(),
    }),
  ];
  expect(tampered.map((r) => r.status)).toEqual([403, 403, 403, 403]);
  expect(store.snapshot()).toEqual(before);
  const good = await at({});
  expect(good.status).toBe(200);
  expect(store.read(COLLECTION, "a")?.fields).toMatchObject({ n: 1, archived: false });
});

// ── the client against the endpoint code served on loopback ─────────────────────────────────

let server: FakeServer;
let store: MemoryStore;
let secrets: SecretStore;
let bodies: string[];
let nonces: string[];
/** When set, replaces the answer of the request with that index (after the endpoint ran). */
let lose: Set<number>;

beforeEach(async () => {
  store = memoryStore();
  secrets = secretStore({ WIREDCHAOS_KEY_BUSINESS: SECRET });
  const { handle } = await syncHarness({ store, secrets });
  bodies = [];
  nonces = [];
  lose = new Set();
  server = await startFake({
    errorBody: (status, message) => ({ error: { code: `http_${status}`, message } }),
    async handle(req: FakeRequest) {
      if (req.path !== "/site/s/_functions/sync") return { status: 404, body: "no such function\n" };
      const index = bodies.length;
      bodies.push(req.body.toString("utf8"));
      nonces.push(req.headers["x-wiredchaos-nonce"] ?? "");
      const out: VeloResponse = await handle(
        veloRequest({
          url: `http://127.0.0.1${req.path}`,
          headers: req.headers,
          body: req.body.toString("utf8"),
        }) as VeloRequest,
      );
      if (lose.has(index)) return { status: 503, body: { error: { code: "lost", message: "answer lost" } } };
      return { status: out.status, body: out.body };
    },
  });
});
afterEach(() => server.close());

const client = (over: Partial<SyncClientOptions> = {}) =>
  syncClient({
    url: `${server.url}/site/s/_functions/sync`,
    key: KEY,
    retry: { attempts: 3, baseMs: 1, maxBackoffMs: 1 },
    ...over,
  });

async function rejection(p: Promise<unknown>): Promise<GlidepathError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GlidepathError);
  expect((e as Error).message).not.toContain(SECRET);
  expect((e as GlidepathError).remedy).not.toContain(SECRET);
  return e as GlidepathError;
}

test("check, upsert and mirror round-trip; a second upsert of the same items is unchanged with the same lastSync", async () => {
  const c = client();
  await c.check(COLLECTION);
  const items = [
    { _id: "a", title: "A" },
    { _id: "b", title: "B" },
  ];
  const first = await c.upsert(COLLECTION, items);
  expect(first.map((r) => [r._id, r.outcome])).toEqual([
    ["a", "created"],
    ["b", "created"],
  ]);
  const second = await c.upsert(COLLECTION, items);
  expect(second).toEqual(first.map((r) => ({ ...r, outcome: "unchanged" })));
  expect(await c.mirror(COLLECTION, ["a"])).toEqual({ archived: ["b"] });
  expect(await c.upsert(COLLECTION, [])).toEqual([]);
});

test("upserts are split under the item limit and the body limit, in order", async () => {
  const items = Array.from({ length: 7 }, (_, i) => ({ _id: `item-${i}`, text: "x".repeat(300) }));
  const byCount = await client({ maxItems: 3 }).upsert(COLLECTION, items);
  expect(byCount.map((r) => r._id)).toEqual(items.map((i) => i._id));
  expect(bodies.map((b) => (JSON.parse(b) as { items: unknown[] }).items.length)).toEqual([3, 3, 1]);

  bodies.length = 0;
  const limit = 1000;
  const bySize = await client({ maxBodyBytes: limit }).upsert(
    COLLECTION,
    items.map((i) => ({ ...i, text: "y".repeat(300) })),
  );
  expect(bySize.every((r) => r.outcome === "updated")).toBe(true);
  expect(bodies.length).toBeGreaterThan(1);
  for (const b of bodies) expect(Buffer.byteLength(b)).toBeLessThanOrEqual(limit);
  expect(
    bodies.flatMap((b) => (JSON.parse(b) as { items: { _id: string }[] }).items.map((i) => i._id)),
  ).toEqual(items.map((i) => i._id));
});

test("a retry after a lost answer is signed again with a new nonce and accepted (the first nonce is spent)", async () => {
  lose.add(0);
  const results = await client().upsert(COLLECTION, [{ _id: "a", n: 1 }]);
  expect(nonces).toHaveLength(2);
  expect(nonces[0]).not.toBe(nonces[1]);
  // The first attempt was applied; the retry found the item as sent.
  expect(results.map((r) => r.outcome)).toEqual(["unchanged"]);
  expect(store.read(COLLECTION, "a")?.fields.n).toBe(1);
});

test("refusals become glidepath errors naming the key id and the collection, never the secret", async () => {
  const wrongKey = await rejection(
    client({ key: { id: "business", secret: "w".repeat(40) } }).check(COLLECTION),
  );
  expect(wrongKey.code).toBe("GP_CREDENTIAL_SCOPE");
  expect(wrongKey.message).toContain(
    "key business refused for collection SwarmRegistryBusiness (HTTP 403 forbidden",
  );

  const other = await rejection(client().upsert("SwarmRegistryGaming", [{ _id: "a" }]));
  expect(other.code).toBe("GP_CREDENTIAL_SCOPE");
  expect(other.message).toContain("key business may not write collection SwarmRegistryGaming");
  expect(other.exitCode).toBe(2);

  const stale = await rejection(client({ now: () => Date.now() - 3_600_000 }).check(COLLECTION));
  expect(stale.code).toBe("GP_CREDENTIAL_SCOPE");
  expect(stale.message).toContain("stale_request");
  expect(stale.remedy).toContain("clock");

  secrets.set("WIREDCHAOS_KEY_BUSINESS", null);
  const noSecret = await rejection(client().check(COLLECTION));
  expect(noSecret.code).toBe("GP_TARGET_UNREACHABLE");
  expect(noSecret.message).toContain("secret_unavailable");
  expect(noSecret.remedy).toContain("Secrets Manager");
  expect(bodies.length).toBe(3 + 3); // the 500 is retried as any 5xx: 3 attempts

  const missing = await rejection(
    client({ url: `${server.url}/site/other/_functions/sync` }).check(COLLECTION),
  );
  expect(missing.code).toBe("GP_TARGET_REFUSED");
  expect(missing.remedy).toContain("http-functions.js");
});

test("items the endpoint would refuse are refused before anything is sent", async () => {
  const cases: Record<string, unknown>[][] = [
    [{ _id: "a", lastSync: "2026-01-01" }],
    [{ _id: "a", archived: false }],
    [{ _id: "a" }, { _id: "a" }],
    [{ _id: "a", _owner: "x" }],
    [{ _id: "" }],
    [{ _id: "big", text: "z".repeat(600_000) }],
  ];
  for (const items of cases) {
    const e = await rejection(client().upsert(COLLECTION, items as { _id: string }[]));
    expect(e.code).toBe("GP_TARGET_REFUSED");
  }
  expect((await rejection(client().check("bad name"))).code).toBe("GP_TARGET_REFUSED");
  expect(bodies).toEqual([]);
});

test("a bad URL, key id or short secret is refused when the client is made", () => {
  const made = (over: Partial<SyncClientOptions>) => {
    try {
      client(over);
      return "made";
    } catch (e) {
      return (e as GlidepathError).code;
    }
  };
  expect(made({ url: "https://site.example/sync" })).toBe("GP_CONFIG_INVALID");
  expect(made({ url: "ftp://site.example/_functions/sync" })).toBe("GP_CONFIG_INVALID");
  expect(made({ key: { id: "Business", secret: SECRET } })).toBe("GP_CONFIG_INVALID");
  expect(made({ key: { id: "business", secret: "short" } })).toBe("GP_CONFIG_INVALID");
  expect(made({})).toBe("made");
});

test("an endpoint that keeps failing or does not answer is GP_TARGET_UNREACHABLE after the retries", async () => {
  server.fault({ path: "/site/s/_functions/sync", fault: { kind: "fail", status: 503 } });
  const down = await rejection(client().check(COLLECTION));
  expect(down.code).toBe("GP_TARGET_UNREACHABLE");
  expect(down.message).toContain("failed after 3 attempts");
  const gone = await rejection(client({ url: "http://127.0.0.1:1/_functions/sync" }).check(COLLECTION));
  expect(gone.code).toBe("GP_TARGET_UNREACHABLE");
});

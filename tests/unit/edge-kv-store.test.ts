/**
 * The edge's KV store against an in-memory Workers KV double: every page of a flag listing is
 * followed, a release file is found through its manifest's index (`files/<sha256>`), a
 * manifest is read once (it is immutable), a missing or incomplete release is a miss (`null`)
 * and a KV error is `"disk-error"`. Then the Worker itself on that store: the route revision
 * header, and a release missed under a cached route re-reading the route.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FileCache } from "../../edge/worker/file-cache";
import worker, { type Env } from "../../edge/worker/index";
import { type KvNamespace, kvStore } from "../../edge/worker/kv-store";
import { kvRelease, sha256Hex } from "../helpers/edge-kv";

/** Workers KV over a map, two keys a page; `failing` keys throw; `gets` counts reads per key. */
class KvDouble implements KvNamespace {
  readonly data = new Map<string, string | Uint8Array>();
  readonly failing = new Set<string>();
  readonly gets = new Map<string, number>();
  lists = 0;

  async get(key: string, type: "text" | "arrayBuffer"): Promise<never> {
    this.gets.set(key, (this.gets.get(key) ?? 0) + 1);
    if (this.failing.has(key)) throw new Error("KV GET failed: 500");
    const v = this.data.get(key);
    if (v === undefined) return null as never;
    const bytes = typeof v === "string" ? new TextEncoder().encode(v) : v;
    return (type === "text" ? new TextDecoder().decode(bytes) : bytes.slice().buffer) as never;
  }

  async list(opts: { prefix: string; cursor?: string }) {
    this.lists++;
    const names = [...this.data.keys()].filter((k) => k.startsWith(opts.prefix)).sort();
    const from = opts.cursor === undefined ? 0 : Number(opts.cursor);
    const keys = names.slice(from, from + 2).map((name) => ({ name }));
    return from + 2 < names.length
      ? { keys, list_complete: false as const, cursor: String(from + 2) }
      : { keys, list_complete: true as const };
  }
}

const sha = sha256Hex;

/** Writes a release as the KV target does: files first, the manifest last. */
function putRelease(
  kv: KvDouble,
  app: string,
  version: string,
  digest: string,
  files: Record<string, string>,
) {
  const entries = kvRelease(app, version, digest, files);
  for (const e of entries) kv.data.set(e.key, e.value);
  return JSON.parse((entries.at(-1) as { value: string }).value) as Record<string, unknown>;
}

const text = (r: unknown) => (r instanceof Uint8Array ? new TextDecoder().decode(r) : r);

describe("KV store", () => {
  it("lists every page of an app's flags, keeping only flag documents of that app", async () => {
    const kv = new KvDouble();
    for (const k of ["A", "B", "C", "D", "E"]) kv.data.set(`flags/wix/${k}.json`, "{}");
    kv.data.set("flags/wix/not a flag.json", "{}");
    kv.data.set("flags/wix/nested/F.json", "{}");
    kv.data.set("flags/wixer/G.json", "{}");
    const store = kvStore(kv, new FileCache());
    expect(await store.flagKeys("wix")).toEqual(["A", "B", "C", "D", "E"]);
    expect(kv.lists).toBe(4);
  });

  it("reads JSON documents: missing or not JSON is undefined, a KV error throws", async () => {
    const kv = new KvDouble();
    kv.data.set("routes/wix.json", '{"app":"wix"}');
    kv.data.set("routes/bad.json", "{");
    kv.failing.add("routes/gamma.json");
    const store = kvStore(kv, new FileCache());
    expect(await store.readJson("routes/wix.json")).toEqual({ app: "wix" });
    expect(await store.readJson("routes/none.json")).toBeUndefined();
    expect(await store.readJson("routes/bad.json")).toBeUndefined();
    await expect(store.readJson("routes/gamma.json")).rejects.toThrow("KV GET failed");
  });

  it("finds a file through the release manifest's index, and reads the manifest once", async () => {
    const kv = new KvDouble();
    const d = "c".repeat(64);
    putRelease(kv, "wix", "v1", d, { "index.html": "home", "css/site.css": "body{}" });
    const store = kvStore(kv, new FileCache());
    expect(text(await store.releaseFile("wix", `v1@${d.slice(0, 16)}`, "index.html"))).toBe("home");
    expect(text(await store.releaseFile("wix", `v1@${d.slice(0, 16)}`, "css/site.css"))).toBe("body{}");
    expect(await store.releaseFile("wix", `v1@${d.slice(0, 16)}`, "nope.html")).toBeNull();
    expect(kv.gets.get(`releases/wix/v1@${d.slice(0, 16)}/.release.json`)).toBe(1);
    // A file read once is kept: no second read of its bytes.
    await store.releaseFile("wix", `v1@${d.slice(0, 16)}`, "index.html");
    expect(kv.gets.get(`files/${sha("home")}`)).toBe(1);
  });

  it("misses a release without a manifest, a manifest of another release, and a file not yet written", async () => {
    const kv = new KvDouble();
    const d = "d".repeat(64);
    const key = `v2@${d.slice(0, 16)}`;
    const store = kvStore(kv, new FileCache());
    expect(await store.releaseFile("wix", key, "index.html")).toBeNull();
    // Not cached: the manifest, once written, is found.
    const m = putRelease(kv, "wix", "v2", d, { "index.html": "two", "late.html": "late" });
    kv.data.delete(`files/${sha("late")}`);
    expect(text(await store.releaseFile("wix", key, "index.html"))).toBe("two");
    expect(await store.releaseFile("wix", key, "late.html")).toBeNull();
    kv.data.set(`releases/gamma/${key}/.release.json`, JSON.stringify({ ...m, app: "wix" }));
    expect(await store.releaseFile("gamma", key, "index.html")).toBeNull();
    kv.data.set(`releases/wix/v3@${d.slice(0, 16)}/.release.json`, JSON.stringify(m));
    expect(await store.releaseFile("wix", `v3@${d.slice(0, 16)}`, "index.html")).toBeNull();
    kv.data.set(
      `releases/wix/v4@${d.slice(0, 16)}/.release.json`,
      JSON.stringify({ ...m, version: "v4", index: { "index.html": "../x" } }),
    );
    expect(await store.releaseFile("wix", `v4@${d.slice(0, 16)}`, "index.html")).toBeNull();
  });

  it("answers a KV error on the manifest or a file with disk-error", async () => {
    const kv = new KvDouble();
    const d = "e".repeat(64);
    putRelease(kv, "wix", "v5", d, { "a.html": "a", "b.html": "b" });
    const store = kvStore(kv, new FileCache());
    kv.failing.add(`files/${sha("b")}`);
    expect(await store.releaseFile("wix", `v5@${d.slice(0, 16)}`, "b.html")).toBe("disk-error");
    kv.failing.add(`releases/wix/v6@${d.slice(0, 16)}/.release.json`);
    expect(await store.releaseFile("wix", `v6@${d.slice(0, 16)}`, "a.html")).toBe("disk-error");
  });
});

describe("the Worker on KV", () => {
  let kv: KvDouble;
  let env: Env;
  let clock = Date.parse("2026-12-01T00:00:00Z");
  const get = (p: string, visitor = "v1") =>
    worker.fetch(new Request(`http://edge${p}`, { headers: { "x-glidepath-visitor": visitor } }), env);

  beforeEach(() => {
    vi.useFakeTimers();
    clock += 60_000;
    vi.setSystemTime(clock);
    kv = new KvDouble();
    env = {
      EDGE_KV: kv,
      ADMIN_KEY: "k",
      APPS: "wix",
      STACK: "staging",
      LATENCY_OBJECTIVE_MS: "500",
      MIN_REQUESTS: "20",
      MIN_SCORE: "99",
    };
  });
  afterEach(() => vi.useRealTimers());

  it("serves the route's release from KV, naming the route's revision, and omits the header without one", async () => {
    const d = "1".repeat(64);
    putRelease(kv, "wix", "k1", d, { "index.html": "k1 home" });
    kv.data.set(
      "flags/wix/CanaryEnabled.json",
      JSON.stringify({ app: "wix", key: "CanaryEnabled", value: true }),
    );
    const route = { app: "wix", stable: { version: "k1", digest: d }, canary: null, weight: 0 };
    kv.data.set("routes/wix.json", JSON.stringify({ ...route, revision: "r1" }));
    const res = await get("/wix/");
    expect([res.status, await res.text()]).toEqual([200, "k1 home"]);
    expect(res.headers.get("x-glidepath-route-revision")).toBe("r1");
    expect(res.headers.get("x-glidepath-flags")).toBe("CanaryEnabled=true");
    kv.data.set("routes/wix.json", JSON.stringify(route));
    vi.setSystemTime(clock + 10_000);
    const again = await get("/wix/");
    expect(again.status).toBe(200);
    expect(again.headers.has("x-glidepath-route-revision")).toBe(false);
  });

  it("re-reads the route when the cached route's release is gone from KV, and answers a KV error with 503", async () => {
    const a = "2".repeat(64);
    const b = "3".repeat(64);
    putRelease(kv, "wix", "k2", a, { "index.html": "k2" });
    kv.data.set(
      "routes/wix.json",
      JSON.stringify({
        app: "wix",
        stable: { version: "k2", digest: a },
        canary: null,
        weight: 0,
        revision: "ra",
      }),
    );
    expect(await (await get("/wix/")).text()).toBe("k2");
    // The update: the new release whole, then the route, then the retired release's manifest
    // goes; the clock has not moved, so the cached route still names k2.
    putRelease(kv, "wix", "k3", b, { "index.html": "k3", "b.html": "k3b" });
    kv.data.set(
      "routes/wix.json",
      JSON.stringify({
        app: "wix",
        stable: { version: "k3", digest: b },
        canary: null,
        weight: 0,
        revision: "rb",
      }),
    );
    kv.data.delete(`releases/wix/k2@${a.slice(0, 16)}/.release.json`);
    const res = await get("/wix/other/");
    const res2 = await get("/wix/");
    expect([
      res.status,
      res2.status,
      await res2.text(),
      res2.headers.get("x-glidepath-route-revision"),
    ]).toEqual([404, 200, "k3", "rb"]);
    // A file not read yet (the one read is kept in memory), its KV read failing.
    kv.failing.add(`files/${sha("k3b")}`);
    const failed = await get("/wix/b.html");
    expect([failed.status, failed.headers.get("retry-after")]).toEqual([503, "1"]);
  });
});

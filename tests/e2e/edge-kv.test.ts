/**
 * The edge Worker on workerd reading Workers KV (`EDGE_KV`), as it runs on Cloudflare: the KV
 * is filled the way the remote targets write it (files, then each release's manifest, the route
 * last). The split is sticky and takes exactly the buckets below the weight, every answer
 * names the route's revision, a weight raised in KV is followed once the route cache's
 * lifetime has passed (canary visitors stay canary), a release an origin serves is proxied to
 * it with its release and flags, and a release is only ever served once the route names it:
 * a manifest written ahead of its files is not routed to, and a release missing under a
 * cached route makes the Worker re-read the route.
 */
import * as http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../bench/helpers/free-port";
import { type EdgeHost, type EdgeKvNamespace, startEdgeHost } from "../../edge/host/edge-host";
import { bucketOf } from "../../edge/worker/bucket";
import { type KvEntry, kvRelease, sha256Hex } from "../helpers/edge-kv";
import { type Listening, listenLoopback } from "../helpers/loopback";

const KEY = "edge-kv-admin-key";
const digest = (c: string) => c.repeat(64);
const WIX_V1 = { version: "v1", digest: digest("a") };
const WIX_V2 = { version: "v2", digest: digest("b") };
/** The route cache's lifetime on the first edge (ms). */
const TTL_MS = 400;
const VISITORS = Array.from({ length: 2000 }, (_, i) => `visitor-${i}`);

async function put(kv: EdgeKvNamespace, entries: readonly KvEntry[]): Promise<void> {
  for (const e of entries) await kv.put(e.key, e.value);
}

const flag = (app: string, key: string, value: boolean | string) => ({
  key: `flags/${app}/${key}.json`,
  value: JSON.stringify({ app, key, value }),
});

const route = (app: string, stable: object, canary: object | null, weight: number, revision: string) => ({
  key: `routes/${app}.json`,
  value: JSON.stringify({ app, stable, canary, weight, revision }),
});

/** One answer: status, release, revision and body. */
async function visit(edge: EdgeHost, path: string, visitor: string) {
  const res = await fetch(new URL(path, edge.url), { headers: { "x-glidepath-visitor": visitor } });
  return {
    status: res.status,
    release: res.headers.get("x-glidepath-release"),
    revision: res.headers.get("x-glidepath-route-revision"),
    flags: res.headers.get("x-glidepath-flags"),
    body: await res.text(),
  };
}

/** The release each visitor gets for a path, 50 requests at a time. */
async function releasesOf(edge: EdgeHost, path: string, visitors: readonly string[]) {
  const out: Awaited<ReturnType<typeof visit>>[] = [];
  for (let i = 0; i < visitors.length; i += 50) {
    out.push(...(await Promise.all(visitors.slice(i, i + 50).map((v) => visit(edge, path, v)))));
  }
  return out;
}

const expectedCanary = (app: string, weight: number) =>
  VISITORS.filter((v) => bucketOf(app, v) < weight).length;

describe("the edge Worker on Workers KV", () => {
  let edge: EdgeHost;
  let kv: EdgeKvNamespace;
  let origin: Listening;
  /** What the origin saw: path with query, and the edge's headers. */
  const seen: { url: string; release: string | undefined; flags: string | undefined }[] = [];
  let deadOrigin: string;

  beforeAll(async () => {
    const server = http.createServer((req, res) => {
      seen.push({
        url: req.url ?? "",
        release: req.headers["x-glidepath-release"] as string | undefined,
        flags: req.headers["x-glidepath-flags"] as string | undefined,
      });
      if ((req.url ?? "").includes("/broken")) {
        res.writeHead(500, { "content-type": "text/plain" }).end("origin failed\n");
        return;
      }
      res
        .writeHead(200, { "content-type": "text/html", "x-origin": "gamma-fake" })
        .end(`<p>page ${req.url}</p>`);
    });
    origin = await listenLoopback(server);
    // A port nothing listens on: connecting to it fails.
    deadOrigin = `http://127.0.0.1:${await freePort()}/docs/g_dead`;
    edge = await startEdgeHost({
      stack: "edge-kv",
      apps: ["wix", "gamma"],
      adminKey: KEY,
      store: { kind: "kv" },
      routeTtlMs: TTL_MS,
      minRequests: 1,
    });
    kv = edge.kv as EdgeKvNamespace;
    await put(kv, kvRelease("wix", "v1", WIX_V1.digest, { "index.html": "wix v1\n", "site.css": "v1{}" }));
    await put(kv, kvRelease("wix", "v2", WIX_V2.digest, { "index.html": "wix v2\n", "site.css": "v2{}" }));
    await put(kv, [flag("wix", "CanaryEnabled", true), flag("wix", "Theme", "dark")]);
    await put(kv, [route("wix", WIX_V1, WIX_V2, 25, "r1")]);
    await put(kv, [flag("gamma", "Deck", "q4 plan")]);
    await put(kv, [
      route(
        "gamma",
        { version: "g1", digest: digest("c"), origin: `${origin.origin}/docs/g_1` },
        { version: "g2", digest: digest("d"), origin: deadOrigin },
        50,
        "g-r1",
      ),
    ]);
  });

  afterAll(async () => {
    await edge?.stop();
    await origin?.close();
  });

  it("keeps a visitor on one release across 50 requests", async () => {
    const answers = await releasesOf(edge, "/wix/", Array(50).fill("sticky-visitor"));
    const releases = new Set(answers.map((a) => a.release));
    expect(releases.size).toBe(1);
    const expected = bucketOf("wix", "sticky-visitor") < 25 ? "wix@v2" : "wix@v1";
    expect([...releases]).toEqual([expected]);
    expect(answers.every((a) => a.status === 200 && a.body === `${expected.replace("@", " ")}\n`)).toBe(true);
  });

  it("gives the canary exactly the visitors whose bucket is below the weight, each answer naming revision r1", async () => {
    const answers = await releasesOf(edge, "/wix/", VISITORS);
    const canary = VISITORS.filter((_, i) => answers[i]?.release === "wix@v2");
    expect(canary.length).toBe(expectedCanary("wix", 25));
    expect(canary.every((v) => bucketOf("wix", v) < 25)).toBe(true);
    // The configured share, as the bucket math gives it for these 2000 visitors.
    expect(Math.abs(canary.length / VISITORS.length - 0.25)).toBeLessThan(0.03);
    expect(answers.every((a) => a.status === 200 && a.revision === "r1")).toBe(true);
    expect(new Set(answers.map((a) => a.flags))).toEqual(new Set(["CanaryEnabled=true; Theme=dark"]));
  });

  it("follows a weight raised to 50 in KV once the route cache's lifetime has passed, canary visitors staying canary", async () => {
    const before = await releasesOf(edge, "/wix/", VISITORS);
    await put(kv, [route("wix", WIX_V1, WIX_V2, 50, "r2")]);
    await new Promise((r) => setTimeout(r, TTL_MS + 100));
    const after = await releasesOf(edge, "/wix/", VISITORS);
    expect(after.every((a) => a.revision === "r2")).toBe(true);
    expect(after.filter((a) => a.release === "wix@v2").length).toBe(expectedCanary("wix", 50));
    const stayed = VISITORS.filter((_, i) => before[i]?.release === "wix@v2");
    expect(stayed.length).toBe(expectedCanary("wix", 25));
    expect(stayed.every((v) => after[VISITORS.indexOf(v)]?.release === "wix@v2")).toBe(true);
  });

  it("proxies an origin release: the path under the origin, the query plus gp_release, the release and flags headers", async () => {
    const visitor = VISITORS.find((v) => bucketOf("gamma", v) >= 50) as string;
    seen.length = 0;
    const res = await fetch(new URL("/gamma/slides/intro?lang=en", edge.url), {
      headers: { "x-glidepath-visitor": visitor, "x-glidepath-release": "forged" },
    });
    expect([res.status, await res.text()]).toEqual([
      200,
      "<p>page /docs/g_1/slides/intro?lang=en&gp_release=g1%40cccccccccccccccc</p>",
    ]);
    expect(seen).toEqual([
      {
        url: "/docs/g_1/slides/intro?lang=en&gp_release=g1%40cccccccccccccccc",
        release: "gamma@g1",
        flags: "Deck=q4%20plan",
      },
    ]);
    // The origin's own headers, and the router's on top.
    expect(res.headers.get("x-origin")).toBe("gamma-fake");
    expect(res.headers.get("x-glidepath-release")).toBe("gamma@g1");
    expect(res.headers.get("x-glidepath-side")).toBe("stable");
    expect(res.headers.get("x-glidepath-route-revision")).toBe("g-r1");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("counts an origin's 5xx and an unreachable origin (502) as bad outcomes", async () => {
    await fetch(new URL("/_glidepath/admin/reset", edge.url), {
      method: "POST",
      headers: { "x-wiredchaos-key": KEY },
    });
    const stableVisitor = VISITORS.find((v) => bucketOf("gamma", v) >= 50) as string;
    const canaryVisitor = VISITORS.find((v) => bucketOf("gamma", v) < 50) as string;
    const broken = await visit(edge, "/gamma/broken", stableVisitor);
    const dead = await visit(edge, "/gamma/", canaryVisitor);
    expect([broken.status, broken.release, dead.status, dead.release]).toEqual([
      500,
      "gamma@g1",
      502,
      "gamma@g2",
    ]);
    const slo = async (side: string) =>
      (await (await fetch(new URL(`/_glidepath/slo?app=gamma&side=${side}&since=0`, edge.url))).json()) as {
        total: number;
        good: number;
        errors: number;
      };
    expect(await slo("stable")).toMatchObject({ total: 1, good: 0, errors: 1 });
    expect(await slo("canary")).toMatchObject({ total: 1, good: 0, errors: 1 });
  });
});

describe("the edge Worker on Workers KV: a release is served only once the route names it", () => {
  let edge: EdgeHost;
  let kv: EdgeKvNamespace;
  const V3 = { version: "v3", digest: digest("e") };

  beforeAll(async () => {
    // A route cache that outlives the test: only a miss makes the Worker read the route again.
    edge = await startEdgeHost({
      stack: "edge-kv-miss",
      apps: ["wix"],
      adminKey: KEY,
      store: { kind: "kv" },
      routeTtlMs: 600_000,
    });
    kv = edge.kv as EdgeKvNamespace;
    await put(
      kv,
      kvRelease("wix", "v1", WIX_V1.digest, { "index.html": "wix v1\n", "about.html": "about v1\n" }),
    );
    await put(kv, [route("wix", WIX_V1, null, 0, "m1")]);
  });

  afterAll(async () => {
    await edge?.stop();
  });

  it("does not route to a release whose manifest was written before its files, and re-reads the route on a miss", async () => {
    expect(await visit(edge, "/wix/", "first")).toMatchObject({
      status: 200,
      release: "wix@v1",
      revision: "m1",
    });
    // v3's manifest lands ahead of one of its files (a writer that broke the order, or a
    // listing racing the upload): the route does not name it, so nobody is sent there.
    const v3 = kvRelease("wix", "v3", V3.digest, { "index.html": "wix v3\n", "about.html": "about v3\n" });
    const manifest = v3.at(-1) as KvEntry;
    await put(kv, [v3[0] as KvEntry, manifest]);
    const early = await releasesOf(edge, "/wix/", VISITORS.slice(0, 200));
    expect(early.every((a) => a.status === 200 && a.release === "wix@v1" && a.revision === "m1")).toBe(true);
    // The rest of v3, then the route (last), then v1 retired: its manifest and its files.
    await put(kv, [v3[1] as KvEntry]);
    await put(kv, [route("wix", V3, null, 0, "m2")]);
    for (const key of [
      `releases/wix/v1@${WIX_V1.digest.slice(0, 16)}/.release.json`,
      `files/${sha256Hex("wix v1\n")}`,
      `files/${sha256Hex("about v1\n")}`,
    ])
      await kv.delete(key);
    // The cached route still names v1 (its lifetime is ten minutes), and v1's index.html is
    // still in the isolate's memory; about.html was never read, so its read misses, and the
    // Worker reads the route again and follows it to v3.
    expect(await visit(edge, "/wix/", "second")).toMatchObject({
      status: 200,
      release: "wix@v1",
      revision: "m1",
    });
    expect(await visit(edge, "/wix/about.html", "third")).toMatchObject({
      status: 200,
      release: "wix@v3",
      revision: "m2",
      body: "about v3\n",
    });
    // From then on the route read after the miss is the cached one.
    expect(await visit(edge, "/wix/", "fourth")).toMatchObject({
      status: 200,
      release: "wix@v3",
      body: "wix v3\n",
    });
  });
});

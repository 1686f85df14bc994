/**
 * The edge Worker against an in-memory disk service, with the clock frozen so its route cache
 * is deterministic: a release retired while a route is cached is never an error (the miss
 * re-reads the route and follows it), a disk error is a 503 with `retry-after`, and a file the
 * live release lacks stays a 404.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker, { type Env } from "../../edge/worker/index";

/** A disk service over a map of paths; `failing` paths throw like a read racing `rm -rf`. */
function disk(files: Map<string, string>, failing: Set<string>) {
  return {
    async fetch(input: string): Promise<Response> {
      const p = new URL(input).pathname.slice(1);
      if (failing.has(p)) throw new Error("disk service: read failed");
      const text = files.get(p);
      return text === undefined ? new Response("", { status: 404 }) : new Response(text);
    },
  };
}

const digest = (c: string) => c.repeat(64);
const route = (stable: { version: string; digest: string }) =>
  JSON.stringify({ app: "wix", stable, canary: null, weight: 0 });

let files: Map<string, string>;
let failing: Set<string>;
let env: Env;
const get = (p: string) =>
  worker.fetch(new Request(`http://edge${p}`, { headers: { "x-glidepath-visitor": "v1" } }), env);

let clock = Date.parse("2026-12-01T00:00:00Z");

beforeEach(() => {
  vi.useFakeTimers();
  // Past the previous test's cached routes; frozen within a test.
  clock += 60_000;
  vi.setSystemTime(clock);
  files = new Map();
  failing = new Set();
  env = {
    DISK: disk(files, failing),
    ADMIN_KEY: "k",
    APPS: "wix",
    STACK: "local",
    LATENCY_OBJECTIVE_MS: "500",
    MIN_REQUESTS: "20",
    MIN_SCORE: "99",
  };
});

afterEach(() => {
  vi.useRealTimers();
});

describe("edge: a release retired under a cached route", () => {
  it("follows the route once the retired release's files are gone, within the route cache's lifetime", async () => {
    // Each test uses its own digests: the Worker's route and file caches live for the module.
    const v1 = { version: "v1", digest: digest("1") };
    const v2 = { version: "v2", digest: digest("2") };
    files.set("routes/wix.json", route(v1));
    files.set("releases/wix/v1@1111111111111111/page.html", "one");
    files.set("releases/wix/v2@2222222222222222/page.html", "two");
    files.set("releases/wix/v2@2222222222222222/other.html", "two");
    const first = await get("/wix/page.html");
    expect([first.status, await first.text()]).toEqual([200, "one"]);
    // The update writes the route, then removes the retired release; the clock has not moved,
    // so the cached route still names v1.
    files.set("routes/wix.json", route(v2));
    files.delete("releases/wix/v1@1111111111111111/page.html");
    const second = await get("/wix/other.html");
    expect([second.status, second.headers.get("x-glidepath-release"), await second.text()]).toEqual([
      200,
      "wix@v2",
      "two",
    ]);
  });

  it("follows the route when the disk errors on a retired release's file", async () => {
    const v3 = { version: "v3", digest: digest("3") };
    const v4 = { version: "v4", digest: digest("4") };
    files.set("routes/wix.json", route(v3));
    files.set("releases/wix/v3@3333333333333333/a.html", "three");
    files.set("releases/wix/v4@4444444444444444/b.html", "four");
    expect((await get("/wix/a.html")).status).toBe(200);
    files.set("routes/wix.json", route(v4));
    failing.add("releases/wix/v3@3333333333333333/b.html");
    const res = await get("/wix/b.html");
    expect([res.status, await res.text()]).toEqual([200, "four"]);
  });

  it("answers 503 with retry-after when the disk errors on the live release, never a 500", async () => {
    const v5 = { version: "v5", digest: digest("5") };
    files.set("routes/wix.json", route(v5));
    failing.add("releases/wix/v5@5555555555555555/index.html");
    const res = await get("/wix/");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(res.headers.get("x-glidepath-release")).toBe("wix@v5");
  });

  it("keeps a 404 for a file the live release does not have", async () => {
    const v6 = { version: "v6", digest: digest("6") };
    files.set("routes/wix.json", route(v6));
    files.set("releases/wix/v6@6666666666666666/index.html", "six");
    const res = await get("/wix/nope.html");
    expect([res.status, res.headers.get("x-glidepath-release")]).toEqual([404, "wix@v6"]);
  });
});

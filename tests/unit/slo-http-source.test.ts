/**
 * The HTTP SLO source against a loopback server: every accepted shape, every kind of miss, and
 * no token from the URL in any description or detail.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  httpSloSource,
  readSloBody,
  redactUrl,
  sloCountsSchema,
  sloFiguresSchema,
  sloPerAppSchema,
  sloScoreSchema,
} from "../../automation/lib/slo/http-source";
import { clip, DETAIL_MAX, missSample, type SloSample } from "../../automation/lib/slo/sample";
import { type SloAnswer, type SloRequest, type SloServer, startSloServer } from "../helpers/slo-server";

/** Generous for answers that come at once; the timeout cases use tens of ms. */
const FAST = 2_000;
const SHORT = 40;

describe("httpSloSource", { timeout: 10_000 }, () => {
  let server: SloServer;
  let seen: SloRequest[] = [];
  const answer = (a: SloAnswer) =>
    server.setBehavior((req) => {
      seen.push(req);
      return a;
    });
  const source = (timeoutMs = FAST) => httpSloSource({ url: server.url, timeoutMs, now: () => 42 });
  const detailOf = (s: SloSample) => (s.ok ? "" : s.detail);

  beforeAll(async () => {
    server = await startSloServer(() => ({ kind: "json", body: { score: 99.5 } }));
  });
  afterAll(() => server.close());

  describe("accepted shapes", () => {
    const table: [string, unknown, string, SloSample][] = [
      ["an overall score", { score: 99.2 }, "wix", { ok: true, at: 42, score: 99.2 }],
      [
        "an overall score with extra keys (badge labels)",
        { score: 99.5, label: "SLO", color: "green" },
        "wix",
        { ok: true, at: 42, score: 99.5 },
      ],
      ["a score of 0", { score: 0 }, "wix", { ok: true, at: 42, score: 0 }],
      ["a score of 100", { score: 100 }, "wix", { ok: true, at: 42, score: 100 }],
      [
        "overall counts",
        { good: 995, total: 1000 },
        "wix",
        { ok: true, at: 42, score: 99.5, good: 995, total: 1000 },
      ],
      [
        "counts beside a score (the score is kept as reported)",
        { score: 99.9, good: 990, total: 1000 },
        "gamma",
        { ok: true, at: 42, score: 99.9, good: 990, total: 1000 },
      ],
      [
        "no traffic: score 100 with total 0, for the traffic guard",
        { good: 0, total: 0 },
        "wix",
        { ok: true, at: 42, score: 100, good: 0, total: 0 },
      ],
      [
        "a per-app score",
        { apps: { wix: { score: 99.5 }, gamma: { score: 98.1 } } },
        "gamma",
        { ok: true, at: 42, score: 98.1 },
      ],
      [
        "per-app counts",
        { apps: { wix: { score: 99.5 }, gamma: { good: 995, total: 1000 } } },
        "gamma",
        { ok: true, at: 42, score: 99.5, good: 995, total: 1000 },
      ],
      [
        "a per-app body whose other app's entry is bad",
        { apps: { wix: { score: 99.5 }, gamma: { score: "x" } } },
        "wix",
        { ok: true, at: 42, score: 99.5 },
      ],
    ];
    it.each(table)("reads %s", async (_what, body, app, sample) => {
      answer({ kind: "json", body });
      expect(await source().sample(app)).toEqual(sample);
    });

    it("exports a schema for each shape", () => {
      expect(sloScoreSchema.safeParse({ score: 99.2, label: "x" }).success).toBe(true);
      expect(sloCountsSchema.safeParse({ good: 995, total: 1000 }).success).toBe(true);
      expect(sloPerAppSchema.safeParse({ apps: { wix: { score: 99.5 } } }).success).toBe(true);
      expect(sloFiguresSchema.safeParse({ score: "99.1" }).success).toBe(false);
      expect(sloFiguresSchema.safeParse({ good: 1 }).success).toBe(false);
    });
  });

  describe("misses", () => {
    const table: [string, SloAnswer, string, RegExp][] = [
      ["HTTP 500", { kind: "status", code: 500 }, "error", /^HTTP 500 Internal Server Error$/],
      ["HTTP 404", { kind: "status", code: 404 }, "error", /^HTTP 404/],
      ["a body that is not JSON", { kind: "garbage" }, "not_json", /^not JSON: "<html>oops<\/html>"$/],
      ["a JSON array", { kind: "json", body: [99] }, "bad_shape", /expected object/],
      ["JSON null", { kind: "json", body: null }, "bad_shape", /expected object/],
      ["a body with no figures", { kind: "json", body: { status: "up" } }, "bad_shape", /"score" or/],
      [
        "a score given as a string",
        { kind: "json", body: { score: "99.1" } },
        "bad_shape",
        /^score: expected a number$/,
      ],
      ["good without total", { kind: "json", body: { good: 5 } }, "bad_shape", /"good" and "total" together/],
      ["apps that is not an object", { kind: "json", body: { apps: [1] } }, "bad_shape", /^apps: /],
      [
        "an app missing from a per-app body",
        { kind: "json", body: { apps: { gamma: { score: 99 } } } },
        "bad_shape",
        /^no figures for app "wix" in "apps"$/,
      ],
      [
        "a bad per-app entry",
        { kind: "json", body: { apps: { wix: { score: null } } } },
        "bad_shape",
        /^apps\.wix\.score: expected a number$/,
      ],
      [
        "a score above 100",
        { kind: "json", body: { score: 100.01 } },
        "out_of_range",
        /^score 100\.01 is outside 0–100$/,
      ],
      ["a negative score", { kind: "json", body: { score: -1 } }, "out_of_range", /^score -1 is outside/],
      [
        "more good requests than requests",
        { kind: "json", body: { good: 5, total: 4 } },
        "out_of_range",
        /impossible counts/,
      ],
      [
        "negative counts",
        { kind: "json", body: { good: -1, total: 4 } },
        "out_of_range",
        /impossible counts/,
      ],
    ];
    it.each(table)("counts %s as a miss", async (_what, a, kind, detail) => {
      answer(a);
      const s = await source().sample("wix");
      expect(s).toMatchObject({ ok: false, at: 42, miss: kind });
      expect(detailOf(s)).toMatch(detail);
    });

    it("counts a non-finite score (1e999 parses to Infinity) as out of range", () => {
      const s = readSloBody(JSON.parse('{"score": 1e999}'), "wix", 42);
      expect(s).toEqual({
        ok: false,
        at: 42,
        miss: "out_of_range",
        detail: "score Infinity is outside 0–100",
      });
    });

    it("counts an answer past the timeout as a timeout (hang and slow)", async () => {
      for (const a of [{ kind: "hang" }, { kind: "slow", ms: 500, body: { score: 100 } }] as SloAnswer[]) {
        answer(a);
        const started = Date.now();
        const s = await source(SHORT).sample("wix");
        expect(s).toMatchObject({ ok: false, miss: "timeout", detail: `no answer within ${SHORT} ms` });
        expect(Date.now() - started).toBeLessThan(1_000);
      }
    });

    it("takes a slow answer within the timeout", async () => {
      answer({ kind: "slow", ms: 5, body: { score: 99.9 } });
      expect(await source().sample("wix")).toEqual({ ok: true, at: 42, score: 99.9 });
    });

    it("counts a refused connection (the source is down) as an error", async () => {
      const gone = await startSloServer(() => ({ kind: "json", body: { score: 100 } }));
      await gone.close();
      const s = await httpSloSource({ url: gone.url, timeoutMs: FAST }).sample("wix");
      expect(s).toMatchObject({ ok: false, miss: "error", detail: "cannot reach the source (ECONNREFUSED)" });
    });

    it("counts an aborted sample as an error", async () => {
      answer({ kind: "hang" });
      const ctl = new AbortController();
      const pending = source().sample("wix", ctl.signal);
      setTimeout(() => ctl.abort(), 5);
      expect(await pending).toMatchObject({ ok: false, miss: "error", detail: "sampling aborted" });
    });

    it("counts an invalid URL as an error without throwing", async () => {
      const src = httpSloSource({ url: "not a url", timeoutMs: SHORT });
      expect(src.describe()).toBe("http (invalid URL)");
      expect(await src.sample("wix")).toMatchObject({ ok: false, miss: "error" });
    });

    it("never quotes a body wholesale", async () => {
      answer({ kind: "json", body: { score: "x".repeat(5_000) } });
      const s = await source().sample("wix");
      expect(s).toMatchObject({ ok: false, miss: "bad_shape" });
      expect(detailOf(s)).not.toContain("xxxx");
      const long = missSample(1, "not_json", `not JSON: ${"y".repeat(500)}`);
      expect(long.detail).toHaveLength(DETAIL_MAX);
      expect(long.detail.endsWith("…")).toBe(true);
      expect(clip("short")).toBe("short");
    });
  });

  describe("secrets in the URL", () => {
    const TOKEN = "s3cr3t";
    const secretUrl = () =>
      `${server.url.replace("http://", `http://user:${TOKEN}@`)}?token=${TOKEN}&app=wix`;

    it("redacts userinfo and query values", () => {
      expect(redactUrl(secretUrl())).toBe(`${server.url}?token=***&app=***`);
      expect(redactUrl("http://u:p@h/x#frag")).toBe("http://h/x");
    });

    it("sends userinfo as Basic auth and keeps it out of describe() and every detail", async () => {
      const src = httpSloSource({ url: secretUrl(), timeoutMs: FAST });
      const impatient = httpSloSource({ url: secretUrl(), timeoutMs: SHORT });
      expect(src.describe()).toBe(`http ${server.url}?token=***&app=***`);
      seen = [];
      answer({ kind: "json", body: { score: 99.5 } });
      expect(await src.sample("wix")).toMatchObject({ ok: true, score: 99.5 });
      expect(seen).toEqual([
        {
          app: "wix",
          authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString("base64")}`,
          token: TOKEN,
        },
      ]);
      const answers: SloAnswer[] = [
        { kind: "status", code: 503 },
        { kind: "garbage" },
        { kind: "json", body: { score: TOKEN } },
        { kind: "json", body: { apps: {} } },
      ];
      for (const a of answers) {
        answer(a);
        const s = await src.sample("wix");
        expect(s.ok).toBe(false);
        expect(detailOf(s)).not.toContain(TOKEN);
      }
      answer({ kind: "hang" });
      expect(detailOf(await impatient.sample("wix"))).not.toContain(TOKEN);
      const gone = await startSloServer(() => ({ kind: "hang" }));
      await gone.close();
      const down = httpSloSource({
        url: `${gone.url.replace("http://", `http://user:${TOKEN}@`)}?token=${TOKEN}`,
        timeoutMs: FAST,
      });
      const s = await down.sample("wix");
      expect(s).toMatchObject({ ok: false, miss: "error" });
      expect(`${down.describe()} ${detailOf(s)}`).not.toContain(TOKEN);
    });
  });
});

/** A loopback server answering by path: `routes[path]` gives status, headers and body. */
async function routedServer(
  routes: Record<
    string,
    (host: string) => { status: number; headers?: Record<string, string>; body?: unknown }
  >,
) {
  const seen: { path: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    seen.push({
      path: url.pathname,
      ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
    });
    const route = routes[url.pathname];
    const a = route ? route(`127.0.0.1:${(server.address() as AddressInfo).port}`) : { status: 404 };
    res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
    res.end(a.body === undefined ? "" : JSON.stringify(a.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("httpSloSource redirects", { timeout: 10_000 }, () => {
  const TOKEN = "s3cr3t";
  let other: Awaited<ReturnType<typeof routedServer>>;
  let home: Awaited<ReturnType<typeof routedServer>>;

  beforeAll(async () => {
    other = await routedServer({ "/slo": () => ({ status: 200, body: { score: 100 } }) });
    home = await routedServer({
      "/moved": () => ({ status: 302, headers: { location: "/slo" } }),
      "/moved-abs": (host) => ({ status: 301, headers: { location: `http://${host}/slo` } }),
      "/slo": () => ({ status: 200, body: { score: 99.5 } }),
      "/away": () => ({ status: 302, headers: { location: `${other.base}/slo?key=${TOKEN}` } }),
      "/loop": () => ({ status: 307, headers: { location: "/loop" } }),
      "/nowhere": () => ({ status: 302 }),
    });
  });
  afterAll(async () => {
    await home.close();
    await other.close();
  });

  const sample = (path: string, auth = false) =>
    httpSloSource({
      url: `${auth ? home.base.replace("http://", `http://user:${TOKEN}@`) : home.base}${path}?token=${TOKEN}`,
      timeoutMs: FAST,
      now: () => 42,
    }).sample("wix");

  it("follows a same-origin redirect, keeping the auth header", async () => {
    home.seen.length = 0;
    expect(await sample("/moved", true)).toEqual({ ok: true, at: 42, score: 99.5 });
    expect(await sample("/moved-abs")).toEqual({ ok: true, at: 42, score: 99.5 });
    const auth = `Basic ${Buffer.from(`user:${TOKEN}`).toString("base64")}`;
    expect(home.seen.slice(0, 2)).toEqual([
      { path: "/moved", authorization: auth },
      { path: "/slo", authorization: auth },
    ]);
  });

  it("refuses a redirect to another origin as an error miss, without asking it or printing secrets", async () => {
    other.seen.length = 0;
    const s = await sample("/away", true);
    expect(s).toEqual({
      ok: false,
      at: 42,
      miss: "error",
      detail: `HTTP 302: the redirect to another origin (${other.base}/slo?key=***) was refused`,
    });
    expect(other.seen).toEqual([]);
  });

  it("gives up after a few redirects, and on a redirect without a location", async () => {
    expect(await sample("/loop")).toMatchObject({
      ok: false,
      miss: "error",
      detail: "HTTP 307: more than 3 redirects",
    });
    expect(await sample("/nowhere")).toMatchObject({
      ok: false,
      miss: "error",
      detail: "HTTP 302 without a Location header",
    });
  });
});

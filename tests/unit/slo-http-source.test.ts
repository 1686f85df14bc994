/**
 * The HTTP SLO source against a loopback server: every accepted shape, every kind of miss, and
 * no token from the URL in any description or detail.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpSloSource, redactUrl } from "../../automation/lib/slo/http-source";
import { type SloAnswer, type SloServer, startSloServer } from "../helpers/slo-server";

describe("httpSloSource", () => {
  let server: SloServer;
  const answer = (a: SloAnswer) => server.setBehavior(() => a);
  const source = (timeoutMs = 300) => httpSloSource({ url: server.url, timeoutMs, now: () => 42 });

  beforeAll(async () => {
    server = await startSloServer(() => ({ kind: "json", body: { score: 99.5 } }));
  });
  afterAll(() => server.close());

  it("reads an overall score", async () => {
    answer({ kind: "json", body: { score: 99.5, label: "SLO" } });
    expect(await source().sample("wix")).toEqual({ ok: true, at: 42, score: 99.5 });
  });

  it("reads per-app figures, scores or counts", async () => {
    answer({ kind: "json", body: { apps: { wix: { score: 98.25 }, gamma: { good: 995, total: 1000 } } } });
    expect(await source().sample("wix")).toEqual({ ok: true, at: 42, score: 98.25 });
    expect(await source().sample("gamma")).toEqual({ ok: true, at: 42, score: 99.5, good: 995, total: 1000 });
  });

  it("takes counts with no requests as a sample without data (score 100, total 0) for the traffic guard", async () => {
    answer({ kind: "json", body: { good: 0, total: 0 } });
    expect(await source().sample("wix")).toEqual({ ok: true, at: 42, score: 100, good: 0, total: 0 });
  });

  const misses: [string, SloAnswer, string, RegExp][] = [
    [
      "an app missing from a per-app body",
      { kind: "json", body: { apps: { gamma: { score: 99 } } } },
      "bad_shape",
      /no figures for app "wix"/,
    ],
    ["a score given as a string", { kind: "json", body: { score: "99.1" } }, "bad_shape", /unexpected body/],
    [
      "a score above 100",
      { kind: "json", body: { score: 140 } },
      "out_of_range",
      /score 140 is outside 0–100/,
    ],
    [
      "more good requests than requests",
      { kind: "json", body: { good: 5, total: 4 } },
      "out_of_range",
      /impossible/,
    ],
    ["a body that is not JSON", { kind: "garbage" }, "not_json", /^not JSON: "<html>oops<\/html>"$/],
    ["HTTP 500", { kind: "status", code: 500 }, "error", /^HTTP 500 from /],
    ["an answer past the timeout", { kind: "hang" }, "timeout", /within 300 ms/],
  ];
  it.each(misses)("counts %s as a miss", async (_what, a, kind, detail) => {
    answer(a);
    const s = await source().sample("wix");
    expect(s).toMatchObject({ ok: false, miss: kind });
    expect(s.ok ? "" : s.detail).toMatch(detail);
  });

  it("counts a refused connection as an error", async () => {
    const gone = await startSloServer(() => ({ kind: "json", body: {} }));
    await gone.close();
    const s = await httpSloSource({ url: gone.url, timeoutMs: 300 }).sample("wix");
    expect(s).toMatchObject({ ok: false, miss: "error" });
    expect(s.ok ? "" : s.detail).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+\/slo \(ECONNREFUSED\)/);
  });

  it("never shows userinfo or query values of the URL", async () => {
    const url = server.url.replace("http://", "http://user:s3cr3t@") + "?token=s3cr3t";
    expect(redactUrl(url)).not.toContain("s3cr3t");
    answer({ kind: "status", code: 503 });
    const src = httpSloSource({ url, timeoutMs: 300 });
    const s = await src.sample("wix");
    expect(`${src.describe()} ${s.ok ? "" : s.detail}`).not.toContain("s3cr3t");
    expect(src.describe()).toContain("token=***");
  });
});

/**
 * The route document's optional fields (`revision`, a side's `origin`) and the mapping of a
 * request under an app to its origin's URL, pure.
 */
import { describe, expect, it } from "vitest";
import { isRoute, type Route } from "../../edge/worker/bucket";
import { originUrl } from "../../edge/worker/origin";

const route = (extra: Record<string, unknown> = {}, stable: Record<string, unknown> = {}): unknown => ({
  app: "wix",
  stable: { version: "v1", digest: "a".repeat(64), ...stable },
  canary: { version: "v2", digest: "b".repeat(64) },
  weight: 25,
  ...extra,
});

describe("route document: revision and origin", () => {
  it("accepts a revision and an absolute http(s) origin on either side", () => {
    expect(isRoute(route({ revision: "0123456789abcdef" }), "wix")).toBe(true);
    expect(isRoute(route({ revision: "r1" }), "wix")).toBe(true);
    expect(isRoute(route({}, { origin: "https://site.example/wix" }), "wix")).toBe(true);
    expect(isRoute(route({}, { origin: "http://127.0.0.1:8080/" }), "wix")).toBe(true);
    const canaryOrigin = route() as Route;
    (canaryOrigin.canary as { origin?: string }).origin = "https://gamma.example/docs/g_1";
    expect(isRoute(canaryOrigin, "wix")).toBe(true);
  });

  it("rejects a revision that is not a short header-safe token", () => {
    expect(isRoute(route({ revision: 7 }), "wix")).toBe(false);
    expect(isRoute(route({ revision: "" }), "wix")).toBe(false);
    expect(isRoute(route({ revision: "r1\r\nset-cookie: x=1" }), "wix")).toBe(false);
    expect(isRoute(route({ revision: "r".repeat(65) }), "wix")).toBe(false);
  });

  it("rejects an origin that is not an absolute http(s) URL, or carries credentials", () => {
    for (const origin of [
      "/relative",
      "ftp://site.example/",
      "javascript:alert(1)",
      "",
      42,
      "https://u:p@site.example/",
    ]) {
      expect(isRoute(route({}, { origin }), "wix"), String(origin)).toBe(false);
    }
  });
});

describe("origin URL of a request", () => {
  const ref = { version: "v2", digest: "b".repeat(64), origin: "https://site.example/base" };

  it("resolves the path under the origin (with a trailing slash), keeps the query and adds gp_release", () => {
    expect(originUrl(ref, "about/team.html", "?lang=en")?.href).toBe(
      "https://site.example/base/about/team.html?lang=en&gp_release=v2%40bbbbbbbbbbbbbbbb",
    );
    expect(originUrl({ ...ref, origin: "https://site.example/base/" }, "", "")?.href).toBe(
      "https://site.example/base/?gp_release=v2%40bbbbbbbbbbbbbbbb",
    );
  });

  it("replaces a gp_release the visitor sent", () => {
    const u = originUrl(ref, "x", "?gp_release=forged&a=1") as URL;
    expect(u.searchParams.getAll("gp_release")).toEqual(["v2@bbbbbbbbbbbbbbbb"]);
    expect(u.searchParams.get("a")).toBe("1");
  });

  it("never leaves the origin's base path: other hosts, schemes and dot segments give null", () => {
    for (const rest of [
      "//evil.example/x",
      "http://evil.example/",
      "https:evil",
      "%2e%2e/secret",
      "a/%2E%2E/%2e%2e/x",
      "\\\\evil.example/x",
    ]) {
      const u = originUrl(ref, rest, "");
      if (u !== null)
        expect(u.href.startsWith("https://site.example/base/"), `${rest} → ${u.href}`).toBe(true);
    }
    expect(originUrl(ref, "%2e%2e/secret", "")).toBeNull();
    expect(originUrl(ref, "//evil.example/x", "")?.host).toBe("site.example");
  });
});

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyMatches } from "../../edge/worker/admin";
import { bucketOf, isRoute, pickSide, type Route, releaseKey } from "../../edge/worker/bucket";
import { contentType, releaseFile } from "../../edge/worker/content";
import { flagKeys, flagsHeader, flagValue } from "../../edge/worker/flags";

const route = (weight: number, canary = true): Route => ({
  app: "wix",
  stable: { version: "v1", digest: "a".repeat(64) },
  canary: canary ? { version: "v2", digest: "b".repeat(64) } : null,
  weight,
});

describe("traffic split", () => {
  it("puts a visitor in the same bucket every time, and buckets in 0–99", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), (visitor) => {
        const b = bucketOf("wix", visitor);
        expect(b).toBe(bucketOf("wix", visitor));
        expect(Number.isInteger(b) && b >= 0 && b < 100).toBe(true);
      }),
    );
  });

  it("keeps a canary visitor on the canary as the weight rises, and a stable one on stable as it falls", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (v, a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const bucket = bucketOf("wix", v);
          if (pickSide(route(lo), bucket) === "canary") expect(pickSide(route(hi), bucket)).toBe("canary");
          if (pickSide(route(hi), bucket) === "stable") expect(pickSide(route(lo), bucket)).toBe("stable");
        },
      ),
    );
  });

  it("sends each weight's share of 10,000 sequential visitor keys to the canary, within 2 points", () => {
    for (const weight of [5, 25, 50, 100]) {
      let canary = 0;
      for (let i = 0; i < 10_000; i++)
        if (pickSide(route(weight), bucketOf("wix", `v${i}`)) === "canary") canary++;
      expect(Math.abs(canary / 100 - weight)).toBeLessThanOrEqual(2);
    }
  });

  it("splits one visitor's apps independently", () => {
    let same = 0;
    for (let i = 0; i < 2000; i++)
      if (bucketOf("wix", `v${i}`) < 50 === bucketOf("gamma", `v${i}`) < 50) same++;
    expect(same / 2000).toBeGreaterThan(0.45);
    expect(same / 2000).toBeLessThan(0.55);
  });

  it("serves stable when there is no canary, at weight 0, or with CanaryEnabled false", () => {
    expect(pickSide(route(100, false), 0)).toBe("stable");
    expect(pickSide(route(0), 0)).toBe("stable");
    expect(pickSide(route(100), 0, false)).toBe("stable");
    expect(pickSide(route(100), 99, true)).toBe("canary");
  });

  it("names a release directory by version and the digest's first 16 hex", () => {
    expect(releaseKey({ version: "v2", digest: "0123456789abcdef0123" })).toBe("v2@0123456789abcdef");
  });

  it("fails if a malformed route document passes as a route", () => {
    expect(isRoute(route(5), "wix")).toBe(true);
    expect(isRoute(route(5), "gamma")).toBe(false);
    expect(isRoute({ ...route(5), weight: 101 }, "wix")).toBe(false);
    expect(isRoute({ ...route(5), weight: 2.5 }, "wix")).toBe(false);
    expect(isRoute({ ...route(5), stable: { version: "v1", digest: "../../etc" } }, "wix")).toBe(false);
    expect(isRoute(null, "wix")).toBe(false);
  });
});

describe("release files", () => {
  it("maps directories to index.html and keeps plain paths", () => {
    expect(releaseFile("")).toBe("index.html");
    expect(releaseFile("docs/")).toBe("docs/index.html");
    expect(releaseFile("about.html")).toBe("about.html");
    expect(releaseFile("a%20b.html")).toBe("a b.html");
  });

  it("fails if a path could leave the release or read its metadata", () => {
    for (const bad of [
      "..",
      "../x",
      "a/../../x",
      "%2e%2e/x",
      "..%2fx",
      ".release.json",
      "a/.hidden",
      "a//b",
      "a%5cb",
      "%00",
      "%E0%A4%A",
    ]) {
      expect(releaseFile(bad), bad).toBeNull();
    }
  });

  it("gives media types by extension", () => {
    expect(contentType("index.html")).toBe("text/html; charset=utf-8");
    expect(contentType("panel.JS")).toBe("text/javascript; charset=utf-8");
    expect(contentType("blob")).toBe("application/octet-stream");
  });
});

describe("admin key", () => {
  it("accepts only the exact key", async () => {
    expect(await keyMatches("s3cret-key-value", "s3cret-key-value")).toBe(true);
    expect(await keyMatches(null, "s3cret-key-value")).toBe(false);
    expect(await keyMatches("", "s3cret-key-value")).toBe(false);
    expect(await keyMatches("s3cret-key-valuE", "s3cret-key-value")).toBe(false);
    expect(await keyMatches("s3cret-key-value ", "s3cret-key-value")).toBe(false);
  });

  it("fails if an empty configured key matches an empty header", async () => {
    expect(await keyMatches("", "")).toBe(false);
  });
});

describe("feature flags at the edge", () => {
  it("takes flag keys from a directory listing, ignoring other files", () => {
    expect(
      flagKeys([
        { name: "NewNav.json", type: "file" },
        { name: "CanaryEnabled.json", type: "file" },
        { name: "CanaryEnabled.json.123.tmp", type: "file" },
        { name: "sub", type: "directory" },
        { name: ".hidden.json", type: "file" },
      ]),
    ).toEqual(["CanaryEnabled", "NewNav"]);
    expect(flagKeys(undefined)).toEqual([]);
    expect(flagKeys({ name: "x.json" })).toEqual([]);
  });

  it("fails if a flag file for another app or key, or with a non-scalar value, is taken", () => {
    expect(flagValue({ app: "wix", key: "NewNav", value: "on" }, "wix", "NewNav")).toBe("on");
    expect(flagValue({ app: "wix", key: "CanaryEnabled", value: false }, "wix", "CanaryEnabled")).toBe(false);
    expect(flagValue({ app: "gamma", key: "NewNav", value: "on" }, "wix", "NewNav")).toBeUndefined();
    expect(flagValue({ app: "wix", key: "Other", value: "on" }, "wix", "NewNav")).toBeUndefined();
    expect(flagValue({ app: "wix", key: "NewNav", value: { a: 1 } }, "wix", "NewNav")).toBeUndefined();
    expect(flagValue(null, "wix", "NewNav")).toBeUndefined();
  });

  it("hands flags to pages as one header, keys sorted, values encoded", () => {
    expect(flagsHeader({ NewNav: "on; off", CanaryEnabled: true, Limit: 3 })).toBe(
      "CanaryEnabled=true; Limit=3; NewNav=on%3B%20off",
    );
    expect(flagsHeader({})).toBe("");
  });
});

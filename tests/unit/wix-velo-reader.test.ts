/**
 * The site-side reader (`apps/wix/velo/public/glidepath-release.js`) with a stand-in for the
 * `wix-data` and `wix-location-frontend` APIs.
 */
import fc from "fast-check";
import { beforeAll, expect, test } from "vitest";
import type { WixDataLike, WixQueryResult } from "../../apps/wix/velo/public/glidepath-release.js" with {
  "resolution-mode": "import",
};
import { flagRecordId, releaseRecordId, routeRecordId } from "../../providers/targets/wix-records";

// The reader is an ES module (apps/wix/velo has its own package.json); this test file is CommonJS.
const load = () => import("../../apps/wix/velo/public/glidepath-release.js");
type Reader = Awaited<ReturnType<typeof load>>;
let reader: Reader;
beforeAll(async () => {
  reader = await load();
});

type Item = Record<string, unknown>;

/** A stand-in for `wix-data`: `get`, and `query().eq().limit().find()` with pages of `pageSize`. */
function harness(collections: Record<string, Item[]>, pageSize = 2): WixDataLike & { gets: string[] } {
  const gets: string[] = [];
  const pages = (items: Item[], from: number): WixQueryResult => ({
    items: items.slice(from, from + pageSize),
    hasNext: () => from + pageSize < items.length,
    next: async () => pages(items, from + pageSize),
  });
  return {
    gets,
    async get(collection, id) {
      gets.push(`${collection}/${id}`);
      return (collections[collection] ?? []).find((i) => i._id === id) ?? null;
    },
    query: (collection) => ({
      eq: (field, value) => ({
        limit: () => ({
          find: async () =>
            pages(
              (collections[collection] ?? []).filter((i) => i[field] === value),
              0,
            ),
        }),
      }),
    }),
  };
}

const V1 = { version: "v1", digest: "1".repeat(64) };
const V2 = { version: "v2", digest: "2abcdef0".repeat(8) };

async function site(over: { route?: Item | null; releases?: Item[]; flags?: Item[] } = {}) {
  const release = async (ref: typeof V1) => ({
    _id: await releaseRecordId("wix", ref.version, ref.digest),
    app: "wix",
    ...ref,
    files: 3,
    index: { "index.html": "a".repeat(64) },
    owner: "urn:test",
  });
  const route =
    over.route === null
      ? []
      : [
          {
            _id: "route-wix",
            app: "wix",
            stable: V1,
            canary: V2,
            weight: 10,
            revision: "0".repeat(16),
            ...over.route,
          },
        ];
  return harness({
    GlidepathRoutes: route,
    GlidepathReleases: over.releases ?? [await release(V1), await release(V2)],
    GlidepathFlags: over.flags ?? [],
  });
}

test("the release the edge chose (gp_release names the canary) is the one read", async () => {
  const wixData = await site();
  const got = await reader.readRelease(wixData, "wix", { gp_release: `v2@${V2.digest.slice(0, 16)}` });
  expect(got).toMatchObject({
    side: "canary",
    fallback: false,
    release: { version: "v2", digest: V2.digest },
  });
  expect(wixData.gets).toEqual([
    "GlidepathRoutes/route-wix",
    `GlidepathReleases/${await releaseRecordId("wix", "v2", V2.digest)}`,
  ]);
});

test("gp_release naming the stable release reads it, not as a fallback", async () => {
  const got = await reader.readRelease(await site(), "wix", { gp_release: `v1@${V1.digest.slice(0, 16)}` });
  expect(got).toMatchObject({ side: "stable", fallback: false, release: { version: "v1" } });
});

test.each([
  ["absent", {}],
  ["malformed", { gp_release: "v2" }],
  ["a version of no release of the route", { gp_release: `v9@${V2.digest.slice(0, 16)}` }],
  ["the canary's version with another digest", { gp_release: "v2@0000000000000000" }],
])("gp_release %s falls back to the stable release", async (_, query) => {
  const got = await reader.readRelease(await site(), "wix", query);
  expect(got).toMatchObject({
    side: "stable",
    fallback: true,
    release: { version: "v1", digest: V1.digest },
  });
});

test("a chosen release whose record is missing (an unknown release id) falls back to the stable record", async () => {
  const only = await site();
  const v1 = await only.get("GlidepathReleases", await releaseRecordId("wix", "v1", V1.digest));
  const wixData = await site({ releases: [v1 as Item] });
  const got = await reader.readRelease(wixData, "wix", { gp_release: `v2@${V2.digest.slice(0, 16)}` });
  expect(got).toMatchObject({ side: "stable", fallback: true, release: { version: "v1" } });
});

test("no route record, or no record for the stable release, reads as no release", async () => {
  expect(await reader.readRelease(await site({ route: null }), "wix", {})).toBeUndefined();
  expect(
    await reader.readRelease(await site({ releases: [] }), "wix", {
      gp_release: `v2@${V2.digest.slice(0, 16)}`,
    }),
  ).toBeUndefined();
});

test("chooseRelease with no canary picks stable", () => {
  expect(
    reader.chooseRelease({ stable: V1, canary: null }, { gp_release: `v2@${V2.digest.slice(0, 16)}` }),
  ).toEqual({
    side: "stable",
    ref: V1,
    fallback: true,
  });
});

test("flags: only the app's, across pages", async () => {
  const flags = [
    { _id: "flag-wix-a", app: "wix", key: "a", value: true },
    { _id: "flag-gamma-a", app: "gamma", key: "a", value: false },
    { _id: "flag-wix-b", app: "wix", key: "b", value: { tier: 2 } },
    { _id: "flag-wix-c", app: "wix", key: "c", value: "x" },
  ];
  expect(await reader.readFlags(await site({ flags }), "wix")).toEqual({ a: true, b: { tier: 2 }, c: "x" });
  expect(await reader.readFlags(await site({ flags }), "gamma")).toEqual({ a: false });
});

test("readGlidepath takes the query from wix-location-frontend", async () => {
  const location = { query: { gp_release: `v2@${V2.digest.slice(0, 16)}` } };
  const flags = [{ _id: "flag-wix-a", app: "wix", key: "a", value: 1 }];
  const got = await reader.readGlidepath({ wixData: await site({ flags }), location, app: "wix" });
  expect(got.release?.side).toBe("canary");
  expect(got.flags).toEqual({ a: 1 });
});

test("the JS id rules equal the TypeScript ones", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.string({ unit: "binary" }),
      fc.string(),
      fc.string({ unit: "grapheme" }),
      async (app, version, digest) => {
        expect(await reader.releaseRecordId(app, version, digest)).toBe(
          await releaseRecordId(app, version, digest),
        );
        expect(reader.routeRecordId(app)).toBe(routeRecordId(app));
        expect(reader.flagRecordId(app, version)).toBe(flagRecordId(app, version));
      },
    ),
    { numRuns: 300 },
  );
  expect(await releaseRecordId("wix", "v1", "1".repeat(64))).toMatch(/^rel-[0-9a-f]{24}$/);
});

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, beforeEach, expect, test } from "vitest";
import { CredentialScopeError, type WixSpec } from "../../providers/targets/specs";
import { wixClient } from "../../providers/targets/wix-data";
import { startWixFake, type WixFake } from "../fakes/wix-fake";
import { ROOT } from "../helpers/dist";

const KEY = "wix-key-a-secret";
const collections = { releases: "GlidepathReleases", routes: "GlidepathRoutes", flags: "GlidepathFlags" };
let fake: WixFake;

beforeEach(async () => {
  fake = await startWixFake({
    keys: {
      [KEY]: { scope: "site-a", siteIds: ["site-a"] },
      "wix-key-b": { scope: "site-b", siteIds: ["site-b"] },
    },
  });
});
afterEach(() => fake.close());

const spec = (over: Partial<WixSpec> = {}): WixSpec => ({
  apiUrl: fake.url,
  siteId: "site-a",
  apiKey: KEY,
  collections,
  retry: { attempts: 3, baseMs: 1, maxBackoffMs: 2 },
  ...over,
});

test("save inserts then updates, sending data._id; get returns the data as the API gives it", async () => {
  const wix = wixClient(spec());
  expect(await wix.save("GlidepathFlags", "flag-wix-a", { app: "wix", key: "a", value: true })).toBe(
    "INSERTED",
  );
  expect(await wix.save("GlidepathFlags", "flag-wix-a", { app: "wix", key: "a", value: false })).toBe(
    "UPDATED",
  );
  expect(await wix.get("GlidepathFlags", "flag-wix-a")).toEqual({
    _id: "flag-wix-a",
    app: "wix",
    key: "a",
    value: false,
    _createdDate: { $date: expect.any(String) },
    _updatedDate: { $date: expect.any(String) },
  });
  expect(fake.writes.every((w) => w.applied && w.credentialScope === "site-a")).toBe(true);
});

test("get and remove of a missing item are fine; remove removes", async () => {
  const wix = wixClient(spec());
  expect(await wix.get("GlidepathFlags", "nope")).toBeUndefined();
  await wix.remove("GlidepathFlags", "nope");
  fake.editItem("site-a", "GlidepathFlags", "x", { app: "wix" });
  await wix.remove("GlidepathFlags", "x");
  expect(fake.items("site-a", "GlidepathFlags")).toEqual([]);
});

test("query reads every page with the cursor alone after the first", async () => {
  for (let i = 0; i < 250; i++)
    fake.editItem("site-a", "GlidepathFlags", `f${i}`, { app: i % 5 === 0 ? "gamma" : "wix", n: i });
  const wix = wixClient(spec());
  const all = await wix.query("GlidepathFlags", { app: { $eq: "wix" } });
  expect(all).toHaveLength(200);
  expect(all.map((d) => d.n)).toEqual(Array.from({ length: 250 }, (_, i) => i).filter((i) => i % 5 !== 0));
  const queries = fake.requests.filter((r) => r.path === "/wix-data/v2/items/query");
  expect(queries.length).toBe(2);
  expect(await wix.query("GlidepathFlags", { n: { $in: [0, 5] } })).toHaveLength(2);
});

test("publish counts; a site blocked by the pre-publish check is a clear error", async () => {
  const wix = wixClient(spec());
  await wix.publish();
  expect(fake.publishes("site-a")).toBe(1);
  fake.blockPublish("site-a");
  await expect(wix.publish()).rejects.toThrow(
    /site site-a failed Wix's pre-publish validation \(HTTP 428 FAILED_PRECONDITION/,
  );
});

test("verifyScope passes for a key of the site", async () => {
  await wixClient(spec()).verifyScope();
});

test.each([
  ["no key", "", /API key is not valid/],
  ["an unknown key", "made-up", /API key is not valid/],
  ["a key of another site", "wix-key-b", /site site-a/],
])("verifyScope refuses %s with CredentialScopeError and nothing is written", async (_, apiKey, message) => {
  const wix = wixClient(spec({ apiKey }));
  const err = await wix.verifyScope().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(CredentialScopeError);
  expect((err as Error).message).toMatch(message);
  expect((err as Error).message).not.toContain(apiKey || "\u0000");
  await expect(wix.save("GlidepathFlags", "f", { app: "wix" })).rejects.toBeInstanceOf(CredentialScopeError);
  expect(fake.writes.filter((w) => w.applied)).toEqual([]);
  expect(fake.writes).toHaveLength(1);
});

test("429 with Retry-After is honoured (the backoff alone would wait far longer)", async () => {
  fake.fault({
    path: "/wix-data/v2/items/save",
    fault: { kind: "throttle", retryAfterSeconds: 0 },
    times: 2,
  });
  const wix = wixClient(spec({ retry: { attempts: 3, baseMs: 600_000, maxBackoffMs: 600_000 } }));
  expect(await wix.save("GlidepathFlags", "f", { app: "wix" })).toBe("INSERTED");
  expect(fake.requests.map((r) => r.status)).toEqual([429, 429, 200]);
});

test("a Retry-After longer than the policy allows fails the request clearly", async () => {
  fake.fault({ path: "/wix-data/v2/items/save", fault: { kind: "throttle", retryAfterSeconds: 120 } });
  const wix = wixClient(spec({ retry: { attempts: 3, maxRetryAfterMs: 1000 } }));
  await expect(wix.save("GlidepathFlags", "f", {})).rejects.toThrow(
    /wix: save item f of GlidepathFlags: the API asked to wait 120 s/,
  );
  expect(fake.items("site-a", "GlidepathFlags")).toEqual([]);
});

test("5xx is retried", async () => {
  fake.fault({ path: "/wix-data/v2/items/", fault: { kind: "fail", status: 503 }, times: 2 });
  const wix = wixClient(spec());
  expect(await wix.get("GlidepathFlags", "nope")).toBeUndefined();
  expect(fake.requests.map((r) => r.status)).toEqual([503, 503, 404]);
});

test("a failure that persists ends after the bound with a clear error", async () => {
  fake.fault({ path: "/wix-data/v2/items/save", fault: { kind: "fail", status: 500 } });
  const wix = wixClient(spec());
  await expect(wix.save("GlidepathFlags", "f", {})).rejects.toThrow(
    "wix: save item f of GlidepathFlags: failed after 3 attempts (last: HTTP 500)",
  );
  expect(fake.requests).toHaveLength(3);
});

test("a non-retryable API error names the operation, the status, the Wix code and the remedy", async () => {
  fake.fault({ path: "/wix-data/v2/items/save", fault: { kind: "fail", status: 413 } });
  await expect(wixClient(spec()).save("GlidepathFlags", "f", {})).rejects.toThrow(
    'wix: save item f of GlidepathFlags failed (HTTP 413 UNKNOWN "injected failure"): make the record smaller',
  );
});

test("the client runs from its serialized text in a fresh process (as a dynamic provider would run it)", async () => {
  const script = `
const pulumi = require("@pulumi/pulumi");
const requireFromString = require("require-from-string");
const { wixClient } = require("./dist/providers/targets/wix-data.js");
const { releaseRecordId } = require("./dist/providers/targets/wix-records.js");
(async () => {
  const sf = await pulumi.runtime.serializeFunction(() => ({ wixClient, releaseRecordId }), { allowSecrets: true });
  const made = requireFromString(sf.text).handler();
  const wix = made.wixClient(JSON.parse(process.argv[1]));
  await wix.verifyScope();
  const id = await made.releaseRecordId("wix", "v1", "ab".repeat(32));
  const action = await wix.save("GlidepathReleases", id, { app: "wix" });
  console.log(JSON.stringify({ id, action, text: sf.text.includes("vitest") }));
})().catch((e) => { console.error(e); process.exit(1); });
`;
  const { stdout } = await promisify(execFile)(process.execPath, ["-e", script, JSON.stringify(spec())], {
    cwd: ROOT,
  });
  const out = JSON.parse(stdout);
  expect(out).toEqual({ id: expect.stringMatching(/^rel-[0-9a-f]{24}$/), action: "INSERTED", text: false });
  expect(fake.items("site-a", "GlidepathReleases").map((d) => d._id)).toEqual([out.id]);
});

/**
 * The file deployed to the site (`apps/wix/velo/backend/http-functions.js`): that it exports
 * `post_sync` and hands the endpoint the real Wix modules (mocked here by name: this checks the
 * wiring, the endpoint's behaviour is in sync-endpoint.test.ts): the response helpers of
 * `wix-http-functions`, `wix-data`, the Secrets Manager read elevated through `wix-auth`, and the
 * shipped `sync-config.js`.
 */
import { expect, test, vi } from "vitest";
import { signedHeaders } from "../../automation/lib/content/sync-signature";

const wix = vi.hoisted(() => ({
  elevated: [] as unknown[],
  secretReads: [] as string[],
  helpers: [] as string[],
  writes: [] as string[],
}));

vi.mock("wix-http-functions", async () => {
  const { httpFunctions } = await import("../fakes/velo-harness.js");
  const tagged = Object.fromEntries(
    Object.entries(httpFunctions).map(([name, fn]) => [
      name,
      (o: never) => {
        wix.helpers.push(name);
        return (fn as (o: never) => unknown)(o);
      },
    ]),
  );
  return tagged;
});
vi.mock("wix-data", async () => {
  const { memoryStore, wixDataOver } = await import("../fakes/velo-harness.js");
  const data = wixDataOver(memoryStore());
  return {
    default: {
      ...data,
      insert: (c: string, item: Record<string, unknown>, o?: object) => {
        wix.writes.push(`insert ${c}/${String(item._id)} ${JSON.stringify(o)}`);
        return data.insert(c, item, o);
      },
    },
  };
});
vi.mock("wix-secrets-backend.v2", () => ({
  secrets: {
    getSecretValue: async (name: string) => {
      wix.secretReads.push(name);
      if (name === "WIREDCHAOS_KEY_BUSINESS") return { value: "k".repeat(40) };
      throw new Error(`secret ${name} not found`);
    },
  },
}));
vi.mock("wix-auth", () => ({
  elevate: (fn: (...a: unknown[]) => unknown) => {
    wix.elevated.push(fn);
    return (...a: unknown[]) => fn(...a);
  },
}));

test("post_sync is the endpoint wired to wix-http-functions, wix-data, the elevated secret read and sync-config.js", async () => {
  const mod = await import("../../apps/wix/velo/backend/http-functions.js");
  const { secrets } = await import("wix-secrets-backend.v2" as string);
  expect(Object.keys(mod)).toEqual(["post_sync"]);
  expect(typeof mod.post_sync).toBe("function");
  expect(wix.elevated).toEqual([secrets.getSecretValue]);

  const body = JSON.stringify({
    op: "upsert",
    collection: "SwarmRegistryBusiness",
    items: [{ _id: "a", n: 1 }],
  });
  const { veloRequest } = await import("../fakes/velo-harness.js");
  const res = await mod.post_sync(
    veloRequest({
      url: "https://site.example/_functions/sync",
      headers: signedHeaders(
        { method: "POST", path: "/_functions/sync", keyId: "business", body },
        "k".repeat(40),
        Date.now(),
      ),
      body,
    }),
  );
  expect(res.status).toBe(200);
  expect(wix.helpers).toEqual(["ok"]);
  expect(wix.secretReads.sort()).toEqual(["WIREDCHAOS_KEY_BUSINESS", "WIREDCHAOS_KEY_BUSINESS_NEXT"]);
  expect(wix.writes).toEqual([
    expect.stringMatching(/^insert SyncNonces\/.+ \{"suppressAuth":true\}$/),
    'insert SwarmRegistryBusiness/a {"suppressAuth":true}',
  ]);

  const refused = await mod.post_sync(veloRequest({ url: "https://site.example/_functions/sync", body }));
  expect(refused.status).toBe(401);
  expect(wix.helpers).toEqual(["ok", "response"]);
});

/**
 * The Workers KV client against the loopback Cloudflare fake over real HTTP: round trips,
 * binary values, keys that need encoding, bulk chunking, paging, the scope check before any
 * write, and the retry rule (429 with Retry-After, 503 then success, a persistent 500). Also the
 * client as Pulumi serializes it, run in a fresh process.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { chunkBy, kvClient } from "../../providers/targets/cloudflare-kv";
import type { RetryPolicy } from "../../providers/targets/http-retry";
import { TargetHttpError } from "../../providers/targets/http-retry";
import { type CloudflareSpec, CredentialScopeError } from "../../providers/targets/specs";
import { type CloudflareFake, startCloudflareFake } from "../fakes/cloudflare-fake";
import { ROOT } from "../helpers/dist";

const ACCOUNT = "acc-staging";
const NS = "ns-staging";
const GOOD = "cf-token-staging-7c1e";
const tokens = {
  [GOOD]: { scope: "staging", accountId: ACCOUNT, namespaceIds: [NS] },
  "cf-token-prod-93ab": { scope: "production", accountId: "acc-prod", namespaceIds: ["ns-prod"] },
  "cf-token-disabled-11": {
    scope: "staging-old",
    accountId: ACCOUNT,
    namespaceIds: [NS],
    status: "disabled" as const,
  },
};
/** Small and quick: three attempts, millisecond backoffs. */
const fast: RetryPolicy = { attempts: 3, baseMs: 1, maxBackoffMs: 2, timeoutMs: 5_000 };

let fake: CloudflareFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(
  token = GOOD,
  retry: RetryPolicy = fast,
): Promise<{ f: CloudflareFake; spec: CloudflareSpec }> {
  fake = await startCloudflareFake({ tokens });
  return { f: fake, spec: { apiUrl: fake.apiUrl, accountId: ACCOUNT, namespaceId: NS, token, retry } };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a rejection");
}

const kvPrefix = `/client/v4/accounts/${ACCOUNT}/storage/kv/namespaces/${NS}`;

describe("cloudflare KV client", () => {
  it("round-trips text and binary values under keys that need URL encoding", async () => {
    const { f, spec } = await setup();
    const kv = kvClient(spec);
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    await kvClient({ ...spec, apiUrl: `${spec.apiUrl}/` }).put("routes/wix.json", '{"app":"wix"}');
    await kv.put("odd key?x=1#frag%20/é", every);
    expect(new TextDecoder().decode(await kv.get("routes/wix.json"))).toBe('{"app":"wix"}');
    expect([...((await kv.get("odd key?x=1#frag%20/é")) ?? [])]).toEqual([...every]);
    expect(f.kv(NS).get("odd key?x=1#frag%20/é")?.equals(Buffer.from(every))).toBe(true);
    expect(f.requests[0]?.path).toBe(`${kvPrefix}/values/routes%2Fwix.json`);
    expect(await kv.get("missing")).toBeUndefined();
    await kv.delete("routes/wix.json");
    await kv.delete("routes/wix.json");
    expect(await kv.get("routes/wix.json")).toBeUndefined();
    expect(f.writes.every((w) => w.applied && w.credentialScope === "staging")).toBe(true);
  });

  it("writes more than 10000 entries in bulk chunks of at most 10000, base64, bytes intact", async () => {
    const { f, spec } = await setup();
    const kv = kvClient(spec);
    const entries = Array.from({ length: 10_001 }, (_, i) => ({
      key: `files/${String(i).padStart(5, "0")}`,
      value: Uint8Array.of(i % 256, 0, 255),
    }));
    await kv.putMany(entries);
    const bulk = f.requests.filter((r) => r.path === `${kvPrefix}/bulk`);
    expect(bulk.map((r) => r.status)).toEqual([200, 200]);
    expect(f.kv(NS).size).toBe(10_001);
    expect([...(f.kv(NS).get("files/10000") ?? [])]).toEqual([10_000 % 256, 0, 255]);
    await kv.deleteMany(entries.map((e) => e.key));
    expect(f.requests.filter((r) => r.path === `${kvPrefix}/bulk/delete`)).toHaveLength(2);
    expect(f.kv(NS).size).toBe(0);
  });

  it("chunks by the chunk size it is given", async () => {
    const { f, spec } = await setup();
    const kv = kvClient(spec, { bulkChunkSize: 10 });
    await kv.putMany(Array.from({ length: 25 }, (_, i) => ({ key: `k${i}`, value: Uint8Array.of(i) })));
    await kv.deleteMany(Array.from({ length: 21 }, (_, i) => `k${i}`));
    expect(f.requests.map((r) => r.path.slice(kvPrefix.length))).toEqual([
      "/bulk",
      "/bulk",
      "/bulk",
      "/bulk/delete",
      "/bulk/delete",
      "/bulk/delete",
    ]);
    expect([...f.kv(NS).keys()].sort()).toEqual(["k21", "k22", "k23", "k24"]);
  });

  it("lists every key with a prefix across pages", async () => {
    const { f, spec } = await setup();
    for (let i = 0; i < 25; i++)
      f.kv(NS).set(`flags/wix/f${String(i).padStart(2, "0")}.json`, Buffer.from("{}"));
    f.kv(NS).set("flags/gamma/x.json", Buffer.from("{}"));
    const names = await kvClient(spec, { listPageSize: 10 }).list("flags/wix/");
    expect(names).toEqual(
      Array.from({ length: 25 }, (_, i) => `flags/wix/f${String(i).padStart(2, "0")}.json`),
    );
    expect(f.requests.filter((r) => r.path === `${kvPrefix}/keys`)).toHaveLength(3);
    expect(await kvClient(spec).list("nothing/")).toEqual([]);
  });

  it("passes verifyScope with the stack's own token", async () => {
    const { f, spec } = await setup();
    await kvClient(spec).verifyScope();
    expect(f.requests.map((r) => [r.path, r.status])).toEqual([
      ["/client/v4/user/tokens/verify", 200],
      [kvPrefix, 200],
    ]);
  });

  it.each([
    ["an unknown token", "cf-token-nope", /token is not valid \(HTTP 401 10000 "Authentication error"\)/],
    ["a disabled token", "cf-token-disabled-11", /token is not valid/],
    [
      "a token of another account",
      "cf-token-prod-93ab",
      /cannot reach KV namespace ns-staging of account acc-staging \(HTTP 403 10000/,
    ],
  ])("refuses %s with CredentialScopeError before any write", async (_, token, message) => {
    const { f, spec } = await setup(token);
    const kv = kvClient(spec);
    const publish = async () => {
      await kv.verifyScope();
      await kv.put("routes/wix.json", "{}");
    };
    const e = await rejection(publish());
    expect(e).toBeInstanceOf(CredentialScopeError);
    expect(e.message).toMatch(/^GP_CREDENTIAL_SCOPE: the cloudflare credential/);
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain(token);
    expect(f.writes).toEqual([]);
    expect(f.kv(NS).size).toBe(0);
  });

  it("names the operation, status, API code and remedy when a request is refused, never the token; 401/403 as a scope error", async () => {
    const { spec } = await setup();
    const e = await rejection(kvClient(spec).put("k".repeat(600), "x"));
    expect(e.message).toMatch(
      /^cloudflare: PUT KV key k+ failed \(HTTP 414 10033 "put: 'key name too long'"\): the value or key is larger/,
    );
    // A write refused for the token's scope, without a scope check first, is a scope error too.
    const other = await rejection(kvClient({ ...spec, token: "cf-token-prod-93ab" }).put("x", "y"));
    expect(other).toBeInstanceOf(CredentialScopeError);
    expect(other.message).toMatch(
      /PUT KV key x was refused \(HTTP 403 10000 "Authentication error"\) for account acc-staging, KV namespace ns-staging: give the token "Workers KV Storage: Edit"/,
    );
    expect(other.message).not.toContain("cf-token");
  });

  it("waits as a 429's Retry-After asks, instead of its own (here ten-minute) backoff", async () => {
    const { f, spec } = await setup(GOOD, { ...fast, baseMs: 600_000, maxBackoffMs: 600_000 });
    f.fault({ path: `${kvPrefix}/values/`, fault: { kind: "throttle", retryAfterSeconds: 0 }, times: 2 });
    await kvClient(spec).put("k", "v");
    expect(f.requests.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(f.kv(NS).get("k")?.toString()).toBe("v");
  }, 20_000);

  it("fails at once when a 429's Retry-After is longer than the policy allows", async () => {
    const { f, spec } = await setup(GOOD, { ...fast, maxRetryAfterMs: 1_000 });
    f.fault({ path: `${kvPrefix}/values/`, fault: { kind: "throttle", retryAfterSeconds: 300 } });
    const e = await rejection(kvClient(spec).put("k", "v"));
    expect(e).toBeInstanceOf(TargetHttpError);
    expect(e.message).toMatch(/^cloudflare: PUT KV key k: the API asked to wait 300 s \(HTTP 429\)/);
    expect(f.requests).toHaveLength(1);
  });

  it("retries a 503 and succeeds", async () => {
    const { f, spec } = await setup();
    f.fault({ method: "PUT", path: `${kvPrefix}/bulk`, fault: { kind: "fail", status: 503 }, times: 2 });
    await kvClient(spec).putMany([{ key: "a", value: Uint8Array.of(1) }]);
    expect(f.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(f.kv(NS).has("a")).toBe(true);
    expect(f.writes).toHaveLength(1);
  });

  it("fails with a clear error after the bound when the API keeps answering 500", async () => {
    const { f, spec } = await setup();
    f.fault({ path: kvPrefix, fault: { kind: "fail", status: 500 } });
    const e = await rejection(kvClient(spec).get("routes/wix.json"));
    expect(e).toBeInstanceOf(TargetHttpError);
    expect((e as TargetHttpError).status).toBe(500);
    expect(e.message).toBe(
      "cloudflare: GET KV key routes/wix.json: failed after 3 attempts (last: HTTP 500); check the service's " +
        'status and run the command again (API errors: 500 "injected failure")',
    );
    expect(f.requests).toHaveLength(3);
  });
});

describe("chunkBy", () => {
  it("keeps each chunk within the count and the byte budget, in order", () => {
    const items = [5, 5, 5, 20, 1, 1, 1];
    expect(chunkBy(items, 3, 12, (n) => n)).toEqual([[5, 5], [5], [20], [1, 1, 1]]);
    expect(chunkBy([], 3, 12, (n: number) => n)).toEqual([]);
  });
});

const serialize = `
const pulumi = require("@pulumi/pulumi");
const { kvClient } = require("./dist/providers/targets/cloudflare-kv.js");
pulumi.runtime.serializeFunction(() => kvClient, { allowSecrets: true })
  .then((sf) => process.stdout.write(sf.text));
`;

const exercise = `
const fs = require("node:fs");
const requireFromString = require("require-from-string");
const kvClient = requireFromString(fs.readFileSync(process.argv[1], "utf8")).handler();
const kv = kvClient(JSON.parse(process.argv[2]));
(async () => {
  await kv.verifyScope();
  await kv.put("routes/gamma.json", "{}");
  await kv.putMany([{ key: "files/ab", value: Uint8Array.of(0, 1, 2) }]);
  const listed = await kv.list("");
  const got = [...(await kv.get("files/ab"))];
  await kv.deleteMany(["files/ab"]);
  const caught = async (p) => {
    try { await p; return "no error"; }
    catch (e) { return [e instanceof Error, typeof e.stack === "string", e.name + ": " + e.message]; }
  };
  const scopeError = await caught(kvClient({ ...JSON.parse(process.argv[2]), token: "nope" }).verifyScope());
  const httpError = await caught(kv.get("fail-me"));
  console.log(JSON.stringify({ listed, got, scopeError, httpError }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe("serialized KV client", () => {
  it("runs in a fresh process from its serialized text alone", async () => {
    const { f, spec } = await setup();
    f.fault({ path: `${kvPrefix}/values/fail-me`, fault: { kind: "fail", status: 500 } });
    const run = promisify(execFile);
    const text = (await run(process.execPath, ["-e", serialize], { cwd: ROOT, encoding: "utf8" })).stdout;
    expect(text).not.toMatch(/__vite|vitest|require\("cloudflare"\)|node-fetch/);
    expect(text.length).toBeLessThan(40_000);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-cfkv-"));
    const file = path.join(dir, "client.js");
    await fs.writeFile(file, text);
    const out = await run(process.execPath, ["-e", exercise, file, JSON.stringify(spec)], {
      cwd: path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider"),
      encoding: "utf8",
    });
    expect(JSON.parse(out.stdout)).toEqual({
      listed: ["files/ab", "routes/gamma.json"],
      got: [0, 1, 2],
      // An Error subclass keeps its message, stack and Error prototype in serialized code.
      scopeError: [
        true,
        true,
        expect.stringMatching(/^CredentialScopeError: GP_CREDENTIAL_SCOPE: .*token is not valid/),
      ],
      httpError: [
        true,
        true,
        expect.stringMatching(/^TargetHttpError: cloudflare: GET KV key fail-me: failed after 3/),
      ],
    });
    expect(f.kv(NS).has("routes/gamma.json")).toBe(true);
  });
});

/**
 * The Cloudflare fake over real HTTP: the envelope, token scopes, the raw KV value routes, bulk
 * writes, cursor paging, the Worker upload's main_module check, faults from the shared base, and
 * the order in which writes reach the edge view.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type CloudflareFake, startCloudflareFake } from "./cloudflare-fake";

const ACCOUNT = "acc1";
const NS = "ns1";
const tokens = {
  "tok-good": { scope: "staging", accountId: ACCOUNT, namespaceIds: [NS] },
  "tok-other-ns": { scope: "other-ns", accountId: ACCOUNT, namespaceIds: ["ns2"] },
  "tok-other-account": { scope: "prod", accountId: "acc2", namespaceIds: ["ns3"] },
  "tok-expired": { scope: "old", accountId: ACCOUNT, namespaceIds: [NS], status: "expired" as const },
};

let fake: CloudflareFake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function call(
  f: CloudflareFake,
  method: string,
  path: string,
  opts: { token?: string | null; body?: RequestInit["body"]; type?: string } = {},
): Promise<{ status: number; json: unknown; bytes: Buffer; headers: Headers }> {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? "tok-good" : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (opts.type) headers["content-type"] = opts.type;
  const res = await fetch(`${f.apiUrl}${path}`, { method, headers, body: opts.body });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    json = undefined;
  }
  return { status: res.status, json, bytes, headers: res.headers };
}

const kvPath = (ns = NS, account = ACCOUNT) => `/accounts/${account}/storage/kv/namespaces/${ns}`;

describe("cloudflare fake", () => {
  it("answers the envelope, and 401 code 10000 without a Bearer token or with an unknown one", async () => {
    fake = await startCloudflareFake({ tokens });
    const ok = await call(fake, "GET", "/user/tokens/verify");
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({
      success: true,
      errors: [],
      messages: [],
      result: { id: "staging", status: "active" },
    });
    for (const token of [null, "tok-nope", "tok-expired"]) {
      const r = await call(fake, "GET", "/user/tokens/verify", { token });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({
        success: false,
        errors: [{ code: 10000, message: "Authentication error" }],
        messages: [],
        result: null,
      });
    }
    const ns = await call(fake, "GET", kvPath());
    expect(ns.json).toMatchObject({ success: true, result: { id: NS, title: NS } });
  });

  it("refuses an account or namespace outside the token's scope with 403 code 10000, and logs the refused write", async () => {
    fake = await startCloudflareFake({ tokens });
    const otherAccount = await call(fake, "PUT", `${kvPath()}/values/k`, {
      token: "tok-other-account",
      body: "x",
    });
    expect(otherAccount.status).toBe(403);
    expect(otherAccount.json).toMatchObject({ success: false, errors: [{ code: 10000 }] });
    const otherNs = await call(fake, "PUT", `${kvPath()}/values/k`, { token: "tok-other-ns", body: "x" });
    expect(otherNs.status).toBe(403);
    const noToken = await call(fake, "DELETE", `${kvPath()}/values/k`, { token: null });
    expect(noToken.status).toBe(401);
    const good = await call(fake, "PUT", `${kvPath()}/values/k`, { body: "x" });
    expect(good.status).toBe(200);
    expect(fake.writes).toEqual([
      {
        method: "PUT",
        path: `/client/v4${kvPath()}/values/k`,
        credentialScope: "prod",
        targetScope: "acc1/ns1",
        applied: false,
      },
      {
        method: "PUT",
        path: `/client/v4${kvPath()}/values/k`,
        credentialScope: "other-ns",
        targetScope: "acc1/ns1",
        applied: false,
      },
      {
        method: "DELETE",
        path: `/client/v4${kvPath()}/values/k`,
        credentialScope: "none",
        targetScope: "acc1/ns1",
        applied: false,
      },
      {
        method: "PUT",
        path: `/client/v4${kvPath()}/values/k`,
        credentialScope: "staging",
        targetScope: "acc1/ns1",
        applied: true,
      },
    ]);
    expect([...fake.kv(NS).keys()]).toEqual(["k"]);
    const get = await call(fake, "GET", kvPath(), { token: "tok-other-account" });
    expect(get.status).toBe(403);
  });

  it("stores raw and multipart PUTs, answers raw bytes on GET and 404 for a missing key", async () => {
    fake = await startCloudflareFake({ tokens });
    const bytes = Buffer.from([0, 1, 2, 255, 254]);
    await call(fake, "PUT", `${kvPath()}/values/${encodeURIComponent("routes/wix.json")}`, { body: bytes });
    const form = new FormData();
    form.set("value", new Blob([Buffer.from("from a form")]));
    form.set("metadata", "{}");
    const multipart = await call(fake, "PUT", `${kvPath()}/values/m`, { body: form });
    expect(multipart.json).toEqual({ success: true, errors: [], messages: [], result: {} });
    const got = await call(fake, "GET", `${kvPath()}/values/${encodeURIComponent("routes/wix.json")}`);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("application/octet-stream");
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(fake.kv(NS).get("m")?.toString()).toBe("from a form");
    const missing = await call(fake, "GET", `${kvPath()}/values/nope`);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ success: false, errors: [{ code: 10009 }] });
    await call(fake, "DELETE", `${kvPath()}/values/m`);
    expect(fake.kv(NS).has("m")).toBe(false);
  });

  it("writes and deletes in bulk, refusing more than 10000 pairs", async () => {
    fake = await startCloudflareFake({ tokens });
    const body = JSON.stringify([
      { key: "a", value: Buffer.from([9, 8]).toString("base64"), base64: true },
      { key: "b", value: "plain" },
    ]);
    const put = await call(fake, "PUT", `${kvPath()}/bulk`, { body, type: "application/json" });
    expect(put.json).toEqual({
      success: true,
      errors: [],
      messages: [],
      result: { successful_key_count: 2, unsuccessful_keys: [] },
    });
    expect([...(fake.kv(NS).get("a") ?? [])]).toEqual([9, 8]);
    expect(fake.kv(NS).get("b")?.toString()).toBe("plain");
    const tooMany = JSON.stringify(Array.from({ length: 10_001 }, (_, i) => ({ key: `k${i}`, value: "v" })));
    const refused = await call(fake, "PUT", `${kvPath()}/bulk`, { body: tooMany });
    expect(refused.status).toBe(400);
    expect(fake.writes.at(-1)).toMatchObject({ applied: false });
    expect(fake.kv(NS).size).toBe(2);
    const del = await call(fake, "POST", `${kvPath()}/bulk/delete`, {
      body: JSON.stringify(["a", "b", "c"]),
    });
    expect(del.status).toBe(200);
    expect(fake.kv(NS).size).toBe(0);
  });

  it("lists keys by prefix in pages joined by result_info.cursor", async () => {
    fake = await startCloudflareFake({ tokens });
    for (let i = 0; i < 25; i++) fake.kv(NS).set(`files/${String(i).padStart(2, "0")}`, Buffer.from("x"));
    fake.kv(NS).set("routes/wix.json", Buffer.from("{}"));
    const seen: string[] = [];
    const cursors: string[] = [];
    let cursor = "";
    do {
      const r = await call(
        fake,
        "GET",
        `${kvPath()}/keys?prefix=files%2F&limit=10&cursor=${encodeURIComponent(cursor)}`,
      );
      const json = r.json as { result: { name: string }[]; result_info: { count: number; cursor: string } };
      expect(json.result_info.count).toBe(json.result.length);
      seen.push(...json.result.map((k) => k.name));
      cursor = json.result_info.cursor;
      cursors.push(cursor);
    } while (cursor !== "");
    expect(cursors).toHaveLength(3);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `files/${String(i).padStart(2, "0")}`));
    const bad = await call(fake, "GET", `${kvPath()}/keys?limit=5`);
    expect(bad.status).toBe(400);
  });

  it("creates and lists namespaces in the token's account", async () => {
    fake = await startCloudflareFake({ tokens });
    const created = await call(fake, "POST", kvPath("").replace(/\/$/, ""), {
      body: JSON.stringify({ title: "edge" }),
    });
    const id = (created.json as { result: { id: string } }).result.id;
    expect(created.json).toMatchObject({ success: true, result: { title: "edge" } });
    const again = await call(fake, "POST", kvPath("").replace(/\/$/, ""), {
      body: JSON.stringify({ title: "edge" }),
    });
    expect(again.status).toBe(400);
    const list = await call(fake, "GET", kvPath("").replace(/\/$/, ""));
    expect((list.json as { result: { id: string }[] }).result.map((n) => n.id)).toEqual([NS, id]);
    expect(list.json).toMatchObject({ result_info: { page: 1, count: 2, total_count: 2 } });
  });

  it("takes a Worker upload only when main_module names a module part (else 400 code 10021)", async () => {
    fake = await startCloudflareFake({ tokens });
    const upload = (main: string, bindingNs = NS) => {
      const form = new FormData();
      form.set(
        "metadata",
        new Blob(
          [
            JSON.stringify({
              main_module: main,
              compatibility_date: "2026-11-01",
              bindings: [{ type: "kv_namespace", name: "EDGE", namespace_id: bindingNs }],
            }),
          ],
          { type: "application/json" },
        ),
      );
      form.set(
        "worker.js",
        new Blob(["export default {}"], { type: "application/javascript+module" }),
        "worker.js",
      );
      return call(fake as CloudflareFake, "PUT", `/accounts/${ACCOUNT}/workers/scripts/edge`, { body: form });
    };
    const wrong = await upload("index.js");
    expect(wrong.status).toBe(400);
    expect(wrong.json).toMatchObject({
      success: false,
      errors: [{ code: 10021, message: "No such module: index.js" }],
    });
    expect((await upload("worker.js", "nope")).status).toBe(400);
    const noMeta = new FormData();
    noMeta.set("worker.js", new Blob(["x"]), "worker.js");
    const noMetaRes = await call(fake, "PUT", `/accounts/${ACCOUNT}/workers/scripts/edge`, { body: noMeta });
    expect(noMetaRes.json).toMatchObject({
      errors: [{ code: 10021, message: "could not read content for part metadata" }],
    });
    const ok = await upload("worker.js");
    expect(ok.json).toMatchObject({ success: true, result: { id: "edge" } });
    const script = fake.scripts(ACCOUNT).get("edge");
    expect(script?.modules.get("worker.js")?.contentType).toBe("application/javascript+module");
    expect(script?.modules.get("worker.js")?.bytes.toString()).toBe("export default {}");
    expect(fake.writes.map((w) => [w.targetScope, w.applied])).toEqual([
      ["acc1/workers/edge", false],
      ["acc1/workers/edge", false],
      ["acc1/workers/edge", false],
      ["acc1/workers/edge", true],
    ]);
  });

  it("applies the shared base's faults with the API's error envelope, before the data is touched", async () => {
    fake = await startCloudflareFake({ tokens });
    fake.fault({
      method: "PUT",
      path: `/client/v4${kvPath()}/values/`,
      fault: { kind: "fail", status: 503 },
      times: 1,
    });
    fake.fault({
      path: `/client/v4${kvPath()}/keys`,
      fault: { kind: "throttle", retryAfterSeconds: 7 },
      times: 1,
    });
    const failed = await call(fake, "PUT", `${kvPath()}/values/k`, { body: "x" });
    expect(failed.status).toBe(503);
    expect(failed.json).toMatchObject({
      success: false,
      result: null,
      errors: [{ message: "injected failure" }],
    });
    expect(fake.kv(NS).has("k")).toBe(false);
    const throttled = await call(fake, "GET", `${kvPath()}/keys`);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("7");
    expect((await call(fake, "PUT", `${kvPath()}/values/k`, { body: "x" })).status).toBe(200);
    expect(fake.requests.map((r) => [r.status, r.fault])).toEqual([
      [503, "fail"],
      [429, "throttle"],
      [200, undefined],
    ]);
  });

  it("shows an API write to the edge view only after the visibility delay, in write order", async () => {
    const events: string[] = [];
    fake = await startCloudflareFake({
      tokens,
      visibilityDelayMs: 50,
      onVisible: (ns, key, bytes) => {
        events.push(`${ns}:${key}=${bytes === null ? "null" : bytes.toString()}`);
      },
    });
    await call(fake, "PUT", `${kvPath()}/values/k`, { body: "1" });
    await call(fake, "PUT", `${kvPath()}/values/k`, { body: "2" });
    await call(fake, "DELETE", `${kvPath()}/values/gone`);
    // The API reads its own write at once; the edge has not seen it yet.
    expect((await call(fake, "GET", `${kvPath()}/values/k`)).bytes.toString()).toBe("2");
    expect(fake.edgeKv(NS).has("k")).toBe(false);
    expect(events).toEqual([]);
    await fake.settled();
    expect(events).toEqual(["ns1:k=1", "ns1:k=2", "ns1:gone=null"]);
    expect(fake.edgeKv(NS).get("k")?.toString()).toBe("2");
    // A hand edit reaches the edge at once and leaves no write log entry.
    const logged = fake.writes.length;
    await fake.editKv(NS, "k", "hand");
    expect(events.at(-1)).toBe("ns1:k=hand");
    expect(fake.edgeKv(NS).get("k")?.toString()).toBe("hand");
    expect(fake.writes).toHaveLength(logged);
  });
});

/**
 * The Gamma fake answers as the public API documents: auth, validation, credits, generation
 * states, cursor lists, archive and delete, throttling, workspace scope, and the write log.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type GammaFake, startGammaFake } from "./gamma-fake";

let fake: GammaFake;
let api: string;

beforeEach(async () => {
  fake = await startGammaFake({
    keys: {
      "sk-gamma-a": { scope: "key-a", workspace: "ws-a", folderIds: ["f1", "f2", "f3"], credits: 100 },
      "sk-gamma-admin": { scope: "key-admin", workspace: "ws-a", folderIds: ["f4"], admin: true },
      "sk-gamma-b": { scope: "key-b", workspace: "ws-b", folderIds: ["fb"] },
    },
    completeAfterPolls: 2,
    creditsPerGeneration: 40,
  });
  api = `${fake.url}/v1.0`;
});

afterEach(async () => {
  await fake.close();
});

async function call(
  method: string,
  path: string,
  key: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (key !== undefined) headers["x-api-key"] = key;
  const res = await fetch(`${api}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

async function generate(key: string, folderId: string, inputText = "# Investors\nQ4"): Promise<string> {
  const r = await call("POST", "/generations", key, { inputText, folderIds: [folderId] });
  expect(r.status).toBe(200);
  return r.body.generationId as string;
}

describe("Gamma fake", () => {
  it("refuses a missing or unknown X-API-KEY with 401 {message, statusCode}", async () => {
    for (const key of [undefined, "sk-gamma-nope"]) {
      const r = await call("GET", "/folders", key);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ message: "Invalid API key.", statusCode: 401 });
    }
    const w = await call("POST", "/generations", "sk-gamma-nope", { inputText: "x" });
    expect(w.status).toBe(401);
    expect(fake.writes).toEqual([
      { method: "POST", path: "/v1.0/generations", credentialScope: "-", targetScope: "-", applied: false },
    ]);
  });

  it("refuses an empty or too long inputText with 400 Input validation errors, and logs the refusal", async () => {
    for (const inputText of ["", "x".repeat(400_001), 7]) {
      const r = await call("POST", "/generations", "sk-gamma-a", { inputText, folderIds: ["f1"] });
      expect(r.status).toBe(400);
      expect(r.body.statusCode).toBe(400);
      expect(r.body.message).toMatch(/^Input validation errors: 1\. inputText/);
    }
    expect(fake.generations()).toBe(0);
    expect(fake.writes.map((w) => w.applied)).toEqual([false, false, false]);
  });

  it("moves a generation from pending to completed after N polls, with g_ id, url and credits", async () => {
    const id = await generate("sk-gamma-a", "f2");
    for (let i = 0; i < 2; i++) {
      const r = await call("GET", `/generations/${id}`, "sk-gamma-a");
      expect(r.body).toEqual({ generationId: id, status: "pending" });
    }
    const done = await call("GET", `/generations/${id}`, "sk-gamma-a");
    expect(done.body).toMatchObject({
      generationId: id,
      status: "completed",
      credits: { deducted: 40, remaining: 60 },
    });
    const gammaId = done.body.gammaId as string;
    expect(gammaId).toMatch(/^g_[0-9a-f]+$/);
    expect(done.body.gammaUrl).toBe(`${fake.url}/docs/${gammaId}`);
    expect(done.headers.get("x-request-id")).toMatch(/^[0-9a-f]+$/);
    // Polling again does not deduct twice.
    const again = await call("GET", `/generations/${id}`, "sk-gamma-a");
    expect(again.body).toMatchObject({ gammaId, credits: { deducted: 40, remaining: 60 } });
    expect(fake.credits("key-a")).toBe(60);
    expect(fake.gammas()).toEqual([
      { gammaId, folderId: "f2", inputText: "# Investors\nQ4", archived: false },
    ]);
    expect(fake.writes).toEqual([
      {
        method: "POST",
        path: "/v1.0/generations",
        credentialScope: "key-a",
        targetScope: "ws-a/f2",
        applied: true,
      },
    ]);
    const page = await fetch(`${fake.url}/docs/${gammaId}?gp_release=v2`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("gp_release=v2");
    const gamma = await call("GET", `/gammas/${gammaId}`, "sk-gamma-a");
    expect(gamma.body).toMatchObject({ id: gammaId, type: "regular", url: `${fake.url}/docs/${gammaId}` });
  });

  it("answers 402 once the credits are used up by completed generations", async () => {
    for (let i = 0; i < 2; i++) {
      const id = await generate("sk-gamma-a", "f1");
      for (let p = 0; p < 3; p++) await call("GET", `/generations/${id}`, "sk-gamma-a");
    }
    expect(fake.credits("key-a")).toBe(20);
    const r = await call("POST", "/generations", "sk-gamma-a", { inputText: "x", folderIds: ["f1"] });
    expect(r.status).toBe(402);
    expect(r.body).toEqual({ message: "Insufficient credits remaining", statusCode: 402 });
    expect(fake.writes.at(-1)?.applied).toBe(false);
  });

  it("answers 404 for an unknown generation id and for another workspace's generation", async () => {
    const r = await call("GET", "/generations/gen_nope", "sk-gamma-a");
    expect(r.status).toBe(404);
    expect(r.body.message).toBe("Generation ID not found. generationId: gen_nope");
    const id = await generate("sk-gamma-b", "fb");
    expect((await call("GET", `/generations/${id}`, "sk-gamma-a")).status).toBe(404);
  });

  it("ends a generation failed when failNext is set, without a gamma or credits used", async () => {
    fake.failNext(1);
    const id = await generate("sk-gamma-a", "f1");
    await call("GET", `/generations/${id}`, "sk-gamma-a");
    await call("GET", `/generations/${id}`, "sk-gamma-a");
    const r = await call("GET", `/generations/${id}`, "sk-gamma-a");
    expect(r.body).toMatchObject({ status: "failed", error: { statusCode: 500 } });
    expect((r.body.error as { message: string }).message).toBe(
      "An error occurred while generating the gamma.",
    );
    expect(fake.gammas()).toEqual([]);
    expect(fake.credits("key-a")).toBe(100);
    const next = await generate("sk-gamma-a", "f1");
    for (let p = 0; p < 2; p++) await call("GET", `/generations/${next}`, "sk-gamma-a");
    expect((await call("GET", `/generations/${next}`, "sk-gamma-a")).body.status).toBe("completed");
  });

  it("refuses a generation into another workspace's folder with 403 and logs it unapplied", async () => {
    const r = await call("POST", "/generations", "sk-gamma-a", { inputText: "x", folderIds: ["fb"] });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ message: "Forbidden", statusCode: 403 });
    expect(fake.writes).toEqual([
      {
        method: "POST",
        path: "/v1.0/generations",
        credentialScope: "key-a",
        targetScope: "ws-a/fb",
        applied: false,
      },
    ]);
    expect(fake.generations()).toBe(0);
  });

  it("lists only the key's workspace's folders, page by page with after/hasMore/nextCursor", async () => {
    const first = await call("GET", "/folders?limit=3", "sk-gamma-a");
    expect(first.body.data).toEqual([
      { id: "f1", name: "Folder f1" },
      { id: "f2", name: "Folder f2" },
      { id: "f3", name: "Folder f3" },
    ]);
    expect(first.body.hasMore).toBe(true);
    const second = await call("GET", `/folders?limit=3&after=${first.body.nextCursor}`, "sk-gamma-a");
    expect(second.body).toEqual({
      data: [{ id: "f4", name: "Folder f4" }],
      hasMore: false,
      nextCursor: null,
    });
    const b = await call("GET", "/folders", "sk-gamma-b");
    expect(b.body).toEqual({ data: [{ id: "fb", name: "Folder fb" }], hasMore: false, nextCursor: null });
    for (const limit of ["0", "51", "x"]) {
      expect((await call("GET", `/folders?limit=${limit}`, "sk-gamma-a")).status).toBe(400);
    }
    expect((await call("GET", "/folders?after=bogus", "sk-gamma-a")).status).toBe(400);
  });

  it("lists themes as a cursor list too", async () => {
    const first = await call("GET", "/themes?limit=2", "sk-gamma-a");
    expect((first.body.data as unknown[]).length).toBe(2);
    expect(first.body.hasMore).toBe(true);
    const rest = await call("GET", `/themes?limit=2&after=${first.body.nextCursor}`, "sk-gamma-a");
    expect(rest.body).toMatchObject({ hasMore: false, nextCursor: null });
    expect((rest.body.data as { type: string }[])[0]?.type).toBe("standard");
  });

  it("archives idempotently, and deletes only for an admin key (403 otherwise), then answers 404", async () => {
    const id = await generate("sk-gamma-a", "f1");
    let gammaId = "";
    for (let p = 0; p < 3; p++)
      gammaId = ((await call("GET", `/generations/${id}`, "sk-gamma-a")).body.gammaId ?? "") as string;
    for (let i = 0; i < 2; i++) {
      const r = await call("POST", `/gammas/${gammaId}/archive`, "sk-gamma-a");
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ gammaId, archived: true });
    }
    expect(fake.gammas()[0]?.archived).toBe(true);
    const other = await call("POST", `/gammas/${gammaId}/archive`, "sk-gamma-b");
    expect(other.status).toBe(403);
    const refused = await call("DELETE", `/gammas/${gammaId}`, "sk-gamma-a");
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe("Access denied - workspace admin role required");
    const deleted = await call("DELETE", `/gammas/${gammaId}`, "sk-gamma-admin");
    expect(deleted.body).toMatchObject({ status: "deleted", gammaId });
    expect((await call("GET", `/gammas/${gammaId}`, "sk-gamma-a")).status).toBe(404);
    expect((await fetch(`${fake.url}/docs/${gammaId}`)).status).toBe(404);
    expect(fake.writes.map((w) => [w.method, w.credentialScope, w.applied])).toEqual([
      ["POST", "key-a", true],
      ["POST", "key-a", true],
      ["POST", "key-a", true],
      ["POST", "key-b", false],
      ["DELETE", "key-a", false],
      ["DELETE", "key-admin", true],
    ]);
  });

  it("forgets a gamma deleted by hand without a write log entry", async () => {
    const id = await generate("sk-gamma-a", "f1");
    let gammaId = "";
    for (let p = 0; p < 3; p++)
      gammaId = ((await call("GET", `/generations/${id}`, "sk-gamma-a")).body.gammaId ?? "") as string;
    fake.deleteByHand(gammaId);
    expect(fake.gammas()).toEqual([]);
    expect((await call("GET", `/gammas/${gammaId}`, "sk-gamma-a")).status).toBe(404);
    expect(fake.writes).toHaveLength(1);
  });

  it("throttles with 429, Retry-After and the API's error body through the base's fault", async () => {
    fake.fault({ path: "/v1.0/folders", fault: { kind: "throttle", retryAfterSeconds: 2 }, times: 1 });
    const r = await call("GET", "/folders", "sk-gamma-a");
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("2");
    expect(r.body).toEqual({ message: "Too many requests", statusCode: 429 });
    expect((await call("GET", "/folders", "sk-gamma-a")).status).toBe(200);
  });
});

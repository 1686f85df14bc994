/**
 * The Gamma client against the loopback Gamma fake: a release's generation from start to
 * completion, the failures an update must stop on (failed, no credits, validation), the scope
 * check before any write, archive and lookup, throttling, and the client as Pulumi serializes it.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { gammaClient } from "../../providers/targets/gamma-api";
import { CredentialScopeError, type GammaSpec } from "../../providers/targets/specs";
import { type GammaFake, startGammaFake } from "../fakes/gamma-fake";
import { ROOT } from "../helpers/dist";

const KEY_A = "sk-gamma-a-secret";
const KEY_B = "sk-gamma-b-secret";
const MANY = Array.from({ length: 120 }, (_, i) => `fld${String(i).padStart(3, "0")}`);

let fake: GammaFake;

beforeEach(async () => {
  fake = await startGammaFake({
    keys: {
      [KEY_A]: { scope: "key-a", workspace: "ws-a", folderIds: MANY, credits: 100 },
      [KEY_B]: { scope: "key-b", workspace: "ws-b", folderIds: ["other"] },
    },
    completeAfterPolls: 2,
    creditsPerGeneration: 40,
  });
});

afterEach(async () => {
  await fake.close();
});

function spec(over: Partial<GammaSpec> = {}): GammaSpec {
  return {
    apiUrl: `${fake.url}/v1.0`,
    folderId: "fld119",
    token: KEY_A,
    pollIntervalMs: 1,
    retry: { attempts: 3, baseMs: 1, maxBackoffMs: 1 },
    ...over,
  };
}

async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Error);
  const err = e as Error;
  expect(err.message).not.toContain(KEY_A);
  expect(err.message).not.toContain(KEY_B);
  return err;
}

async function release(client = gammaClient(spec())): Promise<{ gammaId: string; gammaUrl: string }> {
  const id = await client.startGeneration({ inputText: "# Investors\nQ4", folderId: "fld119" });
  return client.waitForGeneration(id);
}

describe("gammaClient", () => {
  it("generates a gamma into the stack's folder and waits for it to complete", async () => {
    const client = gammaClient(spec());
    const id = await client.startGeneration({
      inputText: "# Investors\nQ4",
      folderId: "fld119",
      additionalInstructions: "one card",
    });
    expect(id).toMatch(/^gen_/);
    const done = await client.waitForGeneration(id);
    expect(done.gammaId).toMatch(/^g_/);
    expect(done.gammaUrl).toBe(`${fake.url}/docs/${done.gammaId}`);
    expect(fake.gammas()).toEqual([
      { gammaId: done.gammaId, folderId: "fld119", inputText: "# Investors\nQ4", archived: false },
    ]);
    expect(fake.credits("key-a")).toBe(60);
    // Two pending answers, then the completed one.
    expect(fake.requests.filter((r) => r.path === `/v1.0/generations/${id}`)).toHaveLength(3);
    expect(await client.getGamma(done.gammaId)).toEqual({ id: done.gammaId, url: done.gammaUrl });
  });

  it("fails the update when the generation ends failed, with the API's message and the stack on its last green state", async () => {
    fake.failNext(1);
    const client = gammaClient(spec());
    const id = await client.startGeneration({ inputText: "x", folderId: "fld119" });
    const err = await failure(client.waitForGeneration(id));
    expect(err.message).toBe(
      `gamma: generation ${id} failed: An error occurred while generating the gamma.; the update fails and the ` +
        "stack stays on its last green state: fix what the message names, then run the update again",
    );
    expect(fake.gammas()).toEqual([]);
  });

  it("fails when a generation does not complete within the poll timeout", async () => {
    await fake.close();
    fake = await startGammaFake({
      keys: { [KEY_A]: { scope: "key-a", workspace: "ws-a", folderIds: ["fld119"] } },
      completeAfterPolls: Number.MAX_SAFE_INTEGER,
    });
    const client = gammaClient(spec({ pollIntervalMs: 5, pollTimeoutMs: 30 }));
    const id = await client.startGeneration({ inputText: "x", folderId: "fld119" });
    const err = await failure(client.waitForGeneration(id));
    expect(err.message).toMatch(
      new RegExp(
        `^gamma: generation ${id} did not complete within 0 s \\(last status "pending"\\); .*last green state`,
      ),
    );
  });

  it("refuses to generate without credits (402) with the remedy", async () => {
    const client = gammaClient(spec());
    await release(client);
    await release(client);
    const err = await failure(client.startGeneration({ inputText: "x", folderId: "fld119" }));
    expect(err.message).toBe(
      'gamma: no credits left (HTTP 402 "Insufficient credits remaining"): add credits to the workspace, then run the update again',
    );
    expect(fake.generations()).toBe(2);
  });

  it("refuses an empty inputText with the API's validation message (400)", async () => {
    const err = await failure(gammaClient(spec()).startGeneration({ inputText: "", folderId: "fld119" }));
    expect(err.message).toMatch(
      /^gamma: POST \/generations failed \(HTTP 400 "Input validation errors: 1\. inputText must be between 1 and 400000 characters \(got 0\)"\): fix the request field/,
    );
    expect(fake.writes.filter((w) => w.applied)).toEqual([]);
  });

  it("verifyScope finds the stack's folder on a later page of GET /folders", async () => {
    await gammaClient(spec()).verifyScope();
    const pages = fake.requests.filter((r) => r.path === "/v1.0/folders");
    expect(pages.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(fake.writes).toEqual([]);
  });

  it("verifyScope refuses an invalid key with CredentialScopeError and writes nothing", async () => {
    const err = await failure(gammaClient(spec({ token: "sk-gamma-wrong" })).verifyScope());
    expect(err).toBeInstanceOf(CredentialScopeError);
    expect(err.message).toBe(
      "GP_CREDENTIAL_SCOPE: the gamma credential does not belong to this stack's scope: API key is not valid",
    );
    expect(err.message).not.toContain("sk-gamma-wrong");
    expect(fake.writes.filter((w) => w.applied)).toEqual([]);
  });

  it("verifyScope refuses a key of another workspace, naming the folder, and writes nothing", async () => {
    const err = await failure(gammaClient(spec({ token: KEY_B })).verifyScope());
    expect(err).toBeInstanceOf(CredentialScopeError);
    expect((err as CredentialScopeError).mismatch).toMatch(
      /^folder fld119 is not a folder of the API key's workspace \(1 folders listed\); set glidepath:targets\.gamma\.folderId \(GAMMA_SPACE_ID\)/,
    );
    expect(fake.writes.filter((w) => w.applied)).toEqual([]);
    expect(fake.gammas()).toEqual([]);
  });

  it("archives a gamma twice without error (idempotent), and a gamma gone is fine to archive", async () => {
    const client = gammaClient(spec());
    const { gammaId } = await release(client);
    await client.archive(gammaId);
    await client.archive(gammaId);
    expect(fake.gammas()[0]?.archived).toBe(true);
    fake.deleteByHand(gammaId);
    await client.archive(gammaId);
  });

  it("getGamma answers undefined for a deleted gamma", async () => {
    const client = gammaClient(spec());
    const { gammaId } = await release(client);
    fake.deleteByHand(gammaId);
    expect(await client.getGamma(gammaId)).toBeUndefined();
  });

  it("waits as Retry-After asks on 429 instead of its own (long) backoff, then succeeds", async () => {
    fake.fault({ path: "/v1.0/folders", fault: { kind: "throttle", retryAfterSeconds: 1 }, times: 1 });
    // The backoff alone would wait two minutes (past the test's timeout): only Retry-After lets it finish.
    await gammaClient(spec({ retry: { attempts: 2, baseMs: 120_000, maxBackoffMs: 120_000 } })).verifyScope();
    const folders = fake.requests.filter((r) => r.path === "/v1.0/folders");
    expect(folders.map((r) => r.status)).toEqual([429, 200, 200, 200]);
  }, 20_000);

  it("never sends POST /generations twice after a 5xx (it may have made a gamma), but does after a 429", async () => {
    fake.fault({ method: "POST", path: "/v1.0/generations", fault: { kind: "fail", status: 503 }, times: 1 });
    const err = await failure(gammaClient(spec()).startGeneration({ inputText: "page", folderId: "fld119" }));
    expect(err.message).toMatch(/HTTP 503, not retried: the request may have reached the service/);
    expect(fake.requests.filter((r) => r.path === "/v1.0/generations").length).toBe(1);
    fake.clearFaults();
    fake.fault({
      method: "POST",
      path: "/v1.0/generations",
      fault: { kind: "throttle", retryAfterSeconds: 0 },
      times: 1,
    });
    await gammaClient(spec()).startGeneration({ inputText: "page", folderId: "fld119" });
    expect(fake.requests.filter((r) => r.path === "/v1.0/generations").map((r) => r.status)).toEqual([
      503, 429, 200,
    ]);
    expect(fake.generations()).toBe(1);
  });

  it("fails when Retry-After asks for longer than the policy allows", async () => {
    fake.fault({ path: "/v1.0/generations", fault: { kind: "throttle", retryAfterSeconds: 120 } });
    const err = await failure(
      gammaClient(spec({ retry: { maxRetryAfterMs: 1000 } })).startGeneration({
        inputText: "x",
        folderId: "fld119",
      }),
    );
    expect(err.message).toMatch(/^gamma: POST \/generations: the API asked to wait 120 s \(HTTP 429\)/);
    expect(fake.generations()).toBe(0);
  });

  it("runs from its serialized text in a fresh process", async () => {
    const serialize = `
const pulumi = require("@pulumi/pulumi");
const { gammaClient } = require("./dist/providers/targets/gamma-api.js");
pulumi.runtime.serializeFunction(() => gammaClient, { allowSecrets: true })
  .then((sf) => process.stdout.write(sf.text));
`;
    const exercise = `
const fs = require("node:fs");
const requireFromString = require("require-from-string");
const gammaClient = requireFromString(fs.readFileSync(process.argv[1], "utf8")).handler();
const spec = JSON.parse(process.argv[2]);
(async () => {
  const client = gammaClient(spec);
  await client.verifyScope();
  const id = await client.startGeneration({ inputText: "serialized", folderId: spec.folderId });
  const done = await client.waitForGeneration(id);
  let scope = "";
  try { await gammaClient({ ...spec, token: "sk-nope" }).verifyScope(); } catch (e) { scope = e.name + ": " + e.message; }
  let http = "";
  try { await client.getGamma("g_x"); } catch (e) { http = e.name + ": " + e.message + " " + e.status; }
  console.log(JSON.stringify({ done, scope, http }));
})().catch((e) => { console.error(e); process.exit(1); });
`;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-gamma-ser-"));
    const text = execFileSync(process.execPath, ["-e", serialize], { cwd: ROOT, encoding: "utf8" });
    expect(text).not.toMatch(/__vite|vitest/);
    const file = path.join(dir, "client.js");
    await fs.writeFile(file, text);
    fake.fault({ path: "/v1.0/gammas/", fault: { kind: "fail", status: 503 } });
    // Asynchronously: the fake answers from this process.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["-e", exercise, file, JSON.stringify(spec())],
      {
        cwd: path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider"),
        encoding: "utf8",
      },
    );
    const r = JSON.parse(stdout) as { done: { gammaId: string }; scope: string; http: string };
    expect(fake.gammas().map((g) => [g.gammaId, g.inputText])).toEqual([[r.done.gammaId, "serialized"]]);
    expect(r.scope).toBe(
      "CredentialScopeError: GP_CREDENTIAL_SCOPE: the gamma credential does not belong to this stack's scope: API key is not valid",
    );
    // Errors keep their message through serialization (Error.call sets none by itself).
    expect(r.http).toBe(
      "TargetHttpError: gamma: GET /gammas/g_x: failed after 3 attempts (last: HTTP 503); check the service's " +
        "status and run the command again 503",
    );
    await fs.rm(dir, { recursive: true, force: true });
  });
});

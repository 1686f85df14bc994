/**
 * `glidepath sync` end to end: the built CLI, the real Pulumi engine (it reads the stack's
 * config and secrets), the loopback Notion fake driven by the real `@notionhq/client`, and the
 * Wix fake serving `/_functions/sync` by running the endpoint's own module against its data.
 * First run creates; a second writes nothing and keeps `lastSync`; an edited page updates
 * exactly its item; a trashed page's item is archived; Business and Gaming never cross (not
 * even for a crafted entry); staging's keys against production are refused with nothing
 * written; the report validates and holds no secret; a SWARM event is written.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { wixIdOf } from "../../automation/lib/content/registry-entry";
import { syncReportSchema } from "../../automation/lib/content/sync-report";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { type NotionFake, startNotionFake } from "../fakes/notion-fake";
import { startWixFake, type WixFake } from "../fakes/wix-fake";
import { type EntryInput, REGISTRY_FAKE_SCHEMA, seedRegistryPage } from "../helpers/registry";
import { scanTexts } from "../helpers/secret-scan";
import { type SloServer, startSloServer } from "../helpers/slo-server";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();

const NOTION_TOKEN = "secret_registry_staging_5c1e0f9a2b";
const REGISTRY = "7a1d9c3e-1111-4111-8111-00000000c0de";
const PROD_REGISTRY = "7a1d9c3e-2222-4222-8222-00000000c0de";
type Env = "staging" | "production";
const SITE: Record<Env, string> = { staging: "site-staging", production: "site-production" };
const BUSINESS = "SwarmRegistryBusiness";
const GAMING = "SwarmRegistryGaming";
/** Each stack's sync key secrets (at least 32 characters, as the endpoint requires). */
const KEYS: Record<Env, { Business: string; Gaming: string }> = {
  staging: { Business: "kb-staging-0f3a9c1e5d7b2a4c6e8f0a1b", Gaming: "kg-staging-7e2d4b6a8c0e1f3a5b7d9c2e" },
  production: {
    Business: "kb-production-1a3c5e7f9b0d2e4a6c8e",
    Gaming: "kg-production-9d7b5a3c1e0f8d6b4a2c",
  },
};
const SECRETS = [NOTION_TOKEN, ...Object.values(KEYS).flatMap((k) => [k.Business, k.Gaming])];

/** The endpoint's config on each site: each stack's two keys, each for its one collection. */
const syncConfig = (env: Env) => ({
  keys: {
    [`business-${env}`]: { secret: "WIREDCHAOS_KEY_BUSINESS", collections: [BUSINESS] },
    [`gaming-${env}`]: { secret: "WIREDCHAOS_KEY_GAMING", collections: [GAMING] },
  },
  nonceCollection: "SyncNonces",
  windowSeconds: 300,
  maxBodyBytes: 500 * 1024,
  maxItems: 100,
  minSecretLength: 32,
});

describe.skipIf(binDir === undefined)("glidepath sync: Notion registry → Wix", () => {
  let p: ScratchProject;
  let notion: NotionFake;
  let wix: WixFake;
  let slo: SloServer;
  const page: Record<string, string> = {};

  const envOf = (stack: Env, keys: Env = stack): NodeJS.ProcessEnv => ({
    ...p.env,
    PULUMI_CONFIG_PASSPHRASE: `${stack}-passphrase-for-tests`,
    GLIDEPATH_NOTION_API_URL: notion.url,
    SWARM_NOTION_TOKEN: NOTION_TOKEN,
    WIREDCHAOS_KEY_BUSINESS: KEYS[keys].Business,
    WIREDCHAOS_KEY_GAMING: KEYS[keys].Gaming,
  });
  const run = async (stack: Env, args: string[] = [], env: NodeJS.ProcessEnv = envOf(stack)) => {
    const saved = p.env;
    p.env = env;
    try {
      return await p.glidepath(["sync", "--stack", stack, "--slo-url", slo.url, ...args]);
    } finally {
      p.env = saved;
    }
  };
  const sync = async (file: string) => {
    const r = await run("staging", ["--json-output", file, "--json"]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const written = JSON.parse(await fs.readFile(path.join(p.dir, file), "utf8"));
    expect(JSON.parse(r.stdout)).toEqual(written);
    return syncReportSchema.parse(written);
  };
  const items = (collection: string) => wix.items(SITE.staging, collection);
  const itemOf = (collection: string, name: string) =>
    items(collection).find((i) => i._id === wixIdOf(page[name] as string));
  const applied = () => wix.writes.filter((w) => w.applied);
  const lastSyncs = () =>
    Object.fromEntries([...items(BUSINESS), ...items(GAMING)].map((i) => [`${i._id}`, i.lastSync]));

  beforeAll(async () => {
    notion = await startNotionFake({
      tokens: { [NOTION_TOKEN]: { scope: "registry", databaseIds: [REGISTRY, PROD_REGISTRY] } },
      databases: [
        { id: REGISTRY, title: "Registry", properties: REGISTRY_FAKE_SCHEMA },
        { id: PROD_REGISTRY, title: "Registry (production)", properties: REGISTRY_FAKE_SCHEMA },
      ],
    });
    wix = await startWixFake({
      keys: {
        "wix-key-staging-77b2e0": { scope: "staging", siteIds: [SITE.staging] },
        "wix-key-production-c4a919": { scope: "production", siteIds: [SITE.production] },
      },
      syncConfigs: { [SITE.staging]: syncConfig("staging"), [SITE.production]: syncConfig("production") },
    });
    for (const env of ["staging", "production"] as const) {
      wix.setSecret(SITE[env], "WIREDCHAOS_KEY_BUSINESS", KEYS[env].Business);
      wix.setSecret(SITE[env], "WIREDCHAOS_KEY_GAMING", KEYS[env].Gaming);
    }
    slo = await startSloServer(() => ({
      kind: "json",
      body: { apps: { wix: { good: 1000, total: 1000 }, gamma: { good: 900, total: 1000 } } },
    }));
    const entries: Record<string, EntryInput> = {
      deck: { name: "Launch deck", domain: "Business", app: "wix", url: "https://example.com/deck" },
      pricing: { name: "Pricing", domain: "Business", status: "Draft", tags: ["sales"] },
      arena: { name: "Arena", domain: "Gaming", app: "gamma", summary: "the arena" },
      // Crafted: domain Business, Gaming's collection named in every free field.
      crafted: {
        name: GAMING,
        domain: "Business",
        summary: `collection: ${GAMING}`,
        tags: [GAMING],
        owner: GAMING,
        url: `https://example.com/${GAMING}`,
      },
      nodomain: { name: "No domain", domain: null },
      badstatus: { name: "Bad status", domain: "Gaming", status: "Published" },
    };
    for (const [name, e] of Object.entries(entries))
      page[name] = await seedRegistryPage(notion, NOTION_TOKEN, REGISTRY, e);
    await seedRegistryPage(notion, NOTION_TOKEN, PROD_REGISTRY, { name: "Prod deck", domain: "Business" });

    p = await makeProject(binDir as string);
    for (const stack of ["staging", "production"] as const) {
      p.env = envOf(stack);
      const init = await p.pulumi(["stack", "init", stack]);
      expect(init.code, init.stderr).toBe(0);
      const file = path.join(p.dir, `Pulumi.${stack}.yaml`);
      const doc = (parse(await fs.readFile(file, "utf8")) ?? {}) as Record<string, unknown>;
      const config = {
        "glidepath:environment": stack,
        "glidepath:apps": { wix: { target: "local" }, gamma: { target: "local" } },
        "glidepath:releases": {
          wix: { stable: { version: "v1", source: "apps/wix/v1" } },
          gamma: { stable: { version: "v1", source: "apps/gamma/v1" } },
        },
        "glidepath:targets": { wix: { siteId: SITE[stack], siteUrl: `${wix.url}/site/${SITE[stack]}/` } },
        "glidepath:content": {
          notion: { registryDatabaseId: stack === "staging" ? REGISTRY : PROD_REGISTRY },
          sync: {
            domains: {
              Business: {
                collection: BUSINESS,
                gammaFolderId: `fld-business-${stack}`,
                keyId: `business-${stack}`,
              },
              Gaming: { collection: GAMING, gammaFolderId: `fld-gaming-${stack}`, keyId: `gaming-${stack}` },
            },
          },
        },
      };
      await fs.writeFile(file, stringify({ ...doc, config }));
    }
  });

  afterAll(async () => {
    await slo?.close();
    await wix?.close();
    await notion?.close();
  });

  it("the first run creates each entry in its domain's collection only; refused pages are reported, never written", async () => {
    const r = await sync("artifacts/notion-sync.json");
    expect(r.counts).toEqual({ entries: 4, created: 4, updated: 0, unchanged: 0, archived: 0, refused: 2 });
    expect(r.domains.Business).toMatchObject({ collection: BUSINESS, entries: 3, created: 3 });
    expect(r.domains.Gaming).toMatchObject({ collection: GAMING, entries: 1, created: 1 });
    expect(r.refused.map((x) => [x.pageId, x.field])).toEqual([
      [page.nodomain, "Domain"],
      [page.badstatus, "Status"],
    ]);
    expect(
      items(BUSINESS)
        .map((i) => i.title)
        .sort(),
    ).toEqual(["Launch deck", "Pricing", GAMING].sort());
    expect(items(GAMING).map((i) => i.title)).toEqual(["Arena"]);
    for (const i of items(BUSINESS)) expect(i).toMatchObject({ domain: "Business", archived: false });
    for (const i of items(GAMING)) expect(i).toMatchObject({ domain: "Gaming", archived: false });
    // The crafted entry went to Business, with its text as content and Business's folder.
    expect(itemOf(BUSINESS, "crafted")).toMatchObject({
      summary: `collection: ${GAMING}`,
      tags: [GAMING],
      gammaFolderId: "fld-business-staging",
    });
    expect(itemOf(GAMING, "crafted")).toBeUndefined();
    expect(itemOf(BUSINESS, "deck")).toMatchObject({
      app: "wix",
      sloBadge: "passing",
      notionPageId: page.deck,
    });
    expect(itemOf(GAMING, "arena")).toMatchObject({ app: "gamma", sloBadge: "failing" });
    expect(itemOf(BUSINESS, "pricing")?.sloBadge).toBeNull();
    for (const name of ["nodomain", "badstatus"]) {
      expect(itemOf(BUSINESS, name)).toBeUndefined();
      expect(itemOf(GAMING, name)).toBeUndefined();
    }
    // Every write: staging's Business key into Business's collection, Gaming's into Gaming's.
    expect(applied()).toHaveLength(4);
    for (const w of applied()) {
      expect([
        [`sync-key:business-staging`, `${SITE.staging}/${BUSINESS}`],
        [`sync-key:gaming-staging`, `${SITE.staging}/${GAMING}`],
      ]).toContainEqual([w.credentialScope, w.targetScope]);
    }
    expect(wix.items(SITE.production, BUSINESS)).toEqual([]);
  });

  it("a second run with no Notion change writes nothing and keeps every lastSync", async () => {
    const before = { writes: applied().length, lastSync: lastSyncs() };
    const r = await sync("artifacts/notion-sync.json");
    expect(r.counts).toEqual({ entries: 4, created: 0, updated: 0, unchanged: 4, archived: 0, refused: 2 });
    expect(applied()).toHaveLength(before.writes);
    expect(lastSyncs()).toEqual(before.lastSync);
  });

  it("an edited page updates exactly its item, and only its lastSync moves", async () => {
    const before = { writes: applied().length, lastSync: lastSyncs() };
    notion.editPage(page.arena as string, {
      properties: { Summary: { rich_text: [{ text: { content: "new arena" } }] } },
    });
    const r = await sync("artifacts/notion-sync.json");
    expect(r.counts).toMatchObject({ created: 0, updated: 1, unchanged: 3, archived: 0 });
    expect(r.domains.Gaming.updated).toBe(1);
    expect(applied()).toHaveLength(before.writes + 1);
    const id = wixIdOf(page.arena as string) as string;
    expect(itemOf(GAMING, "arena")?.summary).toBe("new arena");
    const after = lastSyncs();
    expect(after[id]).not.toBe(before.lastSync[id]);
    expect({ ...after, [id]: "x" }).toEqual({ ...before.lastSync, [id]: "x" });
  });

  it("a trashed page's item is marked archived; the others are left as they are", async () => {
    const before = { writes: applied().length, lastSync: lastSyncs() };
    notion.editPage(page.pricing as string, { inTrash: true });
    const r = await sync("artifacts/notion-sync.json");
    expect(r.counts).toMatchObject({ entries: 3, created: 0, updated: 0, unchanged: 3, archived: 1 });
    expect(r.domains.Business.archived).toBe(1);
    expect(applied()).toHaveLength(before.writes + 1);
    expect(itemOf(BUSINESS, "pricing")).toMatchObject({ archived: true, title: "Pricing" });
    const id = wixIdOf(page.pricing as string) as string;
    expect(lastSyncs()[id]).not.toBe(before.lastSync[id]);
    // Refused pages count as present: nothing of theirs was archived (they have no item).
    expect(items(GAMING).map((i) => i.archived)).toEqual([false]);
  });

  it("staging's keys against production's endpoint, or production's stack with staging's keys, are refused with nothing written", async () => {
    const before = {
      writes: applied().length,
      queries: notion.requests.filter((q) => q.path.endsWith("/query")).length,
    };
    const cross = await run("staging", ["--json"], {
      ...envOf("staging"),
      WIX_SYNC_ENDPOINT: `${wix.url}/site/${SITE.production}/_functions/sync`,
    });
    const withStagingKeys = await run("production", ["--json"], envOf("production", "staging"));
    for (const r of [cross, withStagingKeys]) {
      expect(r.code, r.stderr).toBe(2);
      expect(JSON.parse(r.stdout).error.code).toBe("GP_CREDENTIAL_SCOPE");
      expect(r.stderr).toContain("error[GP_CREDENTIAL_SCOPE]");
    }
    expect(applied()).toHaveLength(before.writes);
    expect(wix.items(SITE.production, BUSINESS)).toEqual([]);
    expect(wix.items(SITE.production, GAMING)).toEqual([]);
    // Refused at the key check: the registry was not even read.
    expect(notion.requests.filter((q) => q.path.endsWith("/query"))).toHaveLength(before.queries);
  });

  it("config and secrets are checked first: a missing registry or key is refused by name, nothing read or written", async () => {
    const before = { writes: wix.writes.length, notion: notion.requests.length };
    const noKey = await run("staging", ["--json"], { ...envOf("staging"), WIREDCHAOS_KEY_GAMING: "" });
    expect(noKey.code).not.toBe(0);
    expect(JSON.parse(noKey.stdout).error).toMatchObject({ code: "GP_SECRETS_MISSING" });
    expect(noKey.stderr).toContain("WIREDCHAOS_KEY_GAMING");
    const file = path.join(p.dir, "Pulumi.production.yaml");
    const original = await fs.readFile(file, "utf8");
    const doc = parse(original) as { config: Record<string, unknown> };
    delete doc.config["glidepath:content"];
    await fs.writeFile(file, stringify(doc));
    try {
      const noRegistry = await run("production", ["--json"]);
      expect(noRegistry.code).toBe(2);
      expect(JSON.parse(noRegistry.stdout).error.code).toBe("GP_CONFIG_INVALID");
      expect(noRegistry.stderr).toContain("glidepath:content.notion.registryDatabaseId is not set");
    } finally {
      await fs.writeFile(file, original);
    }
    expect(wix.writes).toHaveLength(before.writes);
    expect(notion.requests).toHaveLength(before.notion);
  });

  it("each run wrote a content-sync SWARM event with its counts; no report, event or output holds a secret", async () => {
    const lines = (await fs.readFile(path.join(p.dir, "artifacts/swarm-events.jsonl"), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { phase: string; stack: string; update?: string; id: string });
    const events = lines.filter((e) => e.phase === "content-sync:swarm-registry");
    expect(events).toHaveLength(4);
    expect(new Set(events.map((e) => e.id)).size).toBe(4);
    expect(events[0]).toMatchObject({ stack: "staging" });
    expect(events[0]?.update).toContain("4 created, 0 updated, 0 unchanged, 0 archived, 2 refused");
    expect(events[1]?.update).toContain("0 created, 0 updated, 4 unchanged");
    const texts = {
      report: await fs.readFile(path.join(p.dir, "artifacts/notion-sync.json"), "utf8"),
      events: lines.map((l) => JSON.stringify(l)).join("\n"),
      transcript: p.transcript(),
    };
    expect(scanTexts(texts, SECRETS)).toEqual([]);
  });
});

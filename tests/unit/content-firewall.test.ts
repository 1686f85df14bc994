/**
 * The Business/Gaming firewall and one sync run against stub sync clients: the target comes
 * from the domain through config only (a crafted entry cannot cross), the guard stops a request
 * to the other domain's collection before it is sent, keys are checked before Notion is read,
 * refused pages are never written and count as present for the archive mirror.
 */
import { describe, expect, it } from "vitest";
import {
  assertRoute,
  domainTarget,
  guardedClient,
  routeEntries,
  type SyncDomains,
} from "../../automation/lib/content/firewall";
import { type RegistryEntry, wixIdOf } from "../../automation/lib/content/registry-entry";
import type { SyncClient, SyncItem } from "../../automation/lib/content/sync-client";
import { runSync, syncItemOf } from "../../automation/lib/content/sync-run";
import type { SyncSettings } from "../../automation/lib/content/sync-settings";
import { GlidepathError } from "../../automation/lib/errors";
import { registryPage, TEST_DOMAINS } from "../helpers/registry";
import { rejectionOf } from "../helpers/rejection";

/** What a promise that must reject rejects with, as the error it should be. */
const refusal = async (p: Promise<unknown>): Promise<GlidepathError> =>
  (await rejectionOf(p)) as GlidepathError;

const domains = TEST_DOMAINS as unknown as SyncDomains;
const B = "5f0c2a9e-1111-4111-8111-00000000000b";
const G = "5f0c2a9e-2222-4222-8222-00000000000a";
const CRAFTED = "5f0c2a9e-3333-4333-8333-0000000000cc";
const BAD = "5f0c2a9e-4444-4444-8444-0000000000dd";

const entry = (over: Partial<RegistryEntry> = {}): RegistryEntry => ({
  pageId: B,
  id: "notion-x",
  domain: "Business",
  title: "t",
  status: "Live",
  summary: null,
  url: null,
  app: null,
  tags: [],
  ...over,
});

describe("domainTarget", () => {
  it("is the domain's collection, folder and key from config, and nothing for another value", () => {
    expect(domainTarget(domains, "Gaming")).toEqual({
      domain: "Gaming",
      collection: "SwarmRegistryGaming",
      gammaFolderId: "folder-gaming",
      keyId: "gaming-staging",
      keySecret: "WIREDCHAOS_KEY_GAMING",
    });
    for (const v of ["gaming", "Gaming ", "toString", "__proto__", "", null, 1])
      expect(domainTarget(domains, v)).toBeUndefined();
  });

  it("a crafted entry (domain Business, Gaming's collection in its fields) gets Business's target and item", () => {
    const crafted = entry({
      summary: "SwarmRegistryGaming",
      tags: ["SwarmRegistryGaming", "collection:SwarmRegistryGaming"],
      url: "https://x.invalid/SwarmRegistryGaming",
    });
    const routed = routeEntries([crafted]);
    expect(routed.byDomain.Gaming).toEqual([]);
    expect(routed.byDomain.Business).toEqual([crafted]);
    const item = syncItemOf(crafted, domainTarget(domains, crafted.domain) as never, null);
    expect(item.domain).toBe("Business");
    expect(item.gammaFolderId).toBe("folder-business");
    expect(() =>
      assertRoute(domains, "Business", "business-staging", "SwarmRegistryBusiness", [item]),
    ).not.toThrow();
  });

  it("routeEntries refuses an entry whose domain is not one of the two (the last check)", () => {
    const odd = entry({ domain: "Other" as never });
    expect(routeEntries([odd]).refused).toEqual([
      { pageId: B, field: "Domain", reason: 'expected one of Business, Gaming, got "Other"' },
    ]);
  });
});

describe("the guard before each request", () => {
  const calls: string[] = [];
  const inner: SyncClient = {
    check: async (c) => {
      calls.push(`check ${c}`);
    },
    upsert: async (c, items) => {
      calls.push(`upsert ${c}`);
      return items.map((i) => ({ _id: i._id, outcome: "created" as const, lastSync: "t" }));
    },
    mirror: async (c) => {
      calls.push(`mirror ${c}`);
      return { archived: [] };
    },
  };

  it("stops Business's key addressing Gaming's collection, a Gaming item in Business, and a wrong key, before the inner client is called", async () => {
    const business = guardedClient(domains, "Business", "business-staging", inner);
    for (const p of [
      business.check("SwarmRegistryGaming"),
      business.upsert("SwarmRegistryGaming", [{ _id: "a", domain: "Business" }]),
      business.upsert("SwarmRegistryBusiness", [{ _id: "a", domain: "Gaming" }]),
      business.mirror("SwarmRegistryGaming", []),
      guardedClient(domains, "Business", "gaming-staging", inner).check("SwarmRegistryBusiness"),
    ]) {
      const e = await refusal(p);
      expect(e).toBeInstanceOf(GlidepathError);
      expect((e as GlidepathError).code).toBe("GP_CREDENTIAL_SCOPE");
      expect(e.message).toMatch(/firewall stopped a request before it was sent/);
    }
    expect(calls).toEqual([]);
    await business.check("SwarmRegistryBusiness");
    expect(calls).toEqual(["check SwarmRegistryBusiness"]);
  });
});

/** Stub clients per key id, recording every call. */
function stubs(opts: { refuseKey?: string; existing?: Record<string, string[]> } = {}) {
  const log: string[] = [];
  const upserted: Record<string, SyncItem[]> = {};
  const mirrored: Record<string, string[]> = {};
  const client = (key: { id: string; secret: string }): SyncClient => ({
    check: async (c) => {
      log.push(`check ${key.id} ${c}`);
      if (key.id === opts.refuseKey)
        throw new GlidepathError(
          "GP_CREDENTIAL_SCOPE",
          `key ${key.id} may not write ${c}`,
          "use the stack's keys",
        );
    },
    upsert: async (c, items) => {
      log.push(`upsert ${key.id} ${c} ${items.length}`);
      upserted[c] = items;
      return items.map((i) => ({
        _id: i._id,
        outcome: "created" as const,
        lastSync: "2026-12-01T00:00:00.000Z",
      }));
    },
    mirror: async (c, present) => {
      log.push(`mirror ${key.id} ${c}`);
      mirrored[c] = present;
      return { archived: (opts.existing?.[c] ?? []).filter((id) => !present.includes(id)) };
    },
  });
  return { log, upserted, mirrored, client };
}

const settings: SyncSettings = {
  stack: "staging",
  registryDatabaseId: "db",
  notionUrl: "http://notion",
  notionToken: "secret_token_0123456789",
  endpoint: "http://wix/_functions/sync",
  domains,
  keys: { Business: "business-secret-0123456789", Gaming: "gaming-secret-0123456789" },
};

const pages = [
  registryPage(B, { name: "Deck", domain: "Business", app: "wix" }),
  registryPage(G, { name: "Arena", domain: "Gaming", app: "gamma" }),
  registryPage(CRAFTED, {
    name: "Crafted",
    domain: "Business",
    summary: "SwarmRegistryGaming",
    tags: ["SwarmRegistryGaming"],
  }),
  registryPage(BAD, { name: "No domain", domain: null }),
];

describe("runSync", () => {
  it("checks both keys, then reads, then writes each domain's items only to its collection, with badges; refused pages are present for the mirror", async () => {
    const s = stubs({ existing: { SwarmRegistryBusiness: ["notion-gone"] } });
    let readAfter: string[] = [];
    const report = await runSync(settings, {
      client: s.client,
      read: async () => {
        readAfter = [...s.log];
        return { dataSourceId: "ds", pages, requests: 1 };
      },
      badges: async (apps) => ({
        source: "stub",
        badges: Object.fromEntries(
          apps.map((a) => [a, { badge: a === "wix" ? "passing" : "failing", detail: "d" }]),
        ),
      }),
      sloOrigin: "glidepath:rollout.slo",
      now: (() => {
        let t = Date.parse("2026-12-01T00:00:00.000Z");
        return () => (t += 5);
      })(),
    });
    expect(readAfter).toEqual([
      "check business-staging SwarmRegistryBusiness",
      "check gaming-staging SwarmRegistryGaming",
    ]);
    expect(s.log.slice(2)).toEqual([
      "upsert business-staging SwarmRegistryBusiness 2",
      "mirror business-staging SwarmRegistryBusiness",
      "upsert gaming-staging SwarmRegistryGaming 1",
      "mirror gaming-staging SwarmRegistryGaming",
    ]);
    const business = s.upserted.SwarmRegistryBusiness ?? [];
    expect(business.map((i) => [i.title, i.domain, i.sloBadge])).toEqual([
      ["Deck", "Business", "passing"],
      ["Crafted", "Business", null],
    ]);
    expect(s.upserted.SwarmRegistryGaming?.map((i) => [i.title, i.domain, i.sloBadge])).toEqual([
      ["Arena", "Gaming", "failing"],
    ]);
    const badId = wixIdOf(BAD);
    expect(s.mirrored.SwarmRegistryBusiness).toContain(badId);
    expect(s.mirrored.SwarmRegistryGaming).toContain(badId);
    expect(s.mirrored.SwarmRegistryGaming).not.toContain(business[0]?._id);
    expect(report.counts).toEqual({
      entries: 3,
      created: 3,
      updated: 0,
      unchanged: 0,
      archived: 1,
      refused: 1,
    });
    expect(report.domains.Business).toMatchObject({
      collection: "SwarmRegistryBusiness",
      entries: 2,
      archived: 1,
    });
    expect(report.refused).toEqual([
      { pageId: BAD, field: "Domain", reason: expect.stringMatching(/is empty/) },
    ]);
    expect(report.durationMs).toBeGreaterThan(0);
  });

  it("a key the endpoint refuses stops the sync before Notion is read and before any write", async () => {
    const s = stubs({ refuseKey: "gaming-staging" });
    let read = false;
    const e = await refusal(
      runSync(settings, {
        client: s.client,
        read: async () => {
          read = true;
          return { dataSourceId: "ds", pages, requests: 1 };
        },
        badges: async () => ({ source: "stub", badges: {} }),
        sloOrigin: "glidepath:rollout.slo",
      }),
    );
    expect((e as GlidepathError).code).toBe("GP_CREDENTIAL_SCOPE");
    expect(read).toBe(false);
    expect(s.log.filter((l) => !l.startsWith("check"))).toEqual([]);
  });

  it("a registry read that fails writes nothing", async () => {
    const s = stubs();
    const e = await refusal(
      runSync(settings, {
        client: s.client,
        read: async () => {
          throw new GlidepathError("GP_TARGET_UNREACHABLE", "Notion failed", "retry");
        },
        badges: async () => ({ source: "stub", badges: {} }),
        sloOrigin: "glidepath:rollout.slo",
      }),
    );
    expect((e as GlidepathError).code).toBe("GP_TARGET_UNREACHABLE");
    expect(s.log.filter((l) => !l.startsWith("check"))).toEqual([]);
  });
});

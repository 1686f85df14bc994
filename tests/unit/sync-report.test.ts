/**
 * The sync's report (`notion-sync.json`: its schema, no secret in it), the SLO badge categories
 * and where the badges come from (the gate's rule), and the settings checked before anything is
 * read or written.
 */
import { describe, expect, it } from "vitest";
import { badgeOf, badgeSource, readBadges } from "../../automation/lib/content/slo-badge";
import {
  checkedReport,
  SYNC_REPORT_SCHEMA,
  syncReportSchema,
} from "../../automation/lib/content/sync-report";
import { syncSettingsOf } from "../../automation/lib/content/sync-settings";
import type { GlidepathError } from "../../automation/lib/errors";
import { contentConfig, TEST_DOMAINS } from "../helpers/registry";
import { startSloServer } from "../helpers/slo-server";

const counts = { entries: 1, created: 1, updated: 0, unchanged: 0, archived: 0 };
const report = {
  schema: SYNC_REPORT_SCHEMA,
  stack: "staging",
  startedAt: "2026-12-01T10:00:00.000Z",
  finishedAt: "2026-12-01T10:00:01.000Z",
  durationMs: 1000,
  registry: { databaseId: "db", pages: 2 },
  counts: { ...counts, refused: 1 },
  domains: {
    Business: { ...TEST_DOMAINS.Business, ...counts },
    Gaming: { ...TEST_DOMAINS.Gaming, ...counts, entries: 0, created: 0 },
  },
  refused: [{ pageId: "p", field: "Domain", reason: "is empty" }],
  slo: {
    source: "edge",
    origin: "glidepath:rollout.slo",
    badges: { wix: { badge: "unknown", detail: "x" } },
  },
};

describe("the sync report", () => {
  it("validates a report and refuses unknown fields, bad counts and unknown badges", () => {
    expect(checkedReport(report, [])).toEqual(report);
    expect(syncReportSchema.safeParse({ ...report, token: "x" }).success).toBe(false);
    expect(syncReportSchema.safeParse({ ...report, counts: { ...report.counts, created: -1 } }).success).toBe(
      false,
    );
    expect(
      syncReportSchema.safeParse({
        ...report,
        slo: { ...report.slo, badges: { wix: { badge: "99.5", detail: "" } } },
      }).success,
    ).toBe(false);
  });

  it("is never written holding a secret", () => {
    const leaky = {
      ...report,
      refused: [{ pageId: "p", field: "Summary", reason: "has secret_token_0123456789" }],
    };
    expect(() => checkedReport(leaky, ["secret_token_0123456789", ""])).toThrow(/would hold a secret/);
  });
});

describe("badges", () => {
  it("is a category: passing at or above minSlo, failing below, unknown for a miss or no traffic", () => {
    expect(badgeOf({ ok: true, at: 0, score: 99.5 }, 99.5).badge).toBe("passing");
    expect(badgeOf({ ok: true, at: 0, score: 99.9, good: 999, total: 1000 }, 99.5).badge).toBe("passing");
    expect(badgeOf({ ok: true, at: 0, score: 97 }, 99.5).badge).toBe("failing");
    expect(badgeOf({ ok: true, at: 0, score: 100, good: 0, total: 0 }, 99.5).badge).toBe("unknown");
    expect(badgeOf({ ok: false, at: 0, miss: "timeout", detail: "no answer" }, 99.5)).toEqual({
      badge: "unknown",
      detail: "timeout: no answer",
    });
  });

  it("comes from --slo-url, else NOTION_SLO_BADGE_URL when the rollout samples the edge, else glidepath:rollout.slo", () => {
    const edge = contentConfig();
    const http = contentConfig(undefined, {
      "glidepath:rollout": JSON.stringify({ slo: { source: "http", url: "http://127.0.0.1:9/slo" } }),
    });
    expect(badgeSource(edge, "http://127.0.0.1:1/slo", "http://127.0.0.1:2/slo")).toEqual({
      slo: { source: "http", url: "http://127.0.0.1:1/slo" },
      origin: "--slo-url",
    });
    expect(badgeSource(edge, undefined, "http://127.0.0.1:2/slo").origin).toBe("NOTION_SLO_BADGE_URL");
    expect(badgeSource(edge).slo).toEqual({ source: "edge" });
    expect(badgeSource(http, undefined, "http://127.0.0.1:2/slo")).toEqual({
      slo: { source: "http", url: "http://127.0.0.1:9/slo" },
      origin: "glidepath:rollout.slo",
    });
    let e: unknown;
    try {
      badgeSource(edge, "ftp://user:pw@x/slo");
    } catch (x) {
      e = x;
    }
    expect((e as GlidepathError).code).toBe("GP_ARG_INVALID");
    expect((e as Error).message).not.toContain("pw");
  });

  it("reads one sample per app; an edge that is not running or an unknown app is unknown, not an error", async () => {
    const server = await startSloServer(() => ({
      kind: "json",
      body: { apps: { wix: { score: 99.9 }, gamma: { score: 90 } } },
    }));
    try {
      const cfg = contentConfig();
      const read = await readBadges(["wix", "gamma", "wix", "nope"], {
        stack: "staging",
        projectDir: "/nonexistent",
        cfg,
        slo: { source: "http", url: server.url },
      });
      expect(read.badges).toEqual({
        gamma: { badge: "failing", detail: "90 < 99" },
        nope: { badge: "unknown", detail: '"nope" is not an app of stack staging' },
        wix: { badge: "passing", detail: "99.9 ≥ 99" },
      });
      expect(server.requests()).toBe(2);
      const edge = await readBadges(["wix"], {
        stack: "staging",
        projectDir: "/nonexistent",
        cfg,
        slo: { source: "edge" },
      });
      expect(edge.badges.wix?.badge).toBe("unknown");
      expect(edge.badges.wix?.detail).toMatch(/GP_EDGE_NOT_RUNNING/);
    } finally {
      await server.close();
    }
  });
});

describe("syncSettingsOf", () => {
  const env = {
    SWARM_NOTION_TOKEN: "secret_token_0123456789",
    WIREDCHAOS_KEY_BUSINESS: "kb-0123456789",
    WIREDCHAOS_KEY_GAMING: "kg-0123456789",
  };
  const refusal = (f: () => unknown): GlidepathError => {
    try {
      f();
    } catch (e) {
      return e as GlidepathError;
    }
    throw new Error("expected a refusal");
  };

  it("refuses a stack without a registry or without content.sync, naming the settings (exit 2)", () => {
    const e = refusal(() => syncSettingsOf("staging", contentConfig({ notion: {} }), env));
    expect(e.code).toBe("GP_CONFIG_INVALID");
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain("glidepath:content.notion.registryDatabaseId is not set");
    expect(e.message).toContain("glidepath:content.sync is not set");
    expect(e.message).toContain("no sync endpoint");
  });

  it("names each missing secret, never a value", () => {
    const e = refusal(() =>
      syncSettingsOf("staging", contentConfig(), { WIREDCHAOS_KEY_GAMING: "kg-0123456789" }),
    );
    expect(e.code).toBe("GP_SECRETS_MISSING");
    expect(e.message).toContain("missing SWARM_NOTION_TOKEN, WIREDCHAOS_KEY_BUSINESS;");
    expect(e.message).not.toContain("kg-0123456789");
  });

  it("takes the endpoint from WIX_SYNC_ENDPOINT, else content.sync.url, else the site's /_functions/sync", () => {
    const cfg = contentConfig();
    expect(
      syncSettingsOf("staging", cfg, { ...env, WIX_SYNC_ENDPOINT: "http://e/_functions/sync" }).endpoint,
    ).toBe("http://e/_functions/sync");
    expect(syncSettingsOf("staging", cfg, env).endpoint).toBe("http://127.0.0.1:1/_functions/sync");
    const s = syncSettingsOf("staging", cfg, { ...env, GLIDEPATH_NOTION_API_URL: "http://127.0.0.1:7/" });
    expect(s.notionUrl).toBe("http://127.0.0.1:7");
    expect(s.keys).toEqual({ Business: "kb-0123456789", Gaming: "kg-0123456789" });
  });
});

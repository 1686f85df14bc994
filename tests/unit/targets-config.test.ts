/**
 * `glidepath:targets`: the committed staging and production files describe real targets with
 * placeholders an operator must replace; the scope ids and credentials resolve to each app's
 * remote target; another stack's credentials are refused before anything is written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { requiredSecrets } from "../../automation/lib/driver/preflight";
import { parseStackConfig, type StackConfig } from "../../infra/config";
import { resolveTargets } from "../../infra/target-specs";
import { filledTargets } from "../helpers/filled-targets";

const ROOT = path.resolve(__dirname, "../..");

/** A stack file's `config:` as the raw key → string map Pulumi hands out. */
function rawOf(file: string, edit: (c: Record<string, unknown>) => void = () => {}): Record<string, string> {
  const config = parse(fs.readFileSync(path.join(ROOT, file), "utf8")).config as Record<string, unknown>;
  edit(config);
  return Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
}

/** Fills the staging file's placeholders with ids of a test scope. */
function filled(c: Record<string, unknown>): void {
  c["glidepath:targets"] = filledTargets("staging");
}

function config(edit: (c: Record<string, unknown>) => void = filled): StackConfig {
  const parsed = parseStackConfig(rawOf("Pulumi.staging.yaml", edit), new Set());
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}

describe("the committed stack files", () => {
  it.each(["Pulumi.staging.yaml", "Pulumi.production.yaml"])(
    "%s puts wix and gamma behind the Cloudflare edge and refuses each placeholder by its path",
    (file) => {
      const parsed = parseStackConfig(rawOf(file), new Set());
      expect(parsed.ok).toBe(false);
      const issues = parsed.ok ? [] : parsed.issues;
      const paths = issues.map((i) => i.path).sort();
      expect(paths).toEqual([
        "glidepath:targets.cloudflare.accountId",
        "glidepath:targets.cloudflare.edgeUrl",
        "glidepath:targets.gamma.folderId",
        "glidepath:targets.wix.siteId",
        "glidepath:targets.wix.siteUrl",
      ]);
      for (const i of issues) expect(i.message).toMatch(/placeholder; replace it with the /);
      const text = fs.readFileSync(path.join(ROOT, file), "utf8");
      expect(text).not.toMatch(/not built yet/);
      expect(text).toMatch(/target: wix/);
      expect(text).toMatch(/target: gamma/);
    },
  );

  it("parses once the ids are filled in", () => {
    const c = config();
    expect(c.apps).toEqual({ wix: { target: "wix" }, gamma: { target: "gamma" } });
    expect(c.targets.cloudflare).toMatchObject({
      propagationTimeoutSeconds: 90,
      scriptName: "glidepath-edge",
    });
    expect(c.targets.wix?.collections).toEqual({
      releases: "GlidepathReleases",
      routes: "GlidepathRoutes",
      flags: "GlidepathFlags",
    });
  });
});

describe("target settings", () => {
  it("refuses an app on wix without glidepath:targets.wix, naming the app's target", () => {
    const parsed = parseStackConfig(
      rawOf("Pulumi.staging.yaml", (c) => {
        filled(c);
        delete (c["glidepath:targets"] as Record<string, unknown>).wix;
      }),
      new Set(),
    );
    expect(parsed.ok ? [] : parsed.issues).toEqual([
      {
        path: "glidepath:apps.wix.target",
        message: 'target "wix" needs glidepath:targets.wix (see docs/targets.md)',
      },
    ]);
  });

  it("refuses manageWorker false without the existing namespace's id", () => {
    const parsed = parseStackConfig(
      rawOf("Pulumi.staging.yaml", (c) => {
        filled(c);
        delete (
          (c["glidepath:targets"] as Record<string, Record<string, unknown>>).cloudflare as Record<
            string,
            unknown
          >
        ).namespaceId;
      }),
      new Set(),
    );
    expect(parsed.ok ? [] : parsed.issues.map((i) => i.path)).toEqual([
      "glidepath:targets.cloudflare.namespaceId",
    ]);
  });
});

describe("resolveTargets", () => {
  const env = {
    CLOUDFLARE_API_TOKEN: "cf-token",
    WIX_API_KEY: "wix-key",
    GAMMA_TOKEN: "gamma-key",
    GLIDEPATH_CLOUDFLARE_API_URL: "http://127.0.0.1:1/client/v4/",
  };

  it("builds each app's target from the stack's ids, the credentials and the URL overrides", () => {
    const r = resolveTargets(config(), env);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.byApp.wix).toEqual({
      kind: "wix",
      cloudflare: {
        apiUrl: "http://127.0.0.1:1/client/v4",
        accountId: "acct-staging",
        namespaceId: "ns-staging",
        token: "cf-token",
      },
      siteUrl: "https://staging.example.com",
      wix: {
        apiUrl: "https://www.wixapis.com",
        siteId: "site-staging",
        apiKey: "wix-key",
        collections: { releases: "GlidepathReleases", routes: "GlidepathRoutes", flags: "GlidepathFlags" },
      },
    });
    expect(r.byApp.gamma).toMatchObject({
      kind: "gamma",
      gamma: { apiUrl: "https://public-api.gamma.app/v1.0", folderId: "fold-staging", token: "gamma-key" },
    });
  });

  it("refuses credentials issued for another stack's ids (GP_CREDENTIAL_SCOPE), naming both ids and never the credential", () => {
    const r = resolveTargets(config(), {
      ...env,
      WIX_SITE_ID: "site-production",
      CLOUDFLARE_ACCOUNT_ID: "acct-staging",
    });
    expect(r.ok).toBe(false);
    const issues = r.ok ? [] : r.issues;
    expect(issues).toEqual([
      {
        code: "GP_CREDENTIAL_SCOPE",
        message:
          "wix: the credentials are for WIX_SITE_ID=site-production, but this stack's glidepath:targets.wix.siteId is site-staging; use this stack's credentials",
      },
    ]);
    expect(JSON.stringify(issues)).not.toContain("wix-key");
  });

  it("names each missing credential with the target that needs it", () => {
    const r = resolveTargets(config(), { CLOUDFLARE_API_TOKEN: "t" });
    expect(r.ok ? [] : r.issues.map((i) => [i.code, i.message.split(" ")[0]])).toEqual([
      ["GP_SECRETS_MISSING", "WIX_API_KEY"],
      ["GP_SECRETS_MISSING", "GAMMA_TOKEN"],
    ]);
  });
});

describe("requiredSecrets", () => {
  it("demands only what a target uses, and says which target", () => {
    expect(Object.fromEntries(requiredSecrets(config()))).toEqual({
      CLOUDFLARE_API_TOKEN: "cloudflare",
      CLOUDFLARE_ACCOUNT_ID: "cloudflare",
      WIX_API_KEY: "wix",
      WIX_SITE_ID: "wix",
      GAMMA_TOKEN: "gamma",
      GAMMA_SPACE_ID: "gamma",
    });
    const local = config((c) => {
      filled(c);
      c["glidepath:apps"] = { wix: { target: "local" }, gamma: { target: "local" } };
    });
    expect(requiredSecrets(local).size).toBe(0);
  });

  it("demands the Notion token for a SWARM log in Notion, and the domain keys for the registry sync", () => {
    const content = (value: unknown) =>
      config((c) => {
        filled(c);
        c["glidepath:apps"] = { wix: { target: "local" }, gamma: { target: "local" } };
        c["glidepath:content"] = value;
      });
    expect(Object.fromEntries(requiredSecrets(content({ notion: { swarmDatabaseId: "db-1" } })))).toEqual({
      SWARM_NOTION_TOKEN: "swarm log",
    });
    const domains = {
      Business: { collection: "RegistryBusiness", keyId: "business" },
      Gaming: { collection: "RegistryGaming", keyId: "gaming" },
    };
    expect(
      Object.fromEntries(
        requiredSecrets(content({ notion: { registryDatabaseId: "db-2" }, sync: { domains } })),
      ),
    ).toEqual({
      SWARM_NOTION_TOKEN: "registry sync",
      WIREDCHAOS_KEY_BUSINESS: "registry sync",
      WIREDCHAOS_KEY_GAMING: "registry sync",
    });
  });
});

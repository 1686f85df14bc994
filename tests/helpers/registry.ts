/**
 * The Notion registry in tests: its schema for the Notion fake, a page's properties in request
 * shapes (to seed the fake) and in response shapes (for the pure mapping), and a stack config
 * with the content plane.
 */
import { parseStackConfig, type StackConfig } from "../../infra/config";
import type { NotionFake, NotionPropertyType } from "../fakes/notion-fake";

/** The registry's properties, as the fake's schema. */
export const REGISTRY_FAKE_SCHEMA: Record<string, NotionPropertyType> = {
  Name: "title",
  Domain: "select",
  Status: "status",
  Summary: "rich_text",
  URL: "url",
  App: "rich_text",
  Tags: "multi_select",
  Owner: "rich_text",
};

/** One registry entry's content, as a test writes it. */
export interface EntryInput {
  name: string;
  domain?: string | null;
  status?: string;
  summary?: string;
  url?: string | null;
  app?: string;
  tags?: string[];
  owner?: string;
}

const text = (s: string) => [{ text: { content: s } }];

/**
 * The page properties of an entry, as `pages.create` takes them (to seed the Notion fake).
 *
 * @param e - the entry
 */
export function registryRequestProperties(e: EntryInput): Record<string, unknown> {
  return {
    Name: { title: text(e.name) },
    Domain: { select: e.domain === null || e.domain === undefined ? null : { name: e.domain } },
    Status: { status: { name: e.status ?? "Live" } },
    ...(e.summary === undefined ? {} : { Summary: { rich_text: text(e.summary) } }),
    ...(e.url === undefined ? {} : { URL: { url: e.url } }),
    ...(e.app === undefined ? {} : { App: { rich_text: text(e.app) } }),
    ...(e.tags === undefined ? {} : { Tags: { multi_select: e.tags.map((name) => ({ name })) } }),
    ...(e.owner === undefined ? {} : { Owner: { rich_text: text(e.owner) } }),
  };
}

const rich = (s: string) => [{ type: "text", text: { content: s, link: null }, plain_text: s, href: null }];

/**
 * A page as `dataSources.query` answers it (for the pure mapping).
 *
 * @param id - the page id
 * @param e - the entry
 */
export function registryPage(id: string, e: EntryInput): Record<string, unknown> {
  return {
    object: "page",
    id,
    properties: {
      Name: { id: "title", type: "title", title: rich(e.name) },
      Domain: {
        id: "d",
        type: "select",
        select:
          e.domain === null || e.domain === undefined ? null : { id: "x", name: e.domain, color: "default" },
      },
      Status: { id: "s", type: "status", status: { id: "y", name: e.status ?? "Live", color: "green" } },
      Summary: { id: "m", type: "rich_text", rich_text: e.summary === undefined ? [] : rich(e.summary) },
      URL: { id: "u", type: "url", url: e.url ?? null },
      App: { id: "a", type: "rich_text", rich_text: e.app === undefined ? [] : rich(e.app) },
      Tags: {
        id: "t",
        type: "multi_select",
        multi_select: (e.tags ?? []).map((name) => ({ id: name, name })),
      },
      Owner: { id: "o", type: "rich_text", rich_text: e.owner === undefined ? [] : rich(e.owner) },
    },
  };
}

/** Collections, folders and key ids of the two domains in tests. */
export const TEST_DOMAINS = {
  Business: {
    collection: "SwarmRegistryBusiness",
    gammaFolderId: "folder-business",
    keyId: "business-staging",
  },
  Gaming: { collection: "SwarmRegistryGaming", gammaFolderId: "folder-gaming", keyId: "gaming-staging" },
} as const;

/**
 * A parsed local-target config with the content plane.
 *
 * @param content - `glidepath:content` @default - a registry and both domains
 * @param extra - more raw config keys @default - none
 */
export function contentConfig(
  content: Record<string, unknown> = {
    notion: { registryDatabaseId: "7a1d9c3e-1111-4111-8111-00000000c0de" },
    sync: { url: "http://127.0.0.1:1/_functions/sync", domains: TEST_DOMAINS },
  },
  extra: Record<string, string> = {},
): StackConfig {
  const parsed = parseStackConfig(
    {
      "glidepath:environment": "staging",
      "glidepath:apps": JSON.stringify({ wix: { target: "local" }, gamma: { target: "local" } }),
      "glidepath:releases": JSON.stringify({
        wix: { stable: { version: "v1", source: "apps/wix/v1" } },
        gamma: { stable: { version: "v1", source: "apps/gamma/v1" } },
      }),
      "glidepath:content": JSON.stringify(content),
      ...extra,
    },
    new Set(),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}

/**
 * Creates a registry page in the Notion fake through its API, as an editor would.
 *
 * @param fake - the Notion fake
 * @param token - a token the registry is shared with
 * @param databaseId - the registry database
 * @param e - the entry
 * @returns the page id
 */
export async function seedRegistryPage(
  fake: NotionFake,
  token: string,
  databaseId: string,
  e: EntryInput,
): Promise<string> {
  const res = await fetch(`${fake.url}/v1/pages`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "notion-version": "2025-09-03",
      "content-type": "application/json",
    },
    body: JSON.stringify({
      parent: { data_source_id: fake.dataSourceId(databaseId) },
      properties: registryRequestProperties(e),
    }),
  });
  if (res.status !== 200) throw new Error(`seeding the registry: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/**
 * Reading the whole registry through the real `@notionhq/client` against the Notion fake
 * (pages of 100 with the opaque cursor; trashed pages left out; a data source that is not a
 * registry refused), and failing closed on an incomplete answer or an error mid-pagination.
 */
import type { Client } from "@notionhq/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRegistry } from "../../automation/lib/content/registry-reader";
import type { GlidepathError } from "../../automation/lib/errors";
import { notionClient } from "../../automation/lib/notion/client";
import { type NotionFake, startNotionFake } from "../fakes/notion-fake";
import { REGISTRY_FAKE_SCHEMA, seedRegistryPage } from "../helpers/registry";
import { rejectionOf } from "../helpers/rejection";

/** What a promise that must reject rejects with, as the error it should be. */
const refusal = async (p: Promise<unknown>): Promise<GlidepathError> =>
  (await rejectionOf(p)) as GlidepathError;

const TOKEN = "secret_registry_0123456789abcdef";
const DB = "7a1d9c3e-1111-4111-8111-00000000c0de";
const NOT_REGISTRY = "7a1d9c3e-2222-4222-8222-00000000beef";

let fake: NotionFake;
beforeEach(async () => {
  fake = await startNotionFake({
    tokens: { [TOKEN]: { scope: "registry", databaseIds: [DB, NOT_REGISTRY] } },
    databases: [
      { id: DB, title: "Registry", properties: REGISTRY_FAKE_SCHEMA },
      { id: NOT_REGISTRY, properties: { Name: "title", Domain: "rich_text" } },
    ],
  });
});
afterEach(() => fake.close());

async function seed(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    ids.push(
      await seedRegistryPage(fake, TOKEN, DB, { name: `entry ${i}`, domain: i % 2 ? "Gaming" : "Business" }),
    );
  return ids;
}

describe("readRegistry against the Notion fake", () => {
  it("reads every page in pages of 100, following the cursor; trashed pages are left out", async () => {
    const ids = await seed(230);
    fake.editPage(ids[7] as string, { inTrash: true });
    const r = await readRegistry({ token: TOKEN, databaseId: DB, baseUrl: fake.url });
    expect(r.requests).toBe(3);
    expect(r.pages).toHaveLength(229);
    expect(r.pages.map((p) => (p as { id: string }).id)).toEqual(ids.filter((_, i) => i !== 7));
    const queries = fake.requests.filter((q) => q.path.endsWith("/query"));
    expect(queries).toHaveLength(3);
  });

  it("refuses a data source that is not a registry, naming its properties, before reading a page", async () => {
    const e = await refusal(readRegistry({ token: TOKEN, databaseId: NOT_REGISTRY, baseUrl: fake.url }));
    expect((e as GlidepathError).code).toBe("GP_CONFIG_INVALID");
    expect(e.message).toContain(`"Domain" is rich_text, expected select`);
    expect(e.message).toContain(`"Status" (select or status) is missing`);
    expect(e.message).toContain("nothing was written to Wix");
    expect(fake.requests.filter((q) => q.path.endsWith("/query"))).toHaveLength(0);
  });

  it("a refused token or an unshared database is GP_CREDENTIAL_SCOPE, without the token in the message", async () => {
    const bad = await refusal(
      readRegistry({ token: "secret_wrong_0000", databaseId: DB, baseUrl: fake.url }),
    );
    expect((bad as GlidepathError).code).toBe("GP_CREDENTIAL_SCOPE");
    expect(bad.message).toContain("SWARM_NOTION_TOKEN");
    expect(bad.message).not.toContain("secret_wrong_0000");
    const unshared = await refusal(
      readRegistry({ token: TOKEN, databaseId: "7a1d9c3e-9999-4999-8999-000000000000", baseUrl: fake.url }),
    );
    expect((unshared as GlidepathError).code).toBe("GP_CREDENTIAL_SCOPE");
    expect(unshared.message).toContain("is not shared with the integration");
  });

  it("an outage mid-pagination fails the whole read (nothing is returned)", async () => {
    await seed(150);
    // The real client against the fake; once the first page is in, every later query fails.
    const real = notionClient({ token: TOKEN, baseUrl: fake.url, retry: { maxRetries: 0 } });
    const client = {
      databases: real.databases,
      dataSources: {
        ...real.dataSources,
        query: async (args: Parameters<Client["dataSources"]["query"]>[0]) => {
          const answer = await real.dataSources.query(args);
          fake.fault({ method: "POST", path: /\/query$/, fault: { kind: "fail", status: 503 } });
          return answer;
        },
      },
    } as unknown as Pick<Client, "databases" | "dataSources">;
    const e = await refusal(readRegistry({ token: TOKEN, databaseId: DB, baseUrl: fake.url, client }));
    expect((e as GlidepathError).code).toBe("GP_TARGET_UNREACHABLE");
    expect(e.message).toContain("after 100 pages");
    expect(e.message).toContain("nothing was written to Wix");
  });
});

/** A client whose queries answer the given pages in turn. */
function stubClient(answers: Record<string, unknown>[]): Pick<Client, "databases" | "dataSources"> {
  const properties = Object.fromEntries(
    Object.entries(REGISTRY_FAKE_SCHEMA).map(([k, type]) => [k, { type }]),
  );
  let i = 0;
  return {
    databases: {
      retrieve: async () => ({ object: "database", id: "db", data_sources: [{ id: "ds", name: "r" }] }),
    },
    dataSources: {
      retrieve: async () => ({ object: "data_source", id: "ds", properties }),
      query: async () => answers[i++],
    },
  } as unknown as Pick<Client, "databases" | "dataSources">;
}

const page = (id: string) => ({ object: "page", id, properties: {} });

describe("readRegistry fails closed", () => {
  it("on an answer that says it is incomplete", async () => {
    const client = stubClient([
      { results: [page("a")], has_more: true, next_cursor: "c1", request_status: { type: "complete" } },
      {
        results: [page("b")],
        has_more: false,
        next_cursor: null,
        request_status: { type: "incomplete", incomplete_reason: "query_result_limit_reached" },
      },
    ]);
    const e = await refusal(readRegistry({ token: "t", databaseId: "db", client }));
    expect((e as GlidepathError).code).toBe("GP_TARGET_UNREACHABLE");
    expect(e.message).toContain("incomplete result (query_result_limit_reached)");
  });

  it("on a page seen twice, and on has_more without a cursor", async () => {
    const twice = stubClient([
      { results: [page("a")], has_more: true, next_cursor: "c1" },
      { results: [page("a")], has_more: false, next_cursor: null },
    ]);
    expect((await refusal(readRegistry({ token: "t", databaseId: "db", client: twice }))).message).toContain(
      "returned page a twice",
    );
    const noCursor = stubClient([{ results: [page("a")], has_more: true, next_cursor: null }]);
    expect(
      (await refusal(readRegistry({ token: "t", databaseId: "db", client: noCursor }))).message,
    ).toContain("gave no cursor");
  });
});

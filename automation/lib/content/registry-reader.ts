/**
 * Reads every page of the Notion registry (its database's data source): `dataSources.query` in
 * pages of 100, following Notion's opaque cursor while `has_more`. Fails closed: the data source
 * not fitting the registry's schema, an answer that says it is incomplete
 * (`request_status.type: "incomplete"`), a page seen twice, or any error on any page of the
 * query throws, and the caller writes nothing. Trashed pages are not returned (they are what
 * the sync mirrors as archived).
 */
import type { Client } from "@notionhq/client";
import { GlidepathError } from "../errors";
import {
  type NotionClientOptions,
  notionClient,
  notionFailure,
  notionWhere,
  resolveDataSource,
} from "../notion/client";
import { registrySchemaProblems } from "./registry-entry";

/** Notion's largest page of query results. */
export const PAGE_SIZE = 100;

/** Options of {@link readRegistry}. */
export interface RegistryReadOptions extends NotionClientOptions {
  /** The registry database's id (`glidepath:content.notion.registryDatabaseId`). */
  databaseId: string;
  /** The name of the token's setting, for messages. @default "SWARM_NOTION_TOKEN" */
  tokenSetting?: string;
  /** The client to use (tests). @default - {@link notionClient} of these options */
  client?: Pick<Client, "databases" | "dataSources">;
}

/** What was read. */
export interface RegistryRead {
  /** The data source read. */
  dataSourceId: string;
  /** Every page, in the data source's creation order. */
  pages: unknown[];
  /** How many query requests it took. */
  requests: number;
}

/**
 * Reads the whole registry.
 *
 * @param opts - token, database, client options
 * @throws GlidepathError `GP_CREDENTIAL_SCOPE` (token refused, database not shared),
 *   `GP_CONFIG_INVALID` (not a registry: its properties are listed), `GP_TARGET_UNREACHABLE`
 *   (Notion failed or answered an incomplete result): nothing of the registry is returned
 */
export async function readRegistry(opts: RegistryReadOptions): Promise<RegistryRead> {
  const tokenSetting = opts.tokenSetting ?? "SWARM_NOTION_TOKEN";
  const where = notionWhere(opts.baseUrl);
  const client = (opts.client ?? notionClient(opts)) as Client;
  const nothing = "; nothing was written to Wix";
  const fail = notionFailure({
    token: opts.token,
    ...(opts.baseUrl === undefined ? {} : { baseUrl: opts.baseUrl }),
    tokenSetting,
    integration: "the registry's integration",
    database: `the registry database ${opts.databaseId}`,
    notSharedRemedy:
      "share the registry database with the integration (database ⋯ → Connections), or fix glidepath:content.notion.registryDatabaseId",
    invalidRemedy:
      "make the registry's properties match the ones the runbook lists, then run `glidepath sync` again",
    unreachableRemedy: "nothing was written to Wix; run `glidepath sync` again once Notion answers",
  });
  const failing = (step: string, e: unknown): GlidepathError => {
    const g = fail(step, e);
    return new GlidepathError(
      g.code,
      g.message.endsWith(nothing) ? g.message : `${g.message}${nothing}`,
      g.remedy,
    );
  };
  const { dataSourceId, properties } = await resolveDataSource(
    client,
    opts.databaseId,
    failing,
    "point glidepath:content.notion.registryDatabaseId at the registry database (not a page or a linked view)",
    opts.baseUrl,
  );
  const problems = registrySchemaProblems(properties);
  if (problems.length > 0)
    throw new GlidepathError(
      "GP_CONFIG_INVALID",
      `${where}: the registry data source ${dataSourceId} does not fit: ${problems.join("; ")}${nothing}`,
      "add or retype those properties in the registry database (docs/runbook.md, “Syncing the registry to Wix”)",
    );
  const pages: unknown[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  let requests = 0;
  do {
    const answer = await client.dataSources
      .query({
        data_source_id: dataSourceId,
        page_size: PAGE_SIZE,
        sorts: [{ timestamp: "created_time", direction: "ascending" }],
        ...(cursor === undefined ? {} : { start_cursor: cursor }),
      })
      .catch((e: unknown) => {
        throw failing(`reading the registry (request ${requests + 1}, after ${pages.length} pages)`, e);
      });
    requests += 1;
    const status = (answer as { request_status?: { type?: string; incomplete_reason?: string } })
      .request_status;
    if (status !== undefined && status.type !== "complete")
      throw new GlidepathError(
        "GP_TARGET_UNREACHABLE",
        `${where}: the registry query answered an incomplete result (${status.incomplete_reason ?? status.type}) after ${pages.length + answer.results.length} pages${nothing}`,
        "Notion cut the query short: retry later; if it persists, split the registry or report it",
      );
    for (const page of answer.results) {
      const id = (page as { id?: unknown }).id;
      if (typeof id === "string") {
        if (seen.has(id))
          throw new GlidepathError(
            "GP_TARGET_UNREACHABLE",
            `${where}: the registry query returned page ${id} twice (the registry changed while it was read)${nothing}`,
            "run `glidepath sync` again",
          );
        seen.add(id);
      }
      pages.push(page);
    }
    cursor = answer.has_more ? (answer.next_cursor ?? undefined) : undefined;
    if (answer.has_more && cursor === undefined)
      throw new GlidepathError(
        "GP_TARGET_UNREACHABLE",
        `${where}: the registry query said it has more pages but gave no cursor${nothing}`,
        "run `glidepath sync` again; if it persists, report it",
      );
  } while (cursor !== undefined);
  return { dataSourceId, pages, requests };
}

/**
 * The Notion SWARM sink: each SWARM event becomes one row of the SWARM database's data source
 * (Notion API 2025-09-03, through `@notionhq/client`). Notion has no upsert, so a send looks the
 * row up by its `Event ID` property and then creates it, updates it (the event changed) or
 * leaves it (it already holds the event); sends run one at a time, so two sends of one id never
 * race into two rows. The data source is resolved once (the database's first data source) and
 * its schema checked before the first write. The token is only ever handed to the client: it is
 * not logged, and no error carries it.
 */
import type { Logger } from "@notionhq/client";
import { GlidepathError } from "../errors";
import {
  type NotionRetry,
  notionClient,
  notionFailure,
  notionWhere,
  resolveDataSource,
} from "../notion/client";
import { redactUrl } from "../redact";
import { EVENT_ID_PROPERTY, rowHolds, swarmRowProperties, swarmSchemaProblems } from "./notion-row";
import type { SwarmEvent } from "./schema";
import type { SwarmSink } from "./sinks";

export type { NotionRetry };

/** Options of {@link notionSwarmSink}. */
export interface NotionSinkOptions {
  /** The integration token (a secret: never logged, never in an error). */
  token: string;
  /** The SWARM database's id. */
  databaseId: string;
  /** The API's origin, without `/v1` or a trailing slash. @default - Notion's own API */
  baseUrl?: string;
  /** The environment written on each row. @default - the event's stack */
  environment?: string;
  /** Time out for one attempt of one request. @default 15000 */
  timeoutMs?: number;
  /** The client's retry policy. @default - {@link NotionRetry}'s defaults */
  retry?: NotionRetry;
  /** Receives the client's log lines (method, path, status; never the token). @default - dropped */
  logger?: Logger;
  /** The name of the token's setting, for error messages. @default "SWARM_NOTION_TOKEN" */
  tokenSetting?: string;
  /** Aborts every request in flight and every later one (a command that must exit). @default - none */
  signal?: AbortSignal;
}

/** What one send did. */
export type NotionSendOutcome = "created" | "updated" | "unchanged";

/** A Notion SWARM sink. */
export interface NotionSwarmSink extends SwarmSink {
  /** Like `send`, and says what it did. */
  write(event: SwarmEvent): Promise<NotionSendOutcome>;
}

/**
 * A SWARM sink writing to Notion.
 *
 * @param opts - token, database and client options
 */
export function notionSwarmSink(opts: NotionSinkOptions): NotionSwarmSink {
  const tokenSetting = opts.tokenSetting ?? "SWARM_NOTION_TOKEN";
  const where = notionWhere(opts.baseUrl);
  const client = notionClient(opts);
  const failure = notionFailure({
    token: opts.token,
    ...(opts.baseUrl === undefined ? {} : { baseUrl: opts.baseUrl }),
    tokenSetting,
    integration: "the SWARM integration",
    database: `database ${opts.databaseId}`,
    notSharedRemedy:
      "share the SWARM database with the integration (database ⋯ → Connections), or fix SWARM_DB_ID",
    invalidRemedy: "make the SWARM data source's properties match the ones the runbook lists",
    unreachableRemedy: "the events stay in the local log; deliver them later with `glidepath events flush`",
  });

  let resolved: Promise<{ dataSourceId: string; titleProperty: string }> | undefined;
  const resolve = async (): Promise<{ dataSourceId: string; titleProperty: string }> => {
    const { dataSourceId, properties } = await resolveDataSource(
      client,
      opts.databaseId,
      failure,
      "point SWARM_DB_ID at the SWARM database (not a page or a linked view)",
      opts.baseUrl,
    );
    const { titleProperty, problems } = swarmSchemaProblems(properties);
    if (titleProperty === undefined || problems.length > 0)
      throw new GlidepathError(
        "GP_CONFIG_INVALID",
        `${where}: the SWARM data source ${dataSourceId} does not fit: ${problems.join("; ")}`,
        "add or retype those properties in the SWARM database",
      );
    return { dataSourceId, titleProperty };
  };

  const writeOne = async (event: SwarmEvent): Promise<NotionSendOutcome> => {
    resolved ??= resolve();
    const target = await resolved.catch((e: unknown) => {
      resolved = undefined;
      throw e;
    });
    const wanted = swarmRowProperties(event, target.titleProperty, opts.environment ?? event.stack);
    const found = await client.dataSources
      .query({
        data_source_id: target.dataSourceId,
        filter: { property: EVENT_ID_PROPERTY, rich_text: { equals: event.id } },
        sorts: [{ timestamp: "created_time", direction: "ascending" }],
        page_size: 1,
      })
      .catch((e: unknown) => {
        throw failure(`looking up event ${event.id}`, e);
      });
    const row = found.results[0];
    if (row === undefined) {
      await client.pages
        .create({
          parent: { type: "data_source_id", data_source_id: target.dataSourceId },
          properties: wanted,
        })
        .catch((e: unknown) => {
          throw failure(`writing event ${event.id}`, e);
        });
      return "created";
    }
    const held = "properties" in row ? (row.properties as Parameters<typeof rowHolds>[0]) : {};
    if (rowHolds(held, wanted)) return "unchanged";
    await client.pages.update({ page_id: row.id, properties: wanted }).catch((e: unknown) => {
      throw failure(`updating event ${event.id}`, e);
    });
    return "updated";
  };

  let queue: Promise<unknown> = Promise.resolve();
  const write = (event: SwarmEvent): Promise<NotionSendOutcome> => {
    const run = queue.then(() => writeOne(event));
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    describe: () =>
      `notion database ${opts.databaseId}${opts.baseUrl === undefined ? "" : ` at ${redactUrl(opts.baseUrl)}`}`,
    write,
    send: async (event) => {
      await write(event);
    },
  };
}

/**
 * The Notion SWARM sink: each SWARM event becomes one row of the SWARM database's data source
 * (Notion API 2025-09-03, through `@notionhq/client`). Notion has no upsert, so a send looks the
 * row up by its `Event ID` property and then creates it, updates it (the event changed) or
 * leaves it (it already holds the event); sends run one at a time, so two sends of one id never
 * race into two rows. The data source is resolved once (the database's first data source) and
 * its schema checked before the first write. The token is only ever handed to the client: it is
 * not logged, and no error carries it.
 */
import { Client, isNotionClientError, type Logger } from "@notionhq/client";
import { GlidepathError } from "../errors";
import { redactUrl } from "../redact";
import { EVENT_ID_PROPERTY, rowHolds, swarmRowProperties, swarmSchemaProblems } from "./notion-row";
import type { SwarmEvent } from "./schema";
import type { SwarmSink } from "./sinks";

/** The client's retry policy (see `@notionhq/client`'s `RetryOptions`). */
export interface NotionRetry {
  /** Retries after the first attempt (429 and 529 always; 500 and 503 for reads). @default 5 */
  maxRetries?: number;
  /** First back-off when the answer has no `Retry-After`, doubled per attempt. @default 1000 */
  initialRetryDelayMs?: number;
  /** Cap on one wait, `Retry-After` included. @default 60000 */
  maxRetryDelayMs?: number;
}

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

/** What the client may throw, reduced to what an error message may show. */
function describeFailure(e: unknown): { status?: number; code: string; message: string } {
  if (isNotionClientError(e)) {
    const status = "status" in e && typeof e.status === "number" ? e.status : undefined;
    return { ...(status === undefined ? {} : { status }), code: e.code, message: e.message };
  }
  if (e instanceof Error) {
    const cause = (e as { cause?: { code?: unknown } }).cause;
    const code = typeof cause?.code === "string" ? cause.code : e.name;
    return { code, message: e.message };
  }
  return { code: "unknown", message: String(e) };
}

/** `fetch`, cut short by `signal` as well as by the request's own signal (the client's time-out). */
function abortable(signal: AbortSignal): typeof fetch {
  return (input, init) =>
    fetch(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal,
    });
}

/**
 * A SWARM sink writing to Notion.
 *
 * @param opts - token, database and client options
 */
export function notionSwarmSink(opts: NotionSinkOptions): NotionSwarmSink {
  const tokenSetting = opts.tokenSetting ?? "SWARM_NOTION_TOKEN";
  const where = opts.baseUrl === undefined ? "Notion" : `Notion at ${redactUrl(opts.baseUrl)}`;
  const client = new Client({
    auth: opts.token,
    ...(opts.baseUrl === undefined ? {} : { baseUrl: opts.baseUrl }),
    timeoutMs: opts.timeoutMs ?? 15_000,
    retry: {
      maxRetries: opts.retry?.maxRetries ?? 5,
      initialRetryDelayMs: opts.retry?.initialRetryDelayMs ?? 1000,
      maxRetryDelayMs: opts.retry?.maxRetryDelayMs ?? 60_000,
    },
    logger: opts.logger ?? (() => {}),
    ...(opts.signal === undefined ? {} : { fetch: abortable(opts.signal) }),
  });
  const clean = (s: string): string => (opts.token === "" ? s : s.split(opts.token).join("***"));

  /** A client failure as a GlidepathError naming the step, the status and Notion's code. */
  const failure = (step: string, e: unknown): GlidepathError => {
    if (e instanceof GlidepathError) return e;
    const f = describeFailure(e);
    const what = `${where}: ${step} failed (${f.status === undefined ? "" : `${f.status} `}${f.code}): ${clean(f.message)}`;
    if (f.status === 401)
      return new GlidepathError(
        "GP_CREDENTIAL_SCOPE",
        `${what}; the token in ${tokenSetting} was refused`,
        `set ${tokenSetting} to the SWARM integration's token (Notion: Settings → Connections)`,
      );
    if (f.status === 403 || f.status === 404)
      return new GlidepathError(
        "GP_CREDENTIAL_SCOPE",
        `${what}; database ${opts.databaseId} does not exist or is not shared with the integration`,
        `share the SWARM database with the integration (database ⋯ → Connections), or fix SWARM_DB_ID`,
      );
    if (f.status === 400)
      return new GlidepathError(
        "GP_CONFIG_INVALID",
        what,
        "make the SWARM data source's properties match the ones the runbook lists",
      );
    return new GlidepathError(
      "GP_TARGET_UNREACHABLE",
      what,
      "the events stay in the local log; deliver them later with `glidepath events flush`",
    );
  };

  let resolved: Promise<{ dataSourceId: string; titleProperty: string }> | undefined;
  const resolve = async (): Promise<{ dataSourceId: string; titleProperty: string }> => {
    const db = await client.databases.retrieve({ database_id: opts.databaseId }).catch((e: unknown) => {
      throw failure(`reading database ${opts.databaseId}`, e);
    });
    const dataSourceId = "data_sources" in db ? db.data_sources[0]?.id : undefined;
    if (dataSourceId === undefined)
      throw new GlidepathError(
        "GP_CONFIG_INVALID",
        `${where}: database ${opts.databaseId} has no data source`,
        "point SWARM_DB_ID at the SWARM database (not a page or a linked view)",
      );
    const ds = await client.dataSources.retrieve({ data_source_id: dataSourceId }).catch((e: unknown) => {
      throw failure(`reading data source ${dataSourceId}`, e);
    });
    const properties = "properties" in ds ? (ds.properties as Record<string, { type: string }>) : {};
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

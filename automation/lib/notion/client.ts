/**
 * The one way glidepath talks to Notion (API 2025-09-03, `@notionhq/client`): the client with
 * glidepath's timeout and retry policy, the mapping of what the client throws to glidepath's
 * error codes, and a database's resolution to its data source (the API's unit of rows since
 * 2025-09-03). The SWARM sink and the registry reader both use it. The token is only ever
 * handed to the client: it is never logged, and no error built here carries it.
 */
import { Client, isNotionClientError, type Logger } from "@notionhq/client";
import { GlidepathError } from "../errors";
import { redactUrl } from "../redact";

/** The client's retry policy (see `@notionhq/client`'s `RetryOptions`). */
export interface NotionRetry {
  /** Retries after the first attempt (429 and 529 always; 500 and 503 for reads). @default 5 */
  maxRetries?: number;
  /** First back-off when the answer has no `Retry-After`, doubled per attempt. @default 1000 */
  initialRetryDelayMs?: number;
  /** Cap on one wait, `Retry-After` included. @default 60000 */
  maxRetryDelayMs?: number;
}

/** Options of {@link notionClient}. */
export interface NotionClientOptions {
  /** The integration token (a secret: never logged, never in an error). */
  token: string;
  /** The API's origin, without `/v1` or a trailing slash. @default - Notion's own API */
  baseUrl?: string;
  /** Time out for one attempt of one request. @default 15000 */
  timeoutMs?: number;
  /** The client's retry policy. @default - {@link NotionRetry}'s defaults */
  retry?: NotionRetry;
  /** Receives the client's log lines (method, path, status; never the token). @default - dropped */
  logger?: Logger;
  /** Cuts every request short (on top of each attempt's timeout). @default - none */
  signal?: AbortSignal;
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
 * A Notion client with glidepath's defaults (15 s per attempt, 5 retries).
 *
 * @param opts - token, origin, timeout, retry policy and logger
 */
export function notionClient(opts: NotionClientOptions): Client {
  return new Client({
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
}

/** What the client may throw, reduced to what an error message may show. */
export function describeFailure(e: unknown): { status?: number; code: string; message: string } {
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

/** How a caller names its database and what to do about each kind of failure. */
export interface NotionFailureContext {
  /** The token (removed from any message). */
  token: string;
  /** The API's origin, for messages. @default - Notion's own API */
  baseUrl?: string;
  /** The name of the token's setting, e.g. `SWARM_NOTION_TOKEN`. */
  tokenSetting: string;
  /** Which integration the token should be, e.g. `the SWARM integration`. */
  integration: string;
  /** The database, e.g. `database 5f0c…`. */
  database: string;
  /** The fix when the database is missing or not shared (403, 404). */
  notSharedRemedy: string;
  /** The fix for a request Notion refused as invalid (400). */
  invalidRemedy: string;
  /** The fix when Notion could not be reached (network, timeout, 429/5xx after retries). */
  unreachableRemedy: string;
}

/** `Notion` or `Notion at <origin>` (redacted). */
export function notionWhere(baseUrl: string | undefined): string {
  return baseUrl === undefined ? "Notion" : `Notion at ${redactUrl(baseUrl)}`;
}

/**
 * Maps what the client threw to a {@link GlidepathError} naming the step, the status and
 * Notion's code: 401 → `GP_CREDENTIAL_SCOPE` (the token was refused), 403/404 →
 * `GP_CREDENTIAL_SCOPE` (the database is missing or not shared), 400 → `GP_CONFIG_INVALID`,
 * anything else → `GP_TARGET_UNREACHABLE`. A GlidepathError passes through as it is.
 *
 * @param ctx - how to name things and what to advise
 * @returns a function of the step (`reading database …`) and the thrown value
 */
export function notionFailure(ctx: NotionFailureContext): (step: string, e: unknown) => GlidepathError {
  const where = notionWhere(ctx.baseUrl);
  const clean = (s: string): string => (ctx.token === "" ? s : s.split(ctx.token).join("***"));
  return (step, e) => {
    if (e instanceof GlidepathError) return e;
    const f = describeFailure(e);
    const what = `${where}: ${step} failed (${f.status === undefined ? "" : `${f.status} `}${f.code}): ${clean(f.message)}`;
    if (f.status === 401)
      return new GlidepathError(
        "GP_CREDENTIAL_SCOPE",
        `${what}; the token in ${ctx.tokenSetting} was refused`,
        `set ${ctx.tokenSetting} to ${ctx.integration}'s token (Notion: Settings → Connections)`,
      );
    if (f.status === 403 || f.status === 404)
      return new GlidepathError(
        "GP_CREDENTIAL_SCOPE",
        `${what}; ${ctx.database} does not exist or is not shared with the integration`,
        ctx.notSharedRemedy,
      );
    if (f.status === 400) return new GlidepathError("GP_CONFIG_INVALID", what, ctx.invalidRemedy);
    return new GlidepathError("GP_TARGET_UNREACHABLE", what, ctx.unreachableRemedy);
  };
}

/** A database's data source and its property schema. */
export interface ResolvedDataSource {
  /** The data source's id. */
  dataSourceId: string;
  /** Its properties: name → `{type}`. */
  properties: Record<string, { type: string }>;
}

/**
 * Resolves a database to its first data source and reads that data source's schema.
 *
 * @param client - the client
 * @param databaseId - the database's id
 * @param fail - the caller's {@link notionFailure}
 * @param noSourceRemedy - the fix when the id is not a database with a data source
 * @param baseUrl - the API's origin, for messages @default - Notion's own API
 * @throws GlidepathError from `fail`; `GP_CONFIG_INVALID` when the database has no data source
 */
export async function resolveDataSource(
  client: Client,
  databaseId: string,
  fail: (step: string, e: unknown) => GlidepathError,
  noSourceRemedy: string,
  baseUrl?: string,
): Promise<ResolvedDataSource> {
  const db = await client.databases.retrieve({ database_id: databaseId }).catch((e: unknown) => {
    throw fail(`reading database ${databaseId}`, e);
  });
  const dataSourceId = "data_sources" in db ? db.data_sources[0]?.id : undefined;
  if (dataSourceId === undefined)
    throw new GlidepathError(
      "GP_CONFIG_INVALID",
      `${notionWhere(baseUrl)}: database ${databaseId} has no data source`,
      noSourceRemedy,
    );
  const ds = await client.dataSources.retrieve({ data_source_id: dataSourceId }).catch((e: unknown) => {
    throw fail(`reading data source ${dataSourceId}`, e);
  });
  const properties = "properties" in ds ? (ds.properties as Record<string, { type: string }>) : {};
  return { dataSourceId, properties };
}

/**
 * A client of the Wix APIs the Wix target writes through: Data Items v2
 * (`<apiUrl>/wix-data/v2`) for the CMS records, and the site publisher
 * (`<apiUrl>/site-publisher/v1/site/publish`). Every request sends the API key as
 * `Authorization` (no scheme) and the stack's site as `wix-site-id`, and goes through
 * {@link fetchWithRetry}. Item data comes back as the API gives it (dates as `{"$date": ISO}`).
 *
 * Runs inside serialized dynamic providers: no Node built-ins, no module-scope state; the key
 * never appears in an error or a log line.
 */
import { fetchWithRetry } from "./http-retry";
import { CredentialScopeError, type WixSpec } from "./specs";

/** The Wix CMS and publisher, for one site. */
export interface WixClient {
  /**
   * Queries the releases collection for one item: 401 → {@link CredentialScopeError} "API key
   * is not valid"; 403 → {@link CredentialScopeError} naming the site id.
   */
  verifyScope(): Promise<void>;
  /**
   * An item's data, or undefined when the item does not exist (404 / WDE0073).
   *
   * @param collection - the collection id
   * @param id - the item id
   */
  get(collection: string, id: string): Promise<Record<string, unknown> | undefined>;
  /**
   * Inserts or replaces an item (`POST /items/save`, with `data._id` = `id`).
   *
   * @param collection - the collection id
   * @param id - the item id
   * @param data - the item's fields
   * @returns whether the item was new
   */
  save(collection: string, id: string, data: Record<string, unknown>): Promise<"INSERTED" | "UPDATED">;
  /**
   * Removes an item; a missing one is fine.
   *
   * @param collection - the collection id
   * @param id - the item id
   */
  remove(collection: string, id: string): Promise<void>;
  /**
   * The data of every item matching a filter (the Wix query language: `{field: {$eq: v}}`,
   * `{field: {$in: [...]}}`, …), all pages (cursor paging).
   *
   * @param collection - the collection id
   * @param filter - the filter; `{}` matches every item
   */
  query(collection: string, filter: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  /** Publishes the site; a site that fails Wix's pre-publish check (428) is a clear error. */
  publish(): Promise<void>;
}

/** The shape of a Wix error answer. */
interface WixErrorBody {
  message?: string;
  details?: { applicationError?: { code?: string; description?: string } };
}

/** Items per query page. */
const PAGE_LIMIT = 100;

/**
 * What to do about a refused request, by status.
 *
 * @param status - the HTTP status
 * @param collection - the collection the request addressed, if any
 */
function remedyFor(status: number, collection: string | undefined): string {
  if (status === 404 && collection !== undefined)
    return `create the collection ${collection} in the site's CMS, then run the update again`;
  if (status === 413) return "make the record smaller (Wix takes at most 500 KB per item)";
  if (status === 409)
    return "remove the conflicting item or let glidepath save it, then run the update again";
  return "check the request and the site's CMS collections, then run the update again";
}

/**
 * A client for one Wix site.
 *
 * @param spec - the site, its API base URL, the key and the collection names
 */
export function wixClient(spec: WixSpec): WixClient {
  const dataBase = `${spec.apiUrl}/wix-data/v2`;
  const headers = {
    authorization: spec.apiKey,
    "wix-site-id": spec.siteId,
    "content-type": "application/json",
    accept: "application/json",
  };

  /**
   * Sends a request; returns the JSON of a 2xx, or undefined for a 404 that says the item does
   * not exist when `missingOk`; anything else is an error.
   */
  const call = async (
    op: string,
    method: string,
    url: string,
    opts: { body?: unknown; collection?: string; missingOk?: boolean } = {},
  ): Promise<Record<string, unknown> | undefined> => {
    const what = `wix: ${op}`;
    const res = await fetchWithRetry(
      what,
      url,
      { method, headers, ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }) },
      spec.retry,
    );
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? {} : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.ok) {
      if (typeof json !== "object" || json === null)
        throw new Error(
          `${what}: the answer (HTTP ${res.status}) is not JSON; check glidepath:targets.wix.apiUrl`,
        );
      return json as Record<string, unknown>;
    }
    const err = (json ?? {}) as WixErrorBody;
    const code = err.details?.applicationError?.code;
    const said = err.details?.applicationError?.description || err.message || text.slice(0, 200);
    if (res.status === 404 && opts.missingOk && (code === undefined || code === "WDE0073")) return undefined;
    if (res.status === 401)
      throw new CredentialScopeError(
        "wix",
        "API key is not valid (HTTP 401); set WIX_API_KEY to a key of the site's account",
      );
    if (res.status === 403)
      throw new CredentialScopeError(
        "wix",
        `the API key may not ${op} on site ${spec.siteId} (HTTP 403${code ? ` ${code}` : ""}); ` +
          "give the key the Wix Data and Site Actions permissions for that site, or check glidepath:targets.wix.siteId",
      );
    const status = `HTTP ${res.status}${code ? ` ${code}` : ""}${said ? ` "${said}"` : ""}`;
    if (res.status === 428)
      throw new Error(
        `${what}: site ${spec.siteId} failed Wix's pre-publish validation (${status}); open the site in ` +
          "the Wix editor, fix what it reports, then run the update again",
      );
    throw new Error(`${what} failed (${status}): ${remedyFor(res.status, opts.collection)}`);
  };

  const itemUrl = (collection: string, id: string) =>
    `${dataBase}/items/${encodeURIComponent(id)}?dataCollectionId=${encodeURIComponent(collection)}`;

  return {
    async verifyScope() {
      await call("query the releases collection", "POST", `${dataBase}/items/query`, {
        body: { dataCollectionId: spec.collections.releases, query: { cursorPaging: { limit: 1 } } },
        collection: spec.collections.releases,
      });
    },
    async get(collection, id) {
      const out = await call(`get item ${id} of ${collection}`, "GET", itemUrl(collection, id), {
        collection,
        missingOk: true,
      });
      const data = (out?.dataItem as { data?: Record<string, unknown> } | undefined)?.data;
      return out === undefined ? undefined : (data ?? {});
    },
    async save(collection, id, data) {
      const out = await call(`save item ${id} of ${collection}`, "POST", `${dataBase}/items/save`, {
        body: { dataCollectionId: collection, dataItem: { id, data: { _id: id, ...data } } },
        collection,
      });
      const action = out?.action;
      if (action !== "INSERTED" && action !== "UPDATED")
        throw new Error(
          `wix: save item ${id} of ${collection}: the answer has no action (got ${JSON.stringify(action)}); ` +
            "check glidepath:targets.wix.apiUrl",
        );
      return action;
    },
    async remove(collection, id) {
      await call(`remove item ${id} of ${collection}`, "DELETE", itemUrl(collection, id), {
        collection,
        missingOk: true,
      });
    },
    async query(collection, filter) {
      const out: Record<string, unknown>[] = [];
      const seen = new Set<string>();
      let cursor: string | undefined;
      for (;;) {
        const body =
          cursor === undefined
            ? { dataCollectionId: collection, query: { filter, cursorPaging: { limit: PAGE_LIMIT } } }
            : { dataCollectionId: collection, query: { cursorPaging: { cursor, limit: PAGE_LIMIT } } };
        const page = await call(`query ${collection}`, "POST", `${dataBase}/items/query`, {
          body,
          collection,
        });
        const items = (page?.dataItems ?? []) as { data?: Record<string, unknown> }[];
        for (const item of items) out.push(item.data ?? {});
        const meta = page?.pagingMetadata as { cursors?: { next?: string | null } } | undefined;
        const next = meta?.cursors?.next;
        if (typeof next !== "string" || next === "") return out;
        if (seen.has(next))
          throw new Error(`wix: query ${collection}: the API returned a cursor twice; run the update again`);
        seen.add(next);
        cursor = next;
      }
    },
    async publish() {
      await call("publish the site", "POST", `${spec.apiUrl}/site-publisher/v1/site/publish`, { body: {} });
    },
  };
}

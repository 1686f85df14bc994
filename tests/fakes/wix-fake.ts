/**
 * A loopback fake of the Wix APIs glidepath uses: Data Items v2 under `/wix-data/v2` (insert,
 * get, save, remove, query, bulk save), the site publisher (`/site-publisher/v1/site/publish`),
 * the published site's pages (`/site/<siteId>/<path>`, which the edge proxies to), and the
 * site's sync endpoint (`POST /site/<siteId>/_functions/sync`).
 *
 * Like the real service: the API key goes in `Authorization` without a scheme (none or an
 * unknown one → 401), the site in `wix-site-id` (missing, or a site outside the key's scope →
 * 403); errors are `{message, details:{applicationError:{code, description}}}`; items carry
 * `_id`, `_createdDate` and `_updatedDate` (dates as `{"$date": ISO}`); a missing item is
 * WDE0073 (404), inserting an existing id WDE0074 (409); a bulk call over 1000 items is WDE0006
 * (400). Query pages are reached with an opaque cursor, and a request after the first may carry
 * only `cursorPaging.cursor`. Every write (allowed or refused) goes to the write log, with the
 * key's scope name (never the key) and `<siteId>/<collection>` as the target scope.
 *
 * The sync endpoint is the site's own backend code (`apps/wix/velo/backend/sync-endpoint.js`)
 * run through `velo-harness.ts` against this fake's store for the site, so what it writes is
 * what the Data API and {@link WixFake.items} show. Its secrets are set with
 * {@link WixFake.setSecret}; its config is the shipped `sync-config.js` unless the options give
 * the site another. Each content item it writes is one write-log entry (`sync-key:<keyId>`,
 * `<siteId>/<collection>`, applied); a request it refuses is one entry with applied false; the
 * nonce collection's writes (its bookkeeping) are not logged.
 */
import * as crypto from "node:crypto";
import {
  type FakeRequest,
  type FakeResponse,
  type FakeServer,
  startFake,
  type WriteRecord,
} from "./fake-http";
import {
  httpFunctions,
  type ItemStore,
  loadSyncEndpoint,
  type SecretStore,
  type SyncConfig,
  secretStore,
  veloRequest,
  wixDataOver,
} from "./velo-harness";

/** One API key the fake knows. */
export interface WixFakeKey {
  /** The key's name in the write log. */
  scope: string;
  /** Sites the key may address. */
  siteIds: string[];
}

/** Options of {@link startWixFake}. */
export interface WixFakeOptions {
  /** API key → its scope. */
  keys: Record<string, WixFakeKey>;
  /** The sync endpoint's config per site. @default - the shipped `sync-config.js` for every site */
  syncConfigs?: Record<string, SyncConfig>;
  /** The sync endpoint's clock (ms since the epoch). @default Date.now */
  now?: () => number;
}

/** A running Wix fake. */
export interface WixFake extends FakeServer {
  /** The items of a collection of a site, as the API returns their data (in insertion order). */
  items(siteId: string, collection: string): Record<string, unknown>[];
  /** Hand-edits an item (no write log entry): `data` replaces it, `null` removes it. */
  editItem(siteId: string, collection: string, id: string, data: Record<string, unknown> | null): void;
  /** How many publishes the site has had. */
  publishes(siteId: string): number;
  /** While set, publishing the site fails its pre-publish check (428). */
  blockPublish(siteId: string, blocked?: boolean): void;
  /** Sets a secret in the site's Secrets Manager (what the sync endpoint reads); `null` deletes it. */
  setSecret(siteId: string, name: string, value: string | null): void;
}

/** A stored item: its fields, with the dates as ISO strings. */
interface Stored {
  fields: Record<string, unknown>;
  created: string;
  updated: string;
}

/** Where a query's next page starts. */
interface CursorState {
  siteId: string;
  collection: string;
  filter: unknown;
  sort: unknown;
  offset: number;
  limit: number;
}

const CODES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ALREADY_EXISTS",
  428: "FAILED_PRECONDITION",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

function errorBody(status: number, message: string, code = CODES[status] ?? "UNKNOWN"): unknown {
  return { message, details: { applicationError: { code, description: message, data: {} } } };
}

function fail(status: number, message: string, code?: string): FakeResponse {
  return { status, body: errorBody(status, message, code) };
}

class Refusal extends Error {
  constructor(readonly answer: FakeResponse) {
    super("refused");
  }
}

function refuse(status: number, message: string, code?: string): never {
  throw new Refusal(fail(status, message, code));
}

function asRecord(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) refuse(400, `${field} must be an object`);
  return v as Record<string, unknown>;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function matchesFilter(fields: Record<string, unknown>, filter: unknown): boolean {
  if (filter === undefined || filter === null) return true;
  for (const [name, cond] of Object.entries(asRecord(filter, "query.filter"))) {
    const value = fields[name];
    const ops =
      typeof cond === "object" &&
      cond !== null &&
      !Array.isArray(cond) &&
      Object.keys(cond)[0]?.startsWith("$")
        ? (cond as Record<string, unknown>)
        : { $eq: cond };
    for (const [op, arg] of Object.entries(ops)) {
      if (op === "$eq") {
        if (!sameValue(value, arg)) return false;
      } else if (op === "$ne") {
        if (sameValue(value, arg)) return false;
      } else if (op === "$in") {
        if (!Array.isArray(arg)) refuse(400, `$in on ${name} expects an array`);
        if (!arg.some((a) => sameValue(value, a))) return false;
      } else refuse(400, `unsupported filter operator ${op} on ${name}`);
    }
  }
  return true;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return -1;
  if (b === undefined || b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/**
 * Starts the Wix fake on loopback.
 *
 * @param opts - the keys it knows
 */
export async function startWixFake(opts: WixFakeOptions): Promise<WixFake> {
  const sites = new Map<string, Map<string, Map<string, Stored>>>();
  const published = new Map<string, number>();
  const blocked = new Set<string>();
  const cursors = new Map<string, CursorState>();
  const knownSites = new Set(Object.values(opts.keys).flatMap((k) => k.siteIds));
  const { endpoint, config: shippedConfig } = await loadSyncEndpoint();
  const secrets = new Map<string, SecretStore>();
  const secretsOf = (siteId: string): SecretStore => {
    const s = secrets.get(siteId) ?? secretStore();
    secrets.set(siteId, s);
    return s;
  };

  const collectionOf = (siteId: string, collection: string): Map<string, Stored> => {
    const site = sites.get(siteId) ?? new Map<string, Map<string, Stored>>();
    sites.set(siteId, site);
    const items = site.get(collection) ?? new Map<string, Stored>();
    site.set(collection, items);
    return items;
  };
  const dataOf = (s: Stored): Record<string, unknown> => ({
    ...s.fields,
    _createdDate: { $date: s.created },
    _updatedDate: { $date: s.updated },
  });
  const dataItem = (collection: string, s: Stored) => ({
    id: s.fields._id,
    dataCollectionId: collection,
    data: dataOf(s),
  });
  /** Stores an item; fields named like the system fields are the fake's own. */
  const put = (items: Map<string, Stored>, id: string, data: Record<string, unknown>): Stored => {
    const { _createdDate: _c, _updatedDate: _u, ...rest } = data;
    const now = new Date().toISOString();
    const before = items.get(id);
    const stored: Stored = { fields: { ...rest, _id: id }, created: before?.created ?? now, updated: now };
    items.set(id, stored);
    return stored;
  };
  const itemId = (item: Record<string, unknown>): string => {
    const data = asRecord(item.data ?? {}, "dataItem.data");
    const id = item.id ?? data._id ?? crypto.randomUUID();
    if (typeof id !== "string" || id === "") refuse(400, "dataItem.id must be a non-empty string");
    return id;
  };

  /** `POST /site/<siteId>/_functions/sync`: the site's endpoint code over this fake's store. */
  const sync = async (
    req: FakeRequest,
    siteId: string,
    log: (w: WriteRecord) => void,
  ): Promise<FakeResponse> => {
    const config = opts.syncConfigs?.[siteId] ?? shippedConfig;
    const keyId = req.headers["x-wiredchaos-key"];
    const credentialScope = keyId === undefined || keyId === "" ? "(none)" : `sync-key:${keyId}`;
    let collection = "";
    try {
      const parsed = JSON.parse(req.body.toString("utf8")) as { collection?: unknown };
      if (typeof parsed.collection === "string") collection = parsed.collection;
    } catch {
      // the endpoint answers it
    }
    const entry = (c: string, applied: boolean): WriteRecord => ({
      method: req.method,
      path: req.path,
      credentialScope,
      targetScope: c === "" ? siteId : `${siteId}/${c}`,
      applied,
    });
    const logged = (c: string) => {
      if (c !== config.nonceCollection) log(entry(c, true));
    };
    const store: ItemStore = {
      read: (c, id) => collectionOf(siteId, c).get(id),
      list: (c) => [...collectionOf(siteId, c).values()],
      write(c, id, fields) {
        const stored = put(collectionOf(siteId, c), id, fields);
        logged(c);
        return stored;
      },
      delete(c, id) {
        const had = collectionOf(siteId, c).delete(id);
        if (had) logged(c);
        return had;
      },
    };
    const handler = endpoint.createSyncHandler({
      http: httpFunctions,
      data: wixDataOver(store),
      getSecret: (name) => secretsOf(siteId).get(name),
      now: opts.now ?? Date.now,
      config,
    });
    const query = req.query.size > 0 ? `?${req.query.toString()}` : "";
    const out = await handler(
      veloRequest({
        method: req.method,
        url: `http://${req.headers.host ?? "127.0.0.1"}${req.path}${query}`,
        headers: req.headers,
        body: req.body.toString("utf8"),
      }),
    );
    if (out.status >= 300) log(entry(collection, false));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(out.headers ?? {})) headers[k.toLowerCase()] = v;
    return { status: out.status, body: out.body ?? "", headers };
  };

  const handle = async (req: FakeRequest, log: (w: WriteRecord) => void): Promise<FakeResponse> => {
    const fn = /^\/site\/([^/]+)\/_functions\/([^/]+)$/.exec(req.path);
    if (fn?.[1] !== undefined) {
      const siteId = decodeURIComponent(fn[1]);
      if (!knownSites.has(siteId) || fn[2] !== "sync" || req.method !== "POST")
        return { status: 404, body: "no such function\n" };
      return sync(req, siteId, log);
    }
    const page = /^\/site\/([^/]+)(\/.*)?$/.exec(req.path);
    if (req.method === "GET" && page?.[1] !== undefined) {
      const siteId = decodeURIComponent(page[1]);
      if (!knownSites.has(siteId)) return { status: 404, body: "no such site\n" };
      const release = req.query.get("gp_release") ?? "";
      const html =
        `<!doctype html><title>wix site ${siteId}</title>` +
        `<p>path=${page[2] ?? "/"}</p><p data-gp-release="${release}">gp_release=${release}</p>\n`;
      return { status: 200, body: html, headers: { "content-type": "text/html; charset=utf-8" } };
    }

    const write = req.method !== "GET" && req.path !== "/wix-data/v2/items/query";
    let body: Record<string, unknown> = {};
    let unparsable = false;
    try {
      const parsed: unknown = req.body.length > 0 ? JSON.parse(req.body.toString("utf8")) : {};
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
        body = parsed as Record<string, unknown>;
      else unparsable = true;
    } catch {
      unparsable = true;
    }
    const auth = req.headers.authorization ?? "";
    const key = opts.keys[auth];
    const siteId = req.headers["wix-site-id"] ?? "";
    const collection = String(req.query.get("dataCollectionId") ?? body.dataCollectionId ?? "");
    const record = (applied: boolean) => {
      if (!write) return;
      log({
        method: req.method,
        path: req.path,
        credentialScope: key?.scope ?? (auth === "" ? "(none)" : "(unknown key)"),
        targetScope: collection === "" ? siteId : `${siteId}/${collection}`,
        applied,
      });
    };
    try {
      if (!key) refuse(401, auth === "" ? "missing Authorization header" : "the API key is not valid");
      if (siteId === "") refuse(403, "missing wix-site-id header");
      if (!key.siteIds.includes(siteId)) refuse(403, `the API key has no access to site ${siteId}`);
      if (unparsable) refuse(400, "the body is not a JSON object");
      const out = route(req, body, siteId, collection);
      record(out.status < 300);
      return out;
    } catch (e) {
      record(false);
      if (e instanceof Refusal) return e.answer;
      throw e;
    }
  };

  const route = (
    req: FakeRequest,
    body: Record<string, unknown>,
    siteId: string,
    collection: string,
  ): FakeResponse => {
    const { method, path } = req;
    if (method === "POST" && path === "/site-publisher/v1/site/publish") {
      if (blocked.has(siteId)) refuse(428, "the site failed its pre-publish validation");
      published.set(siteId, (published.get(siteId) ?? 0) + 1);
      return { status: 200, body: {} };
    }
    if (!path.startsWith("/wix-data/v2/")) return fail(404, `no route ${method} ${path}`);
    const sub = path.slice("/wix-data/v2".length);
    if (method === "POST" && sub === "/items/query") return query(siteId, body);
    if (collection === "") refuse(400, "dataCollectionId is required");
    const items = collectionOf(siteId, collection);
    const one = /^\/items\/([^/]+)$/.exec(sub);
    if (one?.[1] !== undefined && (method === "GET" || method === "DELETE")) {
      const id = decodeURIComponent(one[1]);
      const found = items.get(id);
      if (!found) refuse(404, `item ${id} not found in ${collection}`, "WDE0073");
      if (method === "DELETE") items.delete(id);
      return { status: 200, body: { dataItem: dataItem(collection, found) } };
    }
    if (method === "POST" && sub === "/items") {
      const item = asRecord(body.dataItem, "dataItem");
      const id = itemId(item);
      if (items.has(id)) refuse(409, `item ${id} already exists in ${collection}`, "WDE0074");
      const stored = put(items, id, asRecord(item.data ?? {}, "dataItem.data"));
      return { status: 200, body: { dataItem: dataItem(collection, stored) } };
    }
    if (method === "POST" && sub === "/items/save") {
      const item = asRecord(body.dataItem, "dataItem");
      const id = itemId(item);
      const action = items.has(id) ? "UPDATED" : "INSERTED";
      const stored = put(items, id, asRecord(item.data ?? {}, "dataItem.data"));
      return { status: 200, body: { action, dataItem: dataItem(collection, stored) } };
    }
    if (method === "POST" && sub === "/bulk/items/save") {
      const list = body.dataItems;
      if (!Array.isArray(list)) refuse(400, "dataItems must be an array");
      if (list.length > 1000)
        refuse(400, `a bulk call takes at most 1000 items, got ${list.length}`, "WDE0006");
      const results = list.map((raw, originalIndex) => {
        const item = asRecord(raw, `dataItems[${originalIndex}]`);
        const id = itemId(item);
        const action = items.has(id) ? "UPDATE" : "INSERT";
        const stored = put(items, id, asRecord(item.data ?? {}, `dataItems[${originalIndex}].data`));
        return {
          action,
          itemMetadata: { id, originalIndex, success: true },
          ...(body.returnEntity === true ? { dataItem: dataItem(collection, stored) } : {}),
        };
      });
      return {
        status: 200,
        body: { results, bulkActionMetadata: { totalSuccesses: results.length, totalFailures: 0 } },
      };
    }
    return fail(404, `no route ${method} ${path}`);
  };

  const query = (siteId: string, body: Record<string, unknown>): FakeResponse => {
    const q = asRecord(body.query ?? {}, "query");
    const cursorPaging = q.cursorPaging === undefined ? undefined : asRecord(q.cursorPaging, "cursorPaging");
    const paging = q.paging === undefined ? undefined : asRecord(q.paging, "paging");
    let state: CursorState;
    const cursor = cursorPaging?.cursor;
    if (typeof cursor === "string" && cursor !== "") {
      const saved = cursors.get(cursor);
      if (!saved || saved.siteId !== siteId) refuse(400, "the cursor is not valid");
      const limit = cursorPaging?.limit === undefined ? saved.limit : Number(cursorPaging.limit);
      state = { ...saved, limit };
    } else {
      const collection = String(body.dataCollectionId ?? "");
      if (collection === "") refuse(400, "dataCollectionId is required");
      const limit = Number(cursorPaging?.limit ?? paging?.limit ?? 50);
      state = {
        siteId,
        collection,
        filter: q.filter,
        sort: q.sort,
        offset: Number(paging?.offset ?? 0),
        limit,
      };
    }
    if (!Number.isInteger(state.limit) || state.limit < 1 || state.limit > 1000)
      refuse(400, `paging limit must be 1-1000, got ${state.limit}`);
    const items = [...collectionOf(siteId, state.collection).values()].filter((s) =>
      matchesFilter(dataOf(s), state.filter),
    );
    if (state.sort !== undefined) {
      if (!Array.isArray(state.sort)) refuse(400, "query.sort must be an array");
      const sort = state.sort.map((s) => asRecord(s, "query.sort[]"));
      items.sort((a, b) => {
        for (const s of sort) {
          const c = compare(dataOf(a)[String(s.fieldName)], dataOf(b)[String(s.fieldName)]);
          if (c !== 0) return s.order === "DESC" ? -c : c;
        }
        return 0;
      });
    }
    const pageItems = items.slice(state.offset, state.offset + state.limit);
    const more = state.offset + pageItems.length < items.length;
    const pagingMetadata: Record<string, unknown> = { count: pageItems.length, tooManyToCount: false };
    if (paging !== undefined && cursorPaging === undefined) {
      pagingMetadata.offset = state.offset;
      if (body.returnTotalCount === true) pagingMetadata.total = items.length;
    } else {
      let next: string | null = null;
      if (more) {
        next = crypto.randomBytes(12).toString("base64url");
        cursors.set(next, { ...state, offset: state.offset + pageItems.length });
      }
      pagingMetadata.cursors = { next, prev: null };
    }
    pagingMetadata.hasNext = more;
    return {
      status: 200,
      body: { dataItems: pageItems.map((s) => dataItem(state.collection, s)), pagingMetadata },
    };
  };

  const server = await startFake({
    handle,
    errorBody: (status, message) => errorBody(status, message),
  });
  return Object.assign(server, {
    items: (siteId: string, collection: string) =>
      [...(sites.get(siteId)?.get(collection)?.values() ?? [])].map(dataOf),
    editItem(siteId: string, collection: string, id: string, data: Record<string, unknown> | null) {
      const items = collectionOf(siteId, collection);
      if (data === null) items.delete(id);
      else put(items, id, data);
    },
    publishes: (siteId: string) => published.get(siteId) ?? 0,
    blockPublish(siteId: string, on = true) {
      if (on) blocked.add(siteId);
      else blocked.delete(siteId);
    },
    setSecret(siteId: string, name: string, value: string | null) {
      secretsOf(siteId).set(name, value);
    },
  });
}

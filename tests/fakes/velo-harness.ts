/**
 * A small stand-in for the Wix modules the site's backend code imports, so that code runs in
 * tests as it is deployed: `wix-http-functions` (the request object with lower-case headers and
 * `body.text()` / `body.json()`, and the response helpers), `wix-data` over an item store (an
 * in-memory one here; the loopback Wix fake passes its own), and the elevated
 * `wix-secrets-backend.v2` read (a name → value map; a missing name rejects, as Secrets Manager
 * does).
 *
 * wix-data's semantics as the endpoint relies on them: items carry `_id`, `_createdDate` and
 * `_updatedDate` (Dates); `insert` of an existing `_id` rejects (WDE0074); `update` replaces the
 * item and rejects when it does not exist (WDE0073); `get` of a missing id resolves null; a
 * query is immutable (each refinement returns a new one) and pages with `hasNext()`/`next()`.
 * Values are copied in and out, so a caller never holds the store's objects.
 */
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type * as ConfigNs from "../../apps/wix/velo/backend/sync-config.js" with {
  "resolution-mode": "import",
};
import type { SyncConfig } from "../../apps/wix/velo/backend/sync-config.js" with {
  "resolution-mode": "import",
};
import type * as EndpointNs from "../../apps/wix/velo/backend/sync-endpoint.js" with {
  "resolution-mode": "import",
};
import type {
  SyncHandlerDeps,
  VeloHttp,
  VeloRequest,
  VeloResponse,
  WixDataLike,
  WixDataQuery,
  WixDataResult,
} from "../../apps/wix/velo/backend/sync-endpoint.js" with { "resolution-mode": "import" };
import type * as SignatureNs from "../../apps/wix/velo/backend/sync-signature.js" with {
  "resolution-mode": "import",
};

export type { SyncConfig, VeloRequest, VeloResponse, WixDataLike };

/** One stored item: its fields (with `_id`), and its dates as ISO strings. */
export interface StoredItem {
  fields: Record<string, unknown>;
  created: string;
  updated: string;
}

/** Where the harness's wix-data keeps items. */
export interface ItemStore {
  /** The item, if any. */
  read(collection: string, id: string): StoredItem | undefined;
  /** Every item of the collection, in insertion order. */
  list(collection: string): StoredItem[];
  /** Stores the item (a new one, or a full replacement keeping its creation date). */
  write(collection: string, id: string, fields: Record<string, unknown>): StoredItem;
  /** Removes the item; whether it was there. */
  delete(collection: string, id: string): boolean;
}

/** An in-memory {@link ItemStore}, with a snapshot for "nothing changed" assertions. */
export interface MemoryStore extends ItemStore {
  /** Every collection's items' fields, for comparing before and after. */
  snapshot(): Record<string, Record<string, unknown>[]>;
}

/**
 * An in-memory item store.
 *
 * @param clock - the time stamped on writes (ms since the epoch) @default Date.now
 */
export function memoryStore(clock: () => number = Date.now): MemoryStore {
  const collections = new Map<string, Map<string, StoredItem>>();
  const of = (c: string) => {
    const items = collections.get(c) ?? new Map<string, StoredItem>();
    collections.set(c, items);
    return items;
  };
  return {
    read: (c, id) => of(c).get(id),
    list: (c) => [...of(c).values()],
    write(c, id, fields) {
      const at = new Date(clock()).toISOString();
      const stored = { fields: { ...fields, _id: id }, created: of(c).get(id)?.created ?? at, updated: at };
      of(c).set(id, stored);
      return stored;
    },
    delete: (c, id) => of(c).delete(id),
    snapshot: () =>
      Object.fromEntries(
        [...collections.entries()]
          .filter(([, items]) => items.size > 0)
          .map(([c, items]) => [c, [...items.values()].map((s) => structuredClone(s.fields))]),
      ),
  };
}

/** A wix-data error: `code` is the WDE code, the message starts with it. */
export class WixDataError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "WixDataError";
  }
}

const SYSTEM = new Set(["_createdDate", "_updatedDate", "_owner"]);

function asItem(s: StoredItem): Record<string, unknown> {
  return {
    ...structuredClone(s.fields),
    _createdDate: new Date(s.created),
    _updatedDate: new Date(s.updated),
  };
}

function fieldsOf(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(structuredClone(item))) if (!SYSTEM.has(k)) out[k] = v;
  return out;
}

function order(a: unknown, b: unknown): number {
  const v = (x: unknown) => (x instanceof Date ? x.getTime() : x);
  const [x, y] = [v(a), v(b)];
  if (x === y) return 0;
  if (x === undefined || x === null) return -1;
  if (y === undefined || y === null) return 1;
  return (x as number | string) < (y as number | string) ? -1 : 1;
}

const same = (a: unknown, b: unknown) => order(a, b) === 0 && JSON.stringify(a) === JSON.stringify(b);

type Predicate = (item: Record<string, unknown>) => boolean;

/**
 * wix-data over a store.
 *
 * @param store - where the items are
 */
export function wixDataOver(store: ItemStore): WixDataLike {
  const idOf = (item: Record<string, unknown>): string => {
    const id = item._id;
    if (typeof id !== "string" || id === "") throw new WixDataError("WDE0001", "the item has no _id");
    return id;
  };
  const query = (
    collection: string,
    preds: Predicate[] = [],
    size = 50,
    from = 0,
    sort: [string, 1 | -1][] = [],
  ): WixDataQuery => {
    const refine = (p: Predicate) => query(collection, [...preds, p], size, from, sort);
    const page = (offset: number): WixDataResult => {
      const all = store
        .list(collection)
        .map(asItem)
        .filter((i) => preds.every((p) => p(i)));
      for (const [field, dir] of [...sort].reverse()) all.sort((a, b) => dir * order(a[field], b[field]));
      const items = all.slice(offset, offset + size);
      return {
        items,
        totalCount: all.length,
        hasNext: () => offset + size < all.length,
        next: async () => page(offset + size),
      };
    };
    return {
      eq: (f, v) => refine((i) => same(i[f], v)),
      ne: (f, v) => refine((i) => !same(i[f], v)),
      lt: (f, v) => refine((i) => i[f] !== undefined && i[f] !== null && order(i[f], v) < 0),
      gt: (f, v) => refine((i) => i[f] !== undefined && i[f] !== null && order(i[f], v) > 0),
      hasSome: (f, vs) => refine((i) => vs.some((v) => same(i[f], v))),
      limit: (n) => {
        if (!Number.isInteger(n) || n < 1 || n > 1000) throw new WixDataError("WDE0005", `limit ${n}`);
        return query(collection, preds, n, from, sort);
      },
      skip: (n) => query(collection, preds, size, n, sort),
      ascending: (f) => query(collection, preds, size, from, [...sort, [f, 1]]),
      find: async () => page(from),
    };
  };
  return {
    async get(collection, id) {
      const s = store.read(collection, id);
      return s === undefined ? null : asItem(s);
    },
    async insert(collection, item) {
      const id = idOf(item);
      if (store.read(collection, id) !== undefined)
        throw new WixDataError("WDE0074", `an item with _id ${id} already exists in ${collection}`);
      return asItem(store.write(collection, id, fieldsOf(item)));
    },
    async update(collection, item) {
      const id = idOf(item);
      if (store.read(collection, id) === undefined)
        throw new WixDataError("WDE0073", `item ${id} not found in ${collection}`);
      return asItem(store.write(collection, id, fieldsOf(item)));
    },
    async save(collection, item) {
      return asItem(store.write(collection, idOf(item), fieldsOf(item)));
    },
    async remove(collection, id) {
      const s = store.read(collection, id);
      if (s === undefined) return null;
      store.delete(collection, id);
      return asItem(s);
    },
    query: (collection) => query(collection),
  };
}

/** The response helpers of `wix-http-functions` (a `status` in a fixed helper's options is ignored). */
export const httpFunctions: VeloHttp & {
  created(o: { headers?: Record<string, string>; body?: unknown }): VeloResponse;
  notFound(o: { headers?: Record<string, string>; body?: unknown }): VeloResponse;
} = {
  ok: (o) => ({ status: 200, headers: o.headers ?? {}, body: o.body }),
  created: (o) => ({ status: 201, headers: o.headers ?? {}, body: o.body }),
  badRequest: (o) => ({ status: 400, headers: o.headers ?? {}, body: o.body }),
  forbidden: (o) => ({ status: 403, headers: o.headers ?? {}, body: o.body }),
  notFound: (o) => ({ status: 404, headers: o.headers ?? {}, body: o.body }),
  serverError: (o) => ({ status: 500, headers: o.headers ?? {}, body: o.body }),
  response: (o) => ({ status: o.status, headers: o.headers ?? {}, body: o.body }),
};

/** What {@link veloRequest} builds a request from. */
export interface VeloRequestInit {
  /** @default "POST" */
  method?: string;
  /** The full URL, e.g. `https://site.example/_functions/sync`. */
  url: string;
  /** Any casing; Velo hands them over in lower case. @default {} */
  headers?: Record<string, string>;
  /** The body text. @default "" */
  body?: string;
}

/**
 * An HTTP function's request as Velo builds it: lower-case header names, the function's name
 * and sub-path, and a body read through Promises.
 *
 * @param init - method, URL, headers, body
 */
export function veloRequest(init: VeloRequestInit): VeloRequest {
  const url = new URL(init.url);
  const at = url.pathname.search(/\/_functions(-dev)?\//);
  const [functionName = "", ...sub] = url.pathname.slice(Math.max(at, 0)).split("/").filter(Boolean).slice(1);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
  const text = init.body ?? "";
  return {
    method: (init.method ?? "POST").toUpperCase(),
    url: url.href,
    baseUrl: `${url.origin}${url.pathname.slice(0, Math.max(0, at))}/_functions`,
    functionName,
    path: sub,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: { text: async () => text, json: async () => JSON.parse(text) as unknown },
  };
}

/** Secrets Manager for one site. */
export interface SecretStore {
  /** Sets a secret, or removes it with `null`. */
  set(name: string, value: string | null): void;
  /** The elevated read: the value, or a rejection when the name is absent. */
  get(name: string): Promise<string>;
}

/**
 * A Secrets Manager stand-in.
 *
 * @param initial - name → value @default {}
 */
export function secretStore(initial: Record<string, string> = {}): SecretStore {
  const values = new Map(Object.entries(initial));
  return {
    set(name, value) {
      if (value === null) values.delete(name);
      else values.set(name, value);
    },
    async get(name) {
      const v = values.get(name);
      if (v === undefined) throw new Error(`secret ${name} not found`);
      return v;
    },
  };
}

/** The site's backend directory (from the source tree, or from `dist/` when compiled). */
export function veloBackendDir(): string {
  const compiled = path.basename(path.resolve(__dirname, "../..")) === "dist";
  return path.resolve(__dirname, compiled ? "../../.." : "../..", "apps/wix/velo/backend");
}

type EndpointModule = typeof EndpointNs;
type ConfigModule = typeof ConfigNs;
type SignatureModule = typeof SignatureNs;

/** The deployed endpoint module and the shipped config, loaded from the site's backend directory. */
export async function loadSyncEndpoint(): Promise<{ endpoint: EndpointModule; config: SyncConfig }> {
  const file = (name: string) => pathToFileURL(path.join(veloBackendDir(), name)).href;
  const endpoint = (await import(file("sync-endpoint.js"))) as EndpointModule;
  const { SYNC_CONFIG } = (await import(file("sync-config.js"))) as ConfigModule;
  return { endpoint, config: SYNC_CONFIG };
}

/** The endpoint's signature module (`sync-signature.js`), as deployed. */
export async function loadSyncSignature(): Promise<SignatureModule> {
  return (await import(
    pathToFileURL(path.join(veloBackendDir(), "sync-signature.js")).href
  )) as SignatureModule;
}

/** Options of {@link syncHarness}. */
export interface SyncHarnessOptions {
  /** The item store. @default - a new {@link memoryStore} */
  store?: ItemStore;
  /** The secrets. @default - an empty {@link secretStore} */
  secrets?: SecretStore;
  /** The config. @default - the shipped `sync-config.js` */
  config?: SyncConfig;
  /** The site's clock (ms since the epoch). @default Date.now */
  now?: () => number;
}

/**
 * The endpoint's handler wired to the stand-ins, as `http-functions.js` wires it to Wix.
 *
 * @param opts - store, secrets, config, clock
 */
export async function syncHarness(opts: SyncHarnessOptions = {}): Promise<{
  handle: (request: VeloRequest) => Promise<VeloResponse>;
  config: SyncConfig;
  deps: SyncHandlerDeps;
}> {
  const { endpoint, config: shipped } = await loadSyncEndpoint();
  const secrets = opts.secrets ?? secretStore();
  const deps: SyncHandlerDeps = {
    http: httpFunctions,
    data: wixDataOver(opts.store ?? memoryStore()),
    getSecret: (name) => secrets.get(name),
    now: opts.now ?? Date.now,
    config: opts.config ?? shipped,
  };
  return { handle: endpoint.createSyncHandler(deps), config: deps.config, deps };
}

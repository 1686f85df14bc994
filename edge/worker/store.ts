/**
 * Where the edge reads routes, flags and release files: one interface over the two stores it
 * can be bound to — the `local` target's root through the disk service (`DISK`), or Workers KV
 * (`EDGE_KV`, on Cloudflare). Both hold the same keys (`routes/<app>.json`,
 * `flags/<app>/<key>.json`, `releases/<app>/<key>/…`); the Worker takes KV when it has it.
 */
import type { FileCache } from "./file-cache.js";
import { flagKeys } from "./flags.js";
import { type KvNamespace, kvStore } from "./kv-store.js";
import { type FileRead, readReleaseFile } from "./release-files.js";

/** A service binding. */
export interface Fetcher {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}

/** The edge's view of its store. */
export interface EdgeStore {
  /**
   * A JSON document; undefined when it is missing or not JSON. Rejects when the store fails
   * (the router then keeps the last good route).
   *
   * @param key - e.g. `routes/wix.json`
   */
  readJson(key: string): Promise<unknown>;
  /**
   * The flag keys of an app (its `flags/<app>/<key>.json` documents), sorted.
   *
   * @param app - the app
   */
  flagKeys(app: string): Promise<string[]>;
  /**
   * A release file: its bytes, `null` when the release (or the file in it) is not there, or
   * `"disk-error"` when the store failed.
   *
   * @param app - the app
   * @param key - the release key, `<version>@<digest16>`
   * @param file - the release-relative path
   */
  releaseFile(app: string, key: string, file: string): Promise<FileRead>;
}

/** The store bindings of the Worker. */
export interface StoreBindings {
  DISK?: Fetcher;
  EDGE_KV?: KvNamespace;
}

async function diskJson(disk: Fetcher, file: string): Promise<unknown> {
  const res = await disk.fetch(`http://disk/${file}`);
  if (!res.ok) {
    await res.body?.cancel();
    return undefined;
  }
  try {
    return JSON.parse(await res.text());
  } catch {
    return undefined;
  }
}

/**
 * The disk store: the `local` target's root as workerd's disk service serves it (a directory
 * answers with a `[{ name, type }]` listing).
 *
 * @param disk - the `DISK` binding
 * @param cache - the isolate's file cache
 */
export function diskStore(disk: Fetcher, cache: FileCache): EdgeStore {
  return {
    readJson: (key) => diskJson(disk, key),
    flagKeys: async (app) => flagKeys(await diskJson(disk, `flags/${app}/`)),
    releaseFile: (app, key, file) => readReleaseFile(disk, cache, `${app}/${key}/${file}`),
  };
}

/**
 * The store a Worker's bindings give: KV when it has `EDGE_KV`, else the disk; undefined with
 * neither.
 *
 * @param env - the bindings
 * @param cache - the isolate's file cache
 */
export function storeFor(env: StoreBindings, cache: FileCache): EdgeStore | undefined {
  if (env.EDGE_KV !== undefined) return kvStore(env.EDGE_KV, cache);
  if (env.DISK !== undefined) return diskStore(env.DISK, cache);
  return undefined;
}

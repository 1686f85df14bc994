/**
 * The edge's store on Workers KV (the `EDGE_KV` binding), the layout the remote targets write:
 * `routes/<app>.json`, `flags/<app>/<key>.json`, `releases/<app>/<key>/.release.json` (the
 * release manifest, written after every file, whose `index` maps a file path to the sha-256 of
 * its content) and `files/<sha256>` (the bytes, shared by every release that holds them).
 *
 * A release is found through its manifest only, so a release whose files are still being
 * written is not there yet (a miss, `null`, like a retired one); a manifest never changes once
 * written (its key names the release's digest), so it is read once per isolate. A KV error is
 * `"disk-error"` (503 with `retry-after`), never the visitor's 500.
 */
import type { FileCache } from "./file-cache.js";
import { flagKeys } from "./flags.js";
import type { FileRead } from "./release-files.js";
import type { EdgeStore } from "./store.js";

/** One page of `KV.list`. */
export interface KvListPage {
  keys: { name: string }[];
  list_complete: boolean;
  cursor?: string;
}

/** The part of a Workers KV binding the edge uses. */
export interface KvNamespace {
  get(key: string, type: "text"): Promise<string | null>;
  get(key: string, type: "arrayBuffer"): Promise<ArrayBuffer | null>;
  list(options: { prefix: string; cursor?: string }): Promise<KvListPage>;
}

/** Manifests kept per isolate at most (the live releases of a few apps, and some retired). */
export const MANIFESTS_KEPT = 64;

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * A release manifest's index (file path → sha-256), or undefined when the document is not the
 * manifest of that release (another app or release, or an index that is not path → sha-256).
 *
 * @param doc - the parsed `.release.json`
 * @param app - the app it was read for
 * @param key - the release key it was read for, `<version>@<digest16>`
 */
export function releaseIndex(doc: unknown, app: string, key: string): Map<string, string> | undefined {
  if (typeof doc !== "object" || doc === null) return undefined;
  const m = doc as { app?: unknown; version?: unknown; digest?: unknown; index?: unknown };
  if (m.app !== app || typeof m.version !== "string" || typeof m.digest !== "string") return undefined;
  if (`${m.version}@${m.digest.slice(0, 16)}` !== key) return undefined;
  if (typeof m.index !== "object" || m.index === null || Array.isArray(m.index)) return undefined;
  const index = new Map<string, string>();
  for (const [file, sha] of Object.entries(m.index)) {
    if (typeof sha !== "string" || !SHA256.test(sha)) return undefined;
    index.set(file, sha);
  }
  return index;
}

/**
 * The KV store.
 *
 * @param kv - the `EDGE_KV` binding
 * @param cache - the isolate's file cache (keyed by content sha here)
 * @param manifestsKept - manifests kept in memory @default MANIFESTS_KEPT
 */
export function kvStore(kv: KvNamespace, cache: FileCache, manifestsKept = MANIFESTS_KEPT): EdgeStore {
  const manifests = new Map<string, Map<string, string>>();

  async function readJson(key: string): Promise<unknown> {
    const text = await kv.get(key, "text");
    if (text === null) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  /** The release's index, from memory or KV; undefined while the release has no manifest. */
  async function indexOf(app: string, key: string): Promise<Map<string, string> | undefined> {
    const id = `${app}/${key}`;
    const hit = manifests.get(id);
    if (hit !== undefined) {
      manifests.delete(id);
      manifests.set(id, hit);
      return hit;
    }
    const index = releaseIndex(await readJson(`releases/${id}/.release.json`), app, key);
    if (index === undefined) return undefined;
    manifests.set(id, index);
    for (const old of manifests.keys()) {
      if (manifests.size <= manifestsKept) break;
      manifests.delete(old);
    }
    return index;
  }

  return {
    readJson,

    async flagKeys(app: string): Promise<string[]> {
      const prefix = `flags/${app}/`;
      const names: { name: string; type: string }[] = [];
      let cursor: string | undefined;
      do {
        const page = await kv.list(cursor === undefined ? { prefix } : { prefix, cursor });
        for (const k of page.keys) {
          const name = k.name.slice(prefix.length);
          if (!name.includes("/")) names.push({ name, type: "file" });
        }
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor !== undefined);
      return flagKeys(names);
    },

    async releaseFile(app: string, key: string, file: string): Promise<FileRead> {
      try {
        const sha = (await indexOf(app, key))?.get(file);
        if (sha === undefined) return null;
        const id = `sha256:${sha}`;
        const hit = cache.get(id);
        if (hit !== undefined) return hit;
        const bytes = await kv.get(`files/${sha}`, "arrayBuffer");
        if (bytes === null) return null;
        const body = new Uint8Array(bytes);
        cache.set(id, body);
        return body;
      } catch {
        return "disk-error";
      }
    },
  };
}

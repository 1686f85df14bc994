/**
 * The edge store: where routes, flags, release manifests and WASM deliverables live for the edge
 * Worker to read. One key space (`routes/<app>.json`, `flags/<app>/<key>.json`, `releases/…`,
 * `files/<sha256>`, `wasm/…`) on two backings: files under the `local` target's root (written
 * atomically), or a Workers KV namespace through the Cloudflare REST API. Providers write through
 * this interface and never know which backing they have. Runs inside serialized providers.
 */
import { kvClient } from "./cloudflare-kv";
import { type ReadJson, readJsonFile, removeFile, trimRoot, writeJsonAtomic } from "./local";
import { ensureScope, type RemoteTarget } from "./remote";

/** Keys and values the edge Worker reads. */
export interface EdgeStore {
  /** Where it is, for messages (never a credential). */
  where: string;
  /** A JSON value: missing, present, or present but unparsable. */
  readJson(key: string): Promise<ReadJson>;
  /** Writes a JSON value (pretty, newline-terminated). */
  writeJson(key: string, value: unknown): Promise<void>;
  /** Raw bytes, or undefined when missing. */
  readBytes(key: string): Promise<Uint8Array | undefined>;
  /** Writes raw bytes. */
  writeBytes(key: string, value: Uint8Array): Promise<void>;
  /** Removes a key; a missing one is fine. */
  remove(key: string): Promise<void>;
}

/**
 * The edge store of a resource: its remote target's KV namespace, or files under its local root.
 *
 * @param at - the resource's `root` (local) or `target` (remote)
 */
export function edgeStoreOf(at: { root?: string; target?: RemoteTarget }): EdgeStore {
  if (at.target !== undefined) return kvStore(at.target);
  if (at.root === undefined) throw new Error("a resource needs either root (local target) or target");
  return localStore(at.root);
}

/**
 * Files under a local root.
 *
 * @param root - absolute root directory
 */
export function localStore(root: string): EdgeStore {
  const file = (key: string) => `${trimRoot(root)}/${key}`;
  return {
    where: `local target ${trimRoot(root)}`,
    readJson: (key) => readJsonFile(file(key)),
    writeJson: (key, value) => writeJsonAtomic(file(key), value),
    async readBytes(key) {
      const fs = await import("node:fs/promises");
      return fs.readFile(file(key)).then(
        (b) => new Uint8Array(b),
        (e: NodeJS.ErrnoException) => {
          if (e.code === "ENOENT") return undefined;
          throw e;
        },
      );
    },
    async writeBytes(key, value) {
      const fs = await import("node:fs/promises");
      const path = await import("node:path");
      const f = file(key);
      await fs.mkdir(path.dirname(f), { recursive: true });
      const tmp = `${f}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(tmp, value, { mode: 0o644 });
      await fs.rename(tmp, f);
    },
    remove: (key) => removeFile(file(key)),
  };
}

/**
 * The Workers KV namespace of a remote target. Every write first checks (once per process) that
 * the credentials belong to the target's scope.
 *
 * @param target - the remote target
 */
export function kvStore(target: RemoteTarget): EdgeStore {
  const kv = kvClient(target.cloudflare);
  const where = `cloudflare KV namespace ${target.cloudflare.namespaceId}`;
  return {
    where,
    async readJson(key) {
      const bytes = await kv.get(key);
      if (bytes === undefined) return { found: false };
      const text = new TextDecoder().decode(bytes);
      try {
        return { found: true, value: JSON.parse(text) };
      } catch {
        return { found: true, corrupt: text.slice(0, 200) };
      }
    },
    async writeJson(key, value) {
      await ensureScope(target);
      await kv.put(key, `${JSON.stringify(value, null, 2)}\n`);
    },
    readBytes: (key) => kv.get(key),
    async writeBytes(key, value) {
      await ensureScope(target);
      await kv.put(key, value);
    },
    async remove(key) {
      await ensureScope(target);
      await kv.delete(key);
    },
  };
}

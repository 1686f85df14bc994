/**
 * Pulumi's DIY lock entries on a `postgres://` backend: rows of Pulumi's state table keyed
 * `<prefix>.pulumi/locks/<org>/<project>/<stack>/<id>.json`, whose `data` column is
 * `{"data": "<base64 of the lock JSON>"}` (the blob the file backend would write).
 */
import type { Client } from "pg";
import type { PostgresBackend } from "../backend-url";
import { type BackendLockStore, isStackLock, parseBackendLock } from "./backend-locks";

/** `LIKE` pattern text for a literal prefix. */
function likePrefix(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The lock rows of a PostgreSQL backend, read and removed through an open connection.
 *
 * @param client - a connection to the backend's database
 * @param backend - the backend (table and key prefix)
 */
export function pgBackendLocks(client: Client, backend: PostgresBackend): BackendLockStore {
  const root = `${backend.prefix}.pulumi/locks/`;
  return {
    list: async (project, stack) => {
      const exists = await client.query<{ t: string | null }>("SELECT to_regclass($1)::text AS t", [
        backend.table,
      ]);
      if (exists.rows[0]?.t == null) return [];
      const rows = await client.query<{ key: string; data: { data?: unknown } }>(
        `SELECT key, data FROM ${backend.table} WHERE key LIKE $1`,
        [`${likePrefix(root)}%`],
      );
      return rows.rows.flatMap((r) => {
        if (!isStackLock(r.key.slice(root.length).split("/"), project, stack)) return [];
        const b64 = typeof r.data?.data === "string" ? r.data.data : "";
        const lock = parseBackendLock(r.key, Buffer.from(b64, "base64").toString("utf8"));
        return lock === undefined ? [] : [lock];
      });
    },
    remove: async (lock) => {
      await client.query(`DELETE FROM ${backend.table} WHERE key = $1`, [lock.id]);
    },
  };
}

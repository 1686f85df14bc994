/**
 * The driver lock on a `postgres://` backend: a session-level advisory lock
 * (`pg_advisory_lock(key)`, key from {@link advisoryKey}) taken on a dedicated connection and
 * held for the driver's whole session. PostgreSQL grants it to one session at a time, and
 * frees it when that session ends, however it ends: a driver killed with `kill -9` closes its
 * socket and the server ends the session at once (a host that vanished: after the session's
 * TCP keepalive, about 25 s). No pid has to be guessed. Who holds it (pid, host, command,
 * since, and the holding session's backend pid) is a row of `glidepath_driver_locks` beside
 * Pulumi's state table, so a second driver's `GP_STACK_LOCKED` names the owner; a row whose
 * session no longer holds the lock is a dead driver's, replaced by the next one.
 */
import type { Client } from "pg";
import { besidePulumiTable, type PostgresBackend } from "../backend-url";
import { GlidepathError } from "../errors";
import { connectBackend } from "../pg-connect";
import { advisoryKey } from "./advisory-key";
import { type DriverLock, type LockOwner, lockedError, newOwner } from "./lock";

/** Options of {@link acquirePgLock}. */
export interface PgLockOptions {
  /** The backend. */
  backend: PostgresBackend;
  /** The Pulumi project name. */
  project: string;
  /** The stack name. */
  stack: string;
  /** What the owner is doing, for the message a second driver gets. */
  command: string;
  /** How long to wait for a holder whose session is ending (a driver just killed). @default 2000 */
  waitMs?: number;
  /** Told when the lock's session breaks while held (the lock is then free). @default - nothing */
  onLost?: (e: Error) => void;
}

/** The owner as `status` shows it. */
export type ShownOwner = Omit<LockOwner, "token"> & { alive: boolean };

/** The owner table, in the schema of Pulumi's table. */
function ownerTable(backend: PostgresBackend): string {
  return besidePulumiTable(backend, "glidepath_driver_locks");
}

/** Session settings: the server notices a vanished client within ~25 s; no idle cut-off. */
const SESSION_SETTINGS = `SELECT set_config(name, setting, false) FROM (VALUES
  ('tcp_keepalives_idle', '10'), ('tcp_keepalives_interval', '5'), ('tcp_keepalives_count', '3'),
  ('idle_session_timeout', '0'), ('idle_in_transaction_session_timeout', '0'), ('statement_timeout', '0')
) AS s(name, setting) WHERE name IN (SELECT name FROM pg_settings)`;

interface OwnerRow {
  pid: number;
  host: string;
  command: string;
  since: string;
  token: string;
  session_pid: number;
}

/** The owner row and the backend pid of the session holding the lock now (if any). */
async function lookUp(
  client: Client,
  backend: PostgresBackend,
  project: string,
  stack: string,
): Promise<{ row?: OwnerRow; holder?: number }> {
  const k = advisoryKey(backend.table, project, stack);
  const holder = await client.query<{ pid: number }>(
    `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 1`,
    [k.classid, k.objid],
  );
  const table = ownerTable(backend);
  const exists = await client.query<{ t: string | null }>("SELECT to_regclass($1)::text AS t", [table]);
  const rows =
    exists.rows[0]?.t == null
      ? []
      : (
          await client.query<OwnerRow>(
            `SELECT pid, host, command, since, token, session_pid FROM ${table} WHERE lock_key = $1::bigint`,
            [k.key],
          )
        ).rows;
  return { row: rows[0], holder: holder.rows[0]?.pid };
}

async function ensureOwnerTable(client: Client, table: string): Promise<void> {
  const ddl = `CREATE TABLE IF NOT EXISTS ${table} (
    lock_key bigint PRIMARY KEY, project text NOT NULL, stack text NOT NULL, pid integer NOT NULL,
    host text NOT NULL, command text NOT NULL, since text NOT NULL, token text NOT NULL, session_pid integer NOT NULL)`;
  try {
    await client.query(ddl);
  } catch (e) {
    // Two first drivers of two stacks creating it at once: one wins, the other finds it there.
    if (!["23505", "42P07"].includes((e as { code?: string }).code ?? "")) throw e;
  }
}

/**
 * Takes the stack's driver lock on a PostgreSQL backend, for as long as this process keeps the
 * returned lock (its connection) open.
 *
 * @throws GlidepathError `GP_STACK_LOCKED` naming the owner; `GP_BACKEND_UNREACHABLE`
 */
export async function acquirePgLock(opts: PgLockOptions): Promise<DriverLock> {
  const { backend, project, stack } = opts;
  const k = advisoryKey(backend.table, project, stack);
  const table = ownerTable(backend);
  const client = await connectBackend(backend, `glidepath ${opts.command} (${stack})`);
  let lost = false;
  client.on("error", (e) => {
    lost = true;
    opts.onLost?.(e);
  });
  try {
    await client.query(SESSION_SETTINGS);
    // A holder killed a moment ago may still be ending its session: wait briefly, not forever.
    await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(opts.waitMs ?? 2000))}`);
    try {
      await client.query("SELECT pg_advisory_lock($1::bigint)", [k.key]);
    } catch (e) {
      if ((e as { code?: string }).code !== "55P03") throw e;
      const { row, holder } = await lookUp(client, backend, project, stack);
      if (row !== undefined && row.session_pid === holder) {
        throw lockedError(
          stack,
          row,
          "if that process is gone, its session ends and frees the lock by itself",
        );
      }
      throw new GlidepathError(
        "GP_STACK_LOCKED",
        `stack "${stack}" is locked by PostgreSQL session ${holder ?? "(ending)"} that recorded no owner; nothing was changed`,
        `retry in a moment; \`SELECT * FROM pg_stat_activity WHERE pid = ${holder ?? "…"}\` shows who it is`,
      );
    }
    await client.query("RESET lock_timeout");
    await ensureOwnerTable(client, table);
    const { row: previous } = await lookUp(client, backend, project, stack);
    const owner = newOwner(opts.command);
    await client.query(
      `INSERT INTO ${table} (lock_key, project, stack, pid, host, command, since, token, session_pid)
       VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8, pg_backend_pid())
       ON CONFLICT (lock_key) DO UPDATE SET project = $2, stack = $3, pid = $4, host = $5, command = $6,
         since = $7, token = $8, session_pid = pg_backend_pid()`,
      [k.key, project, stack, owner.pid, owner.host, owner.command, owner.since, owner.token],
    );
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      if (!lost) {
        await client
          .query(`DELETE FROM ${table} WHERE lock_key = $1::bigint AND token = $2`, [k.key, owner.token])
          .then(() => client.query("SELECT pg_advisory_unlock($1::bigint)", [k.key]))
          .catch(() => undefined);
      }
      // Ending the session frees the lock in any case.
      await client.end().catch(() => undefined);
    };
    // The previous row's session is gone (we hold the lock now): that driver died holding it.
    const clearedStale: LockOwner | undefined =
      previous === undefined
        ? undefined
        : {
            pid: previous.pid,
            host: previous.host,
            command: previous.command,
            since: previous.since,
            token: previous.token,
          };
    return { owner, clearedStale, release };
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
}

/**
 * Who holds (or last held without releasing) the stack's driver lock on a PostgreSQL backend.
 *
 * @returns the owner, `alive` when its session still holds the lock; null when no row is there
 * @throws GlidepathError `GP_BACKEND_UNREACHABLE`
 */
export async function readPgLockOwner(
  backend: PostgresBackend,
  project: string,
  stack: string,
): Promise<ShownOwner | null> {
  const client = await connectBackend(backend, `glidepath status (${stack})`);
  try {
    const { row, holder } = await lookUp(client, backend, project, stack);
    if (row === undefined) return null;
    return {
      pid: row.pid,
      host: row.host,
      command: row.command,
      since: row.since,
      alive: row.session_pid === holder,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A stack's guardrail records shared through a `postgres://` backend. On a file backend they sit
 * beside the state, so every checkout that shares the state shares them; the machines that share
 * a PostgreSQL backend share no disk, so there the database holds them, beside Pulumi's table:
 *
 * - `glidepath_audit_lines (stack, seq, line)`: the audit log, one row per line, inserted and
 *   never updated. An append takes a transaction-scoped advisory lock on the stack's log, reads
 *   the last row and inserts the next; the primary key `(stack, seq)` refuses a second row with
 *   a seq even without the lock. A role granted only `SELECT, INSERT` on it cannot rewrite it.
 * - `glidepath_guardrail_files (stack, name, bytes, sha256)`: everything else under the stack's
 *   audit directory (the gate verdict, evidence, baselines' acceptances, golden records and
 *   archives, deploy logs), by path relative to that directory.
 *
 * Each checkout keeps a mirror, which every reader reads as it reads the file backend's
 * directory: it is pulled when a command opens the stack (and by the program before it judges a
 * production approval), an append goes to the database first and then rewrites the mirror's log
 * from the database, and the files a command wrote are pushed when it ends. The database is the
 * record: a mirror's log that is not a prefix of the database's is set aside (never deleted)
 * and reported.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { Client } from "pg";
import { writeFileAtomic } from "../atomic-write";
import { besidePulumiTable, type PostgresBackend } from "../backend-url";
import { advisoryKey } from "../driver/advisory-key";
import { GlidepathError } from "../errors";
import { connectBackend } from "../pg-connect";
import { type AuditHead, EMPTY_HEAD, lineHash } from "./entry";

/** A stack's shared records and this checkout's mirror of them. */
export interface SharedStore {
  /** The backend that holds them. */
  backend: PostgresBackend;
  /** The stack's key in the tables: the backend's prefix and the stack name. */
  key: string;
  /** The mirror directory (the stack's audit directory in this checkout). */
  dir: string;
  /** The log's file name in the mirror. */
  logName: string;
  /** SHA-256 of each file as last pulled or pushed, by relative name. */
  known: Map<string, string>;
}

/** What a pull found. */
export interface PullResult {
  /** Lines of the log. */
  lines: number;
  /** Files written to or already current in the mirror. */
  files: number;
  /** What the pull had to do besides copying (a log imported or set aside). */
  notes: string[];
}

/** The two tables' names for a backend. */
export function sharedTables(backend: PostgresBackend): { lines: string; files: string } {
  return {
    lines: besidePulumiTable(backend, "glidepath_audit_lines"),
    files: besidePulumiTable(backend, "glidepath_guardrail_files"),
  };
}

/**
 * A stack's store (nothing is read until {@link pullStore}).
 *
 * @param backend - the backend
 * @param stack - the stack
 * @param dir - the mirror directory
 * @param logName - the log's file name in it
 */
export function sharedStore(
  backend: PostgresBackend,
  stack: string,
  dir: string,
  logName: string,
): SharedStore {
  return { backend, key: `${backend.prefix}${stack}`, dir, logName, known: new Map() };
}

/** A relative name a row may carry: path segments of safe characters, no `.` or `..`. */
const SAFE_NAME = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._@+-]+(\/[A-Za-z0-9._@+-]+)*$/;

/** Files of the mirror that are this checkout's own: the log (it has its table), locks, temp files, set-aside logs. */
function isLocal(name: string, logName: string): boolean {
  return (
    name === logName ||
    name.startsWith(`${logName}.`) ||
    name.endsWith(".lock.json") ||
    name.endsWith(".tmp") ||
    !SAFE_NAME.test(name)
  );
}

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

const ensured = new Set<string>();

async function withClient<T>(store: SharedStore, what: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = await connectBackend(store.backend, `glidepath ${what}`);
  try {
    const t = sharedTables(store.backend);
    if (!ensured.has(t.lines)) {
      for (const ddl of [
        `CREATE TABLE IF NOT EXISTS ${t.lines} (stack text NOT NULL, seq bigint NOT NULL, line bytea NOT NULL,
          recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (stack, seq))`,
        `CREATE TABLE IF NOT EXISTS ${t.files} (stack text NOT NULL, name text NOT NULL, bytes bytea NOT NULL,
          sha256 text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (stack, name))`,
      ]) {
        try {
          await client.query(ddl);
        } catch (e) {
          // Two first glidepaths creating it at once: one wins, the other finds it there.
          if (!["23505", "42P07"].includes((e as { code?: string }).code ?? "")) throw e;
        }
      }
      ensured.add(t.lines);
    }
    return await fn(client);
  } catch (e) {
    if (e instanceof GlidepathError) throw e;
    throw new GlidepathError(
      "GP_AUDIT_SHARED_FAILED",
      `the guardrail records of "${store.key}" in the PostgreSQL backend ${store.backend.shown}: ${what} failed: ${(e as Error).message}; nothing was recorded by this step`,
      "check that the backend's role may create, select and insert into glidepath_audit_lines and glidepath_guardrail_files (docs/guardrails.md), then retry",
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dbLog(client: Client, store: SharedStore): Promise<Buffer> {
  const r = await client.query<{ line: Buffer }>(
    `SELECT line FROM ${sharedTables(store.backend).lines} WHERE stack = $1 ORDER BY seq`,
    [store.key],
  );
  return Buffer.concat(r.rows.map((row) => row.line));
}

const readOrEmpty = (file: string) => fs.readFile(file).catch(() => Buffer.alloc(0));

/** Splits a log into lines, newline kept (a last line without one is kept as it is). */
function lines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let start = 0; start < bytes.length; ) {
    const nl = bytes.indexOf(10, start);
    const end = nl < 0 ? bytes.length : nl + 1;
    out.push(bytes.subarray(start, end));
    start = end;
  }
  return out;
}

/** Makes the mirror's log the database's (setting aside a local log that is not a prefix of it). */
async function mirrorLog(store: SharedStore, db: Buffer, notes: string[]): Promise<void> {
  const file = path.join(store.dir, store.logName);
  const local = await readOrEmpty(file);
  if (local.equals(db)) return;
  if (local.length > 0 && !db.subarray(0, local.length).equals(local)) {
    const aside = `${file}.unshared-${sha256(local).slice(0, 12)}`;
    await fs.rename(file, aside);
    notes.push(
      `this checkout's audit log was not a prefix of the shared one; it was set aside as ${aside} (compare it with \`glidepath audit verify --log ${aside}\`)`,
    );
  }
  await writeFileAtomic(file, db, { mode: 0o644 });
}

/**
 * Brings the mirror up to the database: the log, and every shared file whose bytes differ.
 * A database without a log for the stack takes this checkout's log as it is (what the stack
 * recorded before its records were shared), under the log's lock.
 *
 * @param store - the store
 * @throws GlidepathError `GP_AUDIT_SHARED_FAILED` (exit 1) when the database cannot be read
 */
export async function pullStore(store: SharedStore): Promise<PullResult> {
  return withClient(store, "pull", async (client) => {
    const notes: string[] = [];
    let db = await dbLog(client, store);
    const local = await readOrEmpty(path.join(store.dir, store.logName));
    if (db.length === 0 && local.length > 0) db = await importLog(client, store, local, notes);
    await mirrorLog(store, db, notes);
    const t = sharedTables(store.backend);
    const rows = await client.query<{ name: string; bytes: Buffer; sha256: string }>(
      `SELECT name, bytes, sha256 FROM ${t.files} WHERE stack = $1`,
      [store.key],
    );
    for (const row of rows.rows) {
      if (isLocal(row.name, store.logName)) continue;
      const file = path.join(store.dir, row.name);
      if (sha256(await readOrEmpty(file)) !== row.sha256)
        await writeFileAtomic(file, row.bytes, { mode: 0o644 });
      store.known.set(row.name, row.sha256);
    }
    return { lines: lines(db).length, files: rows.rows.length, notes };
  });
}

async function importLog(
  client: Client,
  store: SharedStore,
  local: Buffer,
  notes: string[],
): Promise<Buffer> {
  const t = sharedTables(store.backend);
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [logLockKey(store)]);
    const now = await dbLog(client, store);
    if (now.length === 0) {
      let seq = 0;
      for (const line of lines(local))
        await client.query(`INSERT INTO ${t.lines} (stack, seq, line) VALUES ($1, $2, $3)`, [
          store.key,
          ++seq,
          line,
        ]);
      notes.push(`the shared audit log of "${store.key}" was empty: it took this checkout's ${seq} lines`);
    }
    await client.query("COMMIT");
    return now.length === 0 ? local : now;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}

const logLockKey = (store: SharedStore) =>
  advisoryKey(sharedTables(store.backend).lines, "glidepath-audit", store.key).key;

/**
 * Appends one line: under the stack's log lock (transaction-scoped), reads the last row,
 * asks `build` for the next line, inserts it, commits; then rewrites the mirror's log from the
 * database.
 *
 * @param store - the store
 * @param build - the next line for a head (throws to append nothing)
 * @param check - told the whole log first, to refuse one that does not verify @default - the log is not read
 * @returns the new head
 */
export async function appendShared(
  store: SharedStore,
  build: (head: AuditHead) => Buffer,
  check?: (log: Buffer) => void,
): Promise<AuditHead> {
  return withClient(store, "audit append", async (client) => {
    const t = sharedTables(store.backend);
    let head: AuditHead;
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [logLockKey(store)]);
      if (check) check(await dbLog(client, store));
      const last = await client.query<{ seq: string; line: Buffer }>(
        `SELECT seq, line FROM ${t.lines} WHERE stack = $1 ORDER BY seq DESC LIMIT 1`,
        [store.key],
      );
      const row = last.rows[0];
      const prev = row === undefined ? EMPTY_HEAD : { seq: Number(row.seq), hash: lineHash(row.line) };
      const line = build(prev);
      await client.query(`INSERT INTO ${t.lines} (stack, seq, line) VALUES ($1, $2, $3)`, [
        store.key,
        prev.seq + 1,
        line,
      ]);
      await client.query("COMMIT");
      head = { seq: prev.seq + 1, hash: lineHash(line) };
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    }
    const notes: string[] = [];
    await mirrorLog(store, await dbLog(client, store), notes);
    return head;
  });
}

async function walk(dir: string, rel = ""): Promise<string[]> {
  const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const name = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...(await walk(dir, name)));
    else if (e.isFile()) out.push(name);
  }
  return out;
}

/**
 * Pushes the mirror's files whose bytes changed since they were pulled or pushed (a file the
 * database holds and this checkout deleted stays in the database).
 *
 * @param store - the store
 * @returns the names pushed
 * @throws GlidepathError `GP_AUDIT_SHARED_FAILED` (exit 1) when the database cannot be written
 */
export async function pushStore(store: SharedStore): Promise<string[]> {
  const changed: { name: string; bytes: Buffer; sha: string }[] = [];
  for (const name of (await walk(store.dir)).sort()) {
    if (isLocal(name, store.logName)) continue;
    const bytes = await fs.readFile(path.join(store.dir, name));
    const sha = sha256(bytes);
    if (store.known.get(name) !== sha) changed.push({ name, bytes, sha });
  }
  if (changed.length === 0) return [];
  return withClient(store, "push", async (client) => {
    const t = sharedTables(store.backend);
    for (const c of changed) {
      await client.query(
        `INSERT INTO ${t.files} (stack, name, bytes, sha256) VALUES ($1, $2, $3, $4)
         ON CONFLICT (stack, name) DO UPDATE SET bytes = EXCLUDED.bytes, sha256 = EXCLUDED.sha256, updated_at = now()`,
        [store.key, c.name, c.bytes, c.sha],
      );
      store.known.set(c.name, c.sha);
    }
    return changed.map((c) => c.name);
  });
}

/**
 * What a Pulumi backend URL means for the driver lock (pure). The driver can make its lock
 * exclusive on two backends: a `file://` directory (an `O_EXCL` file beside the state) and a
 * `postgres://` database (an advisory lock held by the driver's session). Object stores
 * (`s3://`, `gs://`, `azblob://`) offer no lock of the kind; a lock file beside each checkout
 * would keep apart only the drivers of one checkout, so the driver refuses them.
 */
import { GlidepathError } from "./errors";
import { redactUrl } from "./redact";

/** Where Pulumi keeps the state of a `postgres://` backend. */
export interface PostgresBackend {
  kind: "postgres";
  /** The connection string for node-postgres: the URL without Pulumi's own `table` parameter. */
  connectionString: string;
  /** Pulumi's state table (the URL's `table` parameter). @default "pulumi_state" */
  table: string;
  /** The prefix of Pulumi's keys in that table: the URL's path, with a trailing `/` ("" for none). */
  prefix: string;
  /** The URL as people may see it (no credentials). */
  shown: string;
}

/** A backend the driver can lock, or one it refuses. */
export type LockBackend =
  | { kind: "file" /** The state directory. */; dir: string }
  | PostgresBackend
  | {
      kind: "unsupported" /** The URL's scheme (`s3`). */;
      scheme: string /** The URL without credentials. */;
      shown: string;
    };

/** An SQL identifier Pulumi interpolates unquoted: a name, optionally schema-qualified. */
const PLAIN_TABLE = /^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/;

/**
 * Classifies a backend URL.
 *
 * @param url - the `PULUMI_BACKEND_URL` value
 * @throws GlidepathError `GP_BACKEND_UNSUPPORTED` (exit 2) for a `postgres://` URL whose `table` is not a plain SQL name
 */
export function lockBackendOf(url: string): LockBackend {
  if (url.startsWith("file://")) return { kind: "file", dir: url.slice("file://".length) };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? "";
  if (scheme !== "postgres") return { kind: "unsupported", scheme, shown: redactUrl(url) };
  const u = new URL(url);
  const table = u.searchParams.get("table") || "pulumi_state";
  if (!PLAIN_TABLE.test(table)) {
    throw new GlidepathError(
      "GP_BACKEND_UNSUPPORTED",
      `PULUMI_BACKEND_URL="${redactUrl(url)}": table=${JSON.stringify(table)} is not a plain SQL table name; nothing was changed`,
      "name the state table with letters, digits and '_' (optionally schema.table), or drop the table parameter",
    );
  }
  u.searchParams.delete("table");
  const sub = u.pathname.replace(/^\/+/, "");
  return {
    kind: "postgres",
    connectionString: u.toString(),
    // Pulumi folds unquoted names to lower case, as PostgreSQL does.
    table: table.toLowerCase(),
    prefix: sub === "" || sub.endsWith("/") ? sub : `${sub}/`,
    shown: redactUrl(url),
  };
}

/**
 * The refusal of a backend the driver cannot lock, for a command that changes the stack.
 *
 * @param backend - the unsupported backend
 */
export function unsupportedBackendError(backend: { scheme: string; shown: string }): GlidepathError {
  return new GlidepathError(
    "GP_BACKEND_UNSUPPORTED",
    `PULUMI_BACKEND_URL="${backend.shown}": the driver cannot hold an exclusive lock on a ${backend.scheme || "scheme-less"} backend (its lock would cover this checkout only, and two machines could ramp the same stack at once); nothing was changed`,
    "use a backend the driver locks: postgres://user@host:port/db (shared by several machines: an advisory lock held by the driver's session) or file:// (one machine); read-only commands (status, history) still work here",
  );
}

/**
 * Refuses, before anything else, a stack-changing command on a backend the driver cannot lock.
 *
 * @param url - the `PULUMI_BACKEND_URL` value (absent: the file backend in the project)
 * @throws GlidepathError `GP_BACKEND_UNSUPPORTED` (exit 2)
 */
export function assertLockableBackend(url: string | undefined): void {
  if (url === undefined || url === "") return;
  const backend = lockBackendOf(url);
  if (backend.kind === "unsupported") throw unsupportedBackendError(backend);
}

/**
 * A glidepath table in the schema of Pulumi's state table (`schema.name`, or `name` when the state
 * table is not schema-qualified).
 *
 * @param backend - the backend
 * @param name - the table's own name, a plain SQL name
 */
export function besidePulumiTable(backend: PostgresBackend, name: string): string {
  const dot = backend.table.lastIndexOf(".");
  return `${dot < 0 ? "" : backend.table.slice(0, dot + 1)}${name}`;
}

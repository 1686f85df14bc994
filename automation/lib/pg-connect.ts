/**
 * A connection to a `postgres://` backend's database (node-postgres), for the driver lock and
 * for the backend's own lock rows. A connection that fails is `GP_BACKEND_UNREACHABLE`, naming
 * the URL without its credentials.
 */
import type { Client } from "pg";
import type { PostgresBackend } from "./backend-url";
import { GlidepathError } from "./errors";

/**
 * Opens a connection.
 *
 * @param backend - the backend
 * @param applicationName - what `pg_stat_activity.application_name` shows (cut to 63 bytes)
 * @throws GlidepathError `GP_BACKEND_UNREACHABLE` (exit 1) when the database cannot be reached
 */
export async function connectBackend(backend: PostgresBackend, applicationName: string): Promise<Client> {
  // Loaded here, not at the top: the Pulumi program reaches this module (through the audit log's
  // shared store) on every run and must not load a database client it does not use.
  const pg = require("pg") as typeof import("pg");
  const client = new pg.Client({
    connectionString: backend.connectionString,
    application_name: applicationName.slice(0, 63),
    keepAlive: true,
  });
  try {
    await client.connect();
    return client;
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new GlidepathError(
      "GP_BACKEND_UNREACHABLE",
      `cannot reach the PostgreSQL backend PULUMI_BACKEND_URL="${backend.shown}": ${(e as Error).message}; nothing was changed`,
      "check that the server runs and accepts this user from this host (the same URL `pulumi login` takes; PGPASSWORD and the other PG* variables apply)",
    );
  }
}

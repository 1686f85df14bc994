/**
 * A throw-away PostgreSQL cluster for tests and benchmarks: initialised in a temp directory,
 * listening on 127.0.0.1 on a free port only (its unix socket inside that directory), with
 * one database; stopped and removed afterwards. PostgreSQL refuses to run as root, so as
 * root the cluster runs as an unprivileged system user (`postgres`, which Debian's package
 * creates, else `nobody`). Outside CI a machine without PostgreSQL skips these tests with the
 * reason; in CI that is a failure.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import { freePort } from "./free-port";

const execFileP = promisify(execFile);

/** The directory of `initdb` and `pg_ctl`: GLIDEPATH_PG_BIN, Debian's newest, or PATH's. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const has = (d: string) => fs.existsSync(path.join(d, "initdb")) && fs.existsSync(path.join(d, "pg_ctl"));
  if (env.GLIDEPATH_PG_BIN) return has(env.GLIDEPATH_PG_BIN) ? env.GLIDEPATH_PG_BIN : undefined;
  const debian = "/usr/lib/postgresql";
  const versions = fs.existsSync(debian)
    ? fs
        .readdirSync(debian)
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) if (has(path.join(debian, v, "bin"))) return path.join(debian, v, "bin");
  for (const d of (env.PATH ?? "").split(path.delimiter)) if (d && has(d)) return d;
  return undefined;
}

/** Why the PostgreSQL tests cannot run here, or undefined. */
export function postgresProblem(): string | undefined {
  return postgresBinDir() === undefined
    ? "no PostgreSQL server binaries (initdb, pg_ctl): bash scripts/bootstrap.sh installs Debian's postgresql, or set GLIDEPATH_PG_BIN"
    : undefined;
}

/** Whether the PostgreSQL tests run: false (reason printed) outside CI; in CI a missing server throws. */
export function postgresAvailable(): boolean {
  const reason = postgresProblem();
  if (reason === undefined) return true;
  if (process.env.CI) throw new Error(`PostgreSQL tests cannot run in CI: ${reason}`);
  console.warn(`skipping PostgreSQL tests: ${reason}`);
  return false;
}

/** A running cluster. */
export interface PostgresCluster {
  /** `postgres://glidepath:<password>@127.0.0.1:<port>/state?sslmode=disable` (trust auth: the password is ignored). */
  url: string;
  /** The password in {@link url}, for secret scans. */
  password: string;
  /** The port on 127.0.0.1. */
  port: number;
  /** Runs one SQL statement as the cluster's superuser on the state database. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Stops the cluster (immediate) and removes its directory. */
  stop(): Promise<void>;
}

/** Who runs the cluster: this user, or (as root) an unprivileged one, with its uid and gid. */
function clusterUser(): { name: string; uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "nobody"]) {
    try {
      const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
      return { name, uid, gid };
    } catch {
      // no such user: try the next
    }
  }
  throw new Error("running as root and neither a postgres nor a nobody user exists to run PostgreSQL");
}

/** Options of {@link startPostgres}. */
export interface StartOptions {
  /** Sync writes to disk (a benchmark's honest figures); tests turn it off for speed. @default false */
  fsync?: boolean;
}

/** Initialises and starts a cluster, and creates the `state` database. */
export async function startPostgres(opts: StartOptions = {}): Promise<PostgresCluster> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error(postgresProblem());
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "gp-pg-"));
  const user = clusterUser();
  if (user !== undefined) await fsp.chown(dir, user.uid, user.gid);
  const as = (cmd: string, args: string[]) =>
    user === undefined
      ? execFileP(path.join(bin, cmd), args)
      : execFileP("runuser", ["-u", user.name, "--", path.join(bin, cmd), ...args]);
  const data = path.join(dir, "data");
  await as("initdb", ["-D", data, "-U", "glidepath", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  const fsync = opts.fsync ? "on" : "off";
  const serverOpts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=${fsync} -c synchronous_commit=${fsync}`;
  await as("pg_ctl", [
    "-D",
    data,
    "-l",
    path.join(dir, "server.log"),
    "-w",
    "-t",
    "60",
    "-o",
    serverOpts,
    "start",
  ]);
  const stop = async () => {
    await as("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]).catch(() => undefined);
    await fsp.rm(dir, { recursive: true, force: true });
  };
  try {
    const admin = new Client({ host: "127.0.0.1", port, user: "glidepath", database: "postgres" });
    await admin.connect();
    await admin.query("CREATE DATABASE state");
    await admin.end();
  } catch (e) {
    await stop();
    throw e;
  }
  const password = `pg-passw0rd-${Math.random().toString(36).slice(2, 10)}`;
  return {
    url: `postgres://glidepath:${password}@127.0.0.1:${port}/state?sslmode=disable`,
    password,
    port,
    query: async <T>(sql: string, params: unknown[] = []) => {
      const c = new Client({ host: "127.0.0.1", port, user: "glidepath", database: "state" });
      await c.connect();
      try {
        return (await c.query(sql, params)).rows as T[];
      } finally {
        await c.end();
      }
    },
    stop,
  };
}

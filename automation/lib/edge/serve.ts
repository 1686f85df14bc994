/**
 * Starting the local edge for a stack (the `edge` command and the demo): the stack's `local`
 * apps and target root, the SLO minimum for the panel, the admin key ({@link adminKeyFrom}), the panel's timeline,
 * and the discovery record other glidepath processes find it by.
 */
import { randomBytes } from "node:crypto";
import * as os from "node:os";
import { readEdgeRecord, removeEdgeRecord, writeEdgeRecord } from "../../../edge/host/discovery";
import { type EdgeHost, startEdgeHost } from "../../../edge/host/edge-host";
import { cachedTimeline } from "../../../edge/host/timeline";
import type { StackConfig } from "../../../infra/config";
import { defaultLocalRoot } from "../../../infra/load-config";
import type { StackContext } from "../context";
import { GlidepathError } from "../errors";

/** The environment variable that sets the admin key (`x-wiredchaos-key`). */
export const ADMIN_KEY_ENV = "WIREDCHAOS_KEY";

/** Shortest admin key accepted from {@link ADMIN_KEY_ENV}. */
export const MIN_KEY_LENGTH = 16;

/** Options of {@link serveEdge}. */
export interface ServeEdgeOptions {
  /** TCP port on 127.0.0.1. @default 0 - any free port */
  port?: number;
  /** The environment ({@link ADMIN_KEY_ENV}). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** A served edge. */
export interface ServedEdge {
  /** Base URL on 127.0.0.1. */
  url: URL;
  /** The admin key (never printed). */
  adminKey: string;
  /** Apps served. */
  apps: string[];
  /** The target root read. */
  root: string;
  /** Stops the edge and removes its discovery record. */
  close(): Promise<void>;
}

/**
 * The stack's admin key, in this order: {@link ADMIN_KEY_ENV} when set; else the stack's secret
 * `glidepath:adminKey` (decrypted in memory only); else 32 random bytes (hex), new each start.
 * Whichever it is, the edge's discovery record keeps it in `.glidepath/edge/<stack>.key`
 * (mode 0600) for the local processes that call the admin endpoints.
 *
 * @param env - the environment
 * @param configKey - the stack's `glidepath:adminKey` @default - none
 * @throws GlidepathError `GP_ARG_INVALID` when the variable is set but shorter than {@link MIN_KEY_LENGTH}
 */
export function adminKeyFrom(env: NodeJS.ProcessEnv, configKey?: string): string {
  const given = env[ADMIN_KEY_ENV];
  if (given === undefined || given === "") return configKey ?? randomBytes(32).toString("hex");
  if (given.length < MIN_KEY_LENGTH) {
    throw new GlidepathError(
      "GP_ARG_INVALID",
      `${ADMIN_KEY_ENV} is ${given.length} characters long; the admin key needs at least ${MIN_KEY_LENGTH}`,
      `set ${ADMIN_KEY_ENV} to a longer random value (for example \`openssl rand -hex 32\`), or unset it to use glidepath:adminKey or a random key per start`,
    );
  }
  return given;
}

/**
 * Starts the stack's edge and writes its discovery record.
 *
 * @param ctx - the opened stack
 * @param config - its validated config
 * @param opts - port and environment
 * @throws GlidepathError `GP_EDGE_RUNNING` (exit 2) when an edge already serves the stack; `GP_EDGE_START_FAILED` when workerd does not start
 */
export async function serveEdge(
  ctx: StackContext,
  config: StackConfig,
  opts: ServeEdgeOptions = {},
): Promise<ServedEdge> {
  const stack = ctx.stack.name;
  const adminKey = adminKeyFrom(opts.env ?? process.env, config.adminKey);
  const running = await readEdgeRecord(ctx.projectDir, stack);
  if (running !== undefined) {
    throw new GlidepathError(
      "GP_EDGE_RUNNING",
      `an edge already serves stack "${stack}" at ${running.url} (pid ${running.pid} on ${running.host})`,
      `use that one, or stop it (Ctrl-C in its terminal, or \`kill ${running.pid}\`) first`,
    );
  }
  const root = config.localRoot ?? defaultLocalRoot(ctx.projectDir, stack);
  const apps = Object.entries(config.apps)
    .filter(([, a]) => a.target === "local")
    .map(([name]) => name);
  let host: EdgeHost;
  try {
    host = await startEdgeHost({
      stack,
      root,
      apps,
      adminKey,
      port: opts.port ?? 0,
      minScore: config.rollout.minSlo,
      minRequests: config.rollout.minRequests,
      timeline: cachedTimeline(ctx.stack, ctx.projectDir),
    });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new GlidepathError(
      "GP_EDGE_START_FAILED",
      `the local edge did not start on 127.0.0.1:${opts.port ?? 0}: ${why.split("\n")[0]}`,
      opts.port
        ? `pick a free port with --port, or --port 0 for any free port`
        : "run it again with GLIDEPATH_DEBUG=1 and report the trace",
    );
  }
  await writeEdgeRecord(
    ctx.projectDir,
    {
      schema: "glidepath.edge/v1",
      stack,
      url: host.url.toString(),
      pid: process.pid,
      host: os.hostname(),
      root,
      apps,
      startedAt: new Date().toISOString(),
    },
    adminKey,
  );
  const onExit = () => removeEdgeRecord(ctx.projectDir, stack);
  process.once("exit", onExit);
  return {
    url: host.url,
    adminKey,
    apps,
    root,
    close: async () => {
      process.off("exit", onExit);
      removeEdgeRecord(ctx.projectDir, stack);
      await host.stop();
    },
  };
}

/**
 * The local edge host: runs the edge Worker (`edge/worker`, compiled to `dist/edge-worker`) on
 * workerd through Miniflare, on 127.0.0.1 only. By default the Worker reads the `local`
 * target's root (routes, flags, releases) through a disk binding, so every file the target
 * rewrites is seen on the next read; with `store: { kind: "kv" }` it reads an in-memory
 * Workers KV namespace instead (`EDGE_KV`, as on Cloudflare), which the caller fills through
 * {@link EdgeHost.kv}. The host answers the Worker's timeline requests (`HOST` binding).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { DEFAULT_MIN_REQUESTS } from "../../automation/lib/slo/defaults";
import { EDGE_COMPATIBILITY_DATE } from "./compatibility";

/** Where the Worker reads routes, flags and releases. */
export type EdgeStoreOption =
  /** The `local` target's root ({@link EdgeHostOptions.root}) through the disk service. */
  | { kind: "disk" }
  /** A Workers KV namespace bound as `EDGE_KV`, held in memory for the host's life. */
  | { kind: "kv" };

/**
 * The KV namespace of a KV-backed edge, as Miniflare hands it to Node (the part a harness
 * uses; Miniflare types it against Workers types this project does not install).
 */
export interface EdgeKvNamespace {
  put(key: string, value: string | ArrayBuffer | Uint8Array): Promise<void>;
  get(key: string, type: "text"): Promise<string | null>;
  get(key: string, type: "arrayBuffer"): Promise<ArrayBuffer | null>;
  delete(key: string): Promise<void>;
  list(options?: { prefix?: string; cursor?: string }): Promise<{
    keys: { name: string }[];
    list_complete: boolean;
    cursor?: string;
  }>;
}

/** Options of {@link startEdgeHost}. */
export interface EdgeHostOptions {
  /** Stack name (shown by the Worker's status). */
  stack: string;
  /** Absolute root of the `local` target; required with the disk store. @default - none */
  root?: string;
  /** The Worker's store. @default { kind: "disk" } */
  store?: EdgeStoreOption;
  /** How long the Worker keeps a route read (ms; its `ROUTE_TTL_MS`). @default 200 - the Worker's own default */
  routeTtlMs?: number;
  /** Apps the edge serves, e.g. `["wix", "gamma"]`. */
  apps: readonly string[];
  /** The admin key (`x-wiredchaos-key`). */
  adminKey: string;
  /** TCP port on 127.0.0.1. @default 0 - any free port */
  port?: number;
  /** Requests slower than this count as bad (ms). @default 500 */
  latencyObjectiveMs?: number;
  /**
   * Requests a window needs before the panel shows a verdict (the Worker's `enough`); the same
   * figure as the gate's `glidepath:rollout.minRequests` default.
   * @default DEFAULT_MIN_REQUESTS (100)
   */
  minRequests?: number;
  /** The SLO minimum (percent) the panel's chip is judged against. @default 99 */
  minScore?: number;
  /** The history timeline for the panel (rollout progress, updates, gate verdicts). @default - none */
  timeline?: () => Promise<unknown>;
}

/** A running edge. */
export interface EdgeHost {
  /** Base URL, `http://127.0.0.1:<port>/`. */
  url: URL;
  /** The `EDGE_KV` namespace to write routes, flags and releases into; only with `store: { kind: "kv" }`. */
  kv?: EdgeKvNamespace;
  /** Stops workerd. */
  stop(): Promise<void>;
}

/**
 * The compiled Worker's directory, `dist/edge-worker` (an ES module build of its own; this file
 * runs from `dist/edge/host` or, in tests, `edge/host`).
 */
export function workerDir(): string {
  const up2 = path.resolve(__dirname, "../..");
  const root = path.basename(up2) === "dist" ? path.dirname(up2) : up2;
  return path.join(root, "dist", "edge-worker");
}

/**
 * Starts the edge; resolves once it accepts requests.
 *
 * @param opts - what to serve and how to judge it
 */
export async function startEdgeHost(opts: EdgeHostOptions): Promise<EdgeHost> {
  // Loaded here, not at module scope: miniflare is large and only the edge commands need it.
  const { Miniflare, Response } = await import("miniflare");
  const kind = opts.store?.kind ?? "disk";
  const root = opts.root;
  if (kind === "disk") {
    if (root === undefined)
      throw new Error("edge host: the disk store needs `root` (the local target's root)");
    await fs.mkdir(root, { recursive: true });
  }
  const dir = workerDir();
  const timeline = opts.timeline;
  const mf = new Miniflare({
    modules: true,
    scriptPath: path.join(dir, "index.js"),
    modulesRoot: dir,
    modulesRules: [{ type: "ESModule", include: ["**/*.js"] }],
    host: "127.0.0.1",
    port: opts.port ?? 0,
    cf: false,
    compatibilityDate: EDGE_COMPATIBILITY_DATE,
    bindings: {
      ADMIN_KEY: opts.adminKey,
      APPS: opts.apps.join(","),
      STACK: opts.stack,
      LATENCY_OBJECTIVE_MS: String(opts.latencyObjectiveMs ?? 500),
      MIN_REQUESTS: String(opts.minRequests ?? DEFAULT_MIN_REQUESTS),
      MIN_SCORE: String(opts.minScore ?? 99),
      ...(opts.routeTtlMs === undefined ? {} : { ROUTE_TTL_MS: String(opts.routeTtlMs) }),
    },
    ...(kind === "kv" ? { kvNamespaces: { EDGE_KV: "edge-kv" } } : {}),
    serviceBindings: {
      ...(kind === "disk" ? { DISK: { disk: { path: root as string } } } : {}),
      ...(timeline
        ? {
            HOST: async () => {
              try {
                return new Response(JSON.stringify(await timeline()), {
                  headers: { "content-type": "application/json" },
                });
              } catch (e) {
                return new Response(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }), {
                  status: 503,
                  headers: { "content-type": "application/json" },
                });
              }
            },
          }
        : {}),
    },
  });
  try {
    const url = await mf.ready;
    const kv =
      kind === "kv" ? ((await mf.getKVNamespace("EDGE_KV")) as unknown as EdgeKvNamespace) : undefined;
    return { url, ...(kv === undefined ? {} : { kv }), stop: () => mf.dispose() };
  } catch (e) {
    await mf.dispose().catch(() => undefined);
    throw e;
  }
}

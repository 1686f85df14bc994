/**
 * Live verification's I/O: what the stack's state says each app serves (its outputs), where
 * visitors reach the edge, one request per probe, and the loop of rounds that
 * {@link advance} decides.
 */
import { readEdgeRecord } from "../../../edge/host/discovery";
import { ROUTE_REVISION_HEADER } from "../driver/edge-propagation";
import { GlidepathError } from "../errors";
import {
  advance,
  type DeployedApp,
  judgeProbe,
  type Observation,
  type Probe,
  probesOf,
  START,
  type VerifyPolicy,
  type VerifyState,
} from "./decide";

const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function ref(v: unknown): { version: string; digest: string } | null {
  const r = record(v);
  return typeof r.version === "string" && typeof r.digest === "string"
    ? { version: r.version, digest: r.digest }
    : null;
}

/**
 * The apps as the stack's newest update deployed them, from its outputs (`releases`, `weights`,
 * `routeRevisions`, `flags`), in app order.
 *
 * @param outputs - the stack's outputs
 */
export function deployedApps(outputs: Readonly<Record<string, { value: unknown }>>): DeployedApp[] {
  const releases = record(outputs.releases?.value);
  const weights = record(outputs.weights?.value);
  const revisions = record(outputs.routeRevisions?.value);
  const flags = record(outputs.flags?.value);
  return Object.keys(releases)
    .sort()
    .flatMap((app) => {
      const stable = ref(record(releases[app]).stable);
      if (stable === null) return [];
      const d: DeployedApp = {
        app,
        stable,
        canary: ref(record(releases[app]).canary),
        weight: typeof weights[app] === "number" ? (weights[app] as number) : 0,
        canaryEnabled: record(flags[app]).CanaryEnabled !== false,
      };
      return [typeof revisions[app] === "string" ? { ...d, revision: revisions[app] as string } : d];
    });
}

/**
 * Where visitors reach a stack's edge: `--url`, else the Cloudflare edge the config names when an
 * app is behind it, else the local edge's discovery record.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param cloudflareEdgeUrl - `glidepath:targets.cloudflare.edgeUrl` when an app is behind it @default - none
 * @param given - `--url` @default - none
 * @throws GlidepathError `GP_EDGE_NOT_RUNNING` (exit 2) when none is known
 */
export async function edgeUrlOf(
  projectDir: string,
  stack: string,
  cloudflareEdgeUrl?: string,
  given?: string,
): Promise<string> {
  if (given !== undefined) return given;
  if (cloudflareEdgeUrl !== undefined) return cloudflareEdgeUrl;
  const local = await readEdgeRecord(projectDir, stack);
  if (local !== undefined) return local.url;
  throw new GlidepathError(
    "GP_EDGE_NOT_RUNNING",
    `no edge serves stack "${stack}": no --url, no Cloudflare edge in its config, and no running local edge`,
    `start it with \`glidepath edge --stack ${stack}\`, or pass --url`,
  );
}

/**
 * One probe: `GET <edge>/<app>/` as the probe's visitor, without following redirects.
 *
 * @param edgeUrl - the edge
 * @param p - the probe
 * @param get - HTTP client @default globalThis.fetch
 */
export async function observe(edgeUrl: string, p: Probe, get: typeof fetch = fetch): Promise<Observation> {
  const base = edgeUrl.replace(/\/+$/, "");
  try {
    const res = await get(`${base}/${p.app}/`, {
      headers: { "x-glidepath-visitor": p.visitor },
      redirect: "manual",
      signal: AbortSignal.timeout(5000),
    });
    await res.body?.cancel().catch(() => undefined);
    return {
      status: res.status,
      release: res.headers.get("x-glidepath-release"),
      side: res.headers.get("x-glidepath-side"),
      revision: res.headers.get(ROUTE_REVISION_HEADER),
    };
  } catch (e) {
    return { status: null, release: null, side: null, revision: null, error: (e as Error).message };
  }
}

/** Options of {@link verifyEdge}. */
export interface VerifyEdgeOptions extends VerifyPolicy {
  edgeUrl: string;
  apps: readonly DeployedApp[];
  /** Time between rounds (ms). @default 1000 */
  intervalMs?: number;
  /** HTTP client. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Clock. @default Date.now */
  now?: () => number;
  /** Progress lines. @default - none */
  onRound?: (state: VerifyState) => void;
}

/** A run's outcome. */
export interface EdgeVerification {
  result: "PASS" | "FAIL";
  /** Consecutive good rounds at the end. */
  consecutive: number;
  rounds: number;
  /** Why it failed (one line). @default - it passed */
  message?: string;
  /** `<app>@<version>` of every release checked. */
  releases: string[];
}

/**
 * Probes every app round after round until {@link advance} decides.
 *
 * @param opts - the edge, the apps, the policy
 */
export async function verifyEdge(opts: VerifyEdgeOptions): Promise<EdgeVerification> {
  const now = opts.now ?? Date.now;
  const probes = opts.apps.flatMap(probesOf);
  const releases = [...new Set(probes.map((p) => p.release))].sort();
  const start = now();
  let state = START;
  for (;;) {
    const results = await Promise.all(
      probes.map(async (p) => judgeProbe(p, await observe(opts.edgeUrl, p, opts.fetch))),
    );
    const step = advance(state, results, now() - start, opts);
    state = step.state;
    opts.onRound?.(state);
    if (step.verdict.status === "PASS")
      return { result: "PASS", consecutive: state.consecutive, rounds: state.rounds, releases };
    if (step.verdict.status === "FAIL")
      return {
        result: "FAIL",
        consecutive: state.consecutive,
        rounds: state.rounds,
        message: step.verdict.message,
        releases,
      };
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 1000));
  }
}

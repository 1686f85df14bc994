/**
 * The SLO source a ramp samples, from its settings: an HTTP JSON endpoint, Prometheus's HTTP
 * API (the canary's version is the queries' `$release`), the Cloudflare edge Worker's
 * measurements (a stack with `glidepath:targets.cloudflare`), or the local
 * edge's measurements (`glidepath edge`, or the demo's edge), found through its discovery
 * record. A missing or foreign edge is refused up front instead of failing every sample.
 */
import { readEdgeRecord } from "../../../edge/host/discovery";
import { durationMs, type SloSettings } from "../../../infra/config";
import { GlidepathError } from "../errors";
import { edgeSloSource } from "../slo/edge-source";
import { httpSloSource } from "../slo/http-source";
import { prometheusSloSource } from "../slo/prometheus-source";
import type { SloSource } from "../slo/sample";

/** Per-sample timeout: the interval, capped at 10 s. */
export function sampleTimeoutMs(intervalMs: number): number {
  return Math.min(intervalMs, 10_000);
}

/** The stack a source is for. */
export interface SourceStack {
  /** Stack name. */
  stack: string;
  /** Project directory (where the edge's discovery record lives). */
  projectDir: string;
  /** Root of the stack's `local` target: the edge must serve this one. */
  localRoot: string;
  /** The canary's version (the Prometheus queries' `$release`). */
  version: string;
  /**
   * Where the stack's Cloudflare edge serves visitors (`glidepath:targets.cloudflare.edgeUrl`):
   * the `edge` source then samples that Worker instead of a local edge.
   * @default - none: the local edge
   */
  edgeUrl?: string;
}

/**
 * Builds the source.
 *
 * @param slo - `glidepath:rollout.slo` (or `--slo-url`)
 * @param intervalMs - the sampling interval (bounds each sample's timeout)
 * @param where - the stack, its project and target root, and the canary's version
 * @throws GlidepathError `GP_EDGE_NOT_RUNNING` (exit 2) when the edge source is asked and no edge serves the stack
 */
export async function sloSourceFor(
  slo: SloSettings,
  intervalMs: number,
  where: SourceStack,
): Promise<SloSource> {
  const timeoutMs = sampleTimeoutMs(intervalMs);
  if (slo.source === "http") return httpSloSource({ url: slo.url, timeoutMs });
  if (slo.source === "prometheus") {
    return prometheusSloSource({
      url: slo.url,
      release: where.version,
      ...(slo.query ? { queries: slo.query } : {}),
      maxAgeMs: durationMs(slo.maxAge),
      timeoutMs,
      intervalMs,
    });
  }
  if (where.edgeUrl !== undefined) return edgeSloSource({ baseUrl: where.edgeUrl, timeoutMs, intervalMs });
  const edge = await readEdgeRecord(where.projectDir, where.stack);
  if (edge === undefined || edge.root !== where.localRoot) {
    throw new GlidepathError(
      "GP_EDGE_NOT_RUNNING",
      edge === undefined
        ? `stack "${where.stack}" samples its SLO from the local edge, and no edge is running for it; nothing was deployed`
        : `the edge running for stack "${where.stack}" serves ${edge.root}, not this stack's target ${where.localRoot}; nothing was deployed`,
      `start it in another terminal with \`glidepath edge --stack ${where.stack}\` (or run \`glidepath demo\`), or pass --slo-url http://…/slo`,
    );
  }
  return edgeSloSource({ baseUrl: edge.url, timeoutMs, intervalMs });
}

/**
 * The SLO source a ramp samples, from its settings: an HTTP JSON endpoint, or the local
 * edge's metrics. The edge source reads the local edge host (`glidepath edge`), which is not
 * built yet: asking for it is refused up front instead of failing every sample.
 */
import { GlidepathError } from "../errors";
import { httpSloSource } from "../slo/http-source";
import type { SloSource } from "../slo/sample";

/** Per-sample timeout: the interval, capped at 10 s. */
export function sampleTimeoutMs(intervalMs: number): number {
  return Math.min(intervalMs, 10_000);
}

/**
 * Builds the source.
 *
 * @param slo - `glidepath:rollout.slo` (or `--slo-url`)
 * @param intervalMs - the sampling interval (bounds each sample's timeout)
 * @param stack - for the message
 * @throws GlidepathError `GP_SLO_SOURCE_UNAVAILABLE` (exit 2) for the edge source
 */
export function sloSourceFor(
  slo: { source: "edge" } | { source: "http"; url: string },
  intervalMs: number,
  stack: string,
): SloSource {
  if (slo.source === "http") return httpSloSource({ url: slo.url, timeoutMs: sampleTimeoutMs(intervalMs) });
  throw new GlidepathError(
    "GP_SLO_SOURCE_UNAVAILABLE",
    `stack "${stack}" samples its SLO from the local edge, which this version does not run yet; nothing was deployed`,
    `pass --slo-url http://…/slo (a JSON body with "score"), or set glidepath:rollout.slo to {"source":"http","url":…}`,
  );
}

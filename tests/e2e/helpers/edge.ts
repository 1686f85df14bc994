/**
 * The local edge under synthetic traffic, as the e2e files that ramp on it start it:
 * `glidepath edge --port 0` for a scratch project's `local` stack, found through its discovery
 * record, and 200 req/s over both apps' pages from 1000 visitors.
 */
import type { Background, ScratchProject } from "../../../bench/helpers/scratch-project";
import { type EdgeRecord, readEdgeRecord } from "../../../edge/host/discovery";
import { startTraffic, type Traffic } from "../../../edge/host/traffic";

/** The pages the traffic asks for, per app. */
export const EDGE_PAGES = {
  wix: ["", "about.html", "pricing.html", "site.css"],
  gamma: ["", "panel.css", "panel.js"],
};

/** The traffic's visitors (`v0` … `v999`). */
export const VISITORS = 1000;

/**
 * Polls `probe` every 200 ms until it gives a value.
 *
 * @param what - for the timeout's message
 * @param probe - undefined while not there yet
 * @param ms - bound @default 30000
 */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A running edge and its traffic. */
export interface EdgeUnderTraffic {
  edgeProc: Background;
  edge: EdgeRecord;
  traffic: Traffic;
}

/**
 * Starts the edge for the project's `local` stack (after its first `up`) and the traffic.
 *
 * @param p - the scratch project
 * @param maxDurationMs - the traffic stops by itself after this long @default 300000
 */
export async function startEdgeUnderTraffic(
  p: ScratchProject,
  maxDurationMs = 300_000,
): Promise<EdgeUnderTraffic> {
  const edgeProc = p.start(["edge", "--stack", "local", "--port", "0"]);
  const edge = await waitFor("the edge's discovery record", () => readEdgeRecord(p.dir, "local"));
  const traffic = startTraffic({
    baseUrl: new URL(edge.url),
    paths: EDGE_PAGES,
    ratePerSecond: 200,
    visitors: VISITORS,
    maxDurationMs,
  });
  return { edgeProc, edge, traffic };
}

/**
 * Live verification's decisions, pure: which visitors to probe for an app so that every release
 * its route serves is checked, whether one answer is the expected release, and, round after
 * round, whether the run passes (N consecutive good rounds), keeps waiting (the edge still
 * serves an older route) or fails (timeout, or N bad rounds in a row once the deployed identity
 * was served).
 */
import { bucketOf, pickSide, type Side } from "../../../edge/worker/bucket";

/** What the stack's state says an app serves (its stack outputs). */
export interface DeployedApp {
  app: string;
  stable: { version: string; digest: string };
  canary: { version: string; digest: string } | null;
  /** Canary weight 0–100. */
  weight: number;
  /** The app's `CanaryEnabled` flag. @default true */
  canaryEnabled?: boolean;
  /** The revision of the route the update wrote (`x-glidepath-route-revision`). @default - not checked (routes written before revisions) */
  revision?: string;
}

/** One request of a round: a visitor whose bucket lands on `side`, and what it must get. */
export interface Probe {
  app: string;
  visitor: string;
  side: Side;
  /** `<app>@<version>`, as the edge names it in `x-glidepath-release`. */
  release: string;
  revision?: string;
}

/** What the edge answered a probe. */
export interface Observation {
  /** HTTP status; null when the request failed. */
  status: number | null;
  release: string | null;
  side: string | null;
  revision: string | null;
  /** Why the request failed (network). @default - it did not */
  error?: string;
}

/** How a probe came out. */
export interface ProbeResult {
  /** HTTP 200 with the expected release, side and revision. */
  ok: boolean;
  /** The edge answered with the expected release identity (whatever the status). */
  identity: boolean;
  /** One line for people, e.g. `wix stable: HTTP 404 from wix@v3 (route 1a2b…)`. */
  detail: string;
}

/** Visitor keys tried when looking for one per side. */
const VISITOR_TRIES = 1000;

/**
 * The probes of an app: one visitor per side its route serves (the stable side, and the canary
 * while it is enabled with a weight above 0), so a check passes only when every release the
 * route sends visitors to answers. During a ramp that includes the previous release (the
 * route's stable side).
 *
 * @param d - the app as deployed
 */
export function probesOf(d: DeployedApp): Probe[] {
  const route = { app: d.app, stable: d.stable, canary: d.canary, weight: d.weight };
  const sides = new Map<Side, string>();
  for (let i = 0; i < VISITOR_TRIES && sides.size < 2; i++) {
    const visitor = `glidepath-verify-live-${i}`;
    const side = pickSide(route, bucketOf(d.app, visitor), d.canaryEnabled ?? true);
    if (!sides.has(side)) sides.set(side, visitor);
  }
  return (["stable", "canary"] as const).flatMap((side) => {
    const visitor = sides.get(side);
    const ref = side === "stable" ? d.stable : d.canary;
    if (visitor === undefined || ref === null) return [];
    const probe: Probe = { app: d.app, visitor, side, release: `${d.app}@${ref.version}` };
    return [d.revision === undefined ? probe : { ...probe, revision: d.revision }];
  });
}

/**
 * Judges one answer against its probe.
 *
 * @param p - the probe
 * @param o - what the edge answered
 */
export function judgeProbe(p: Probe, o: Observation): ProbeResult {
  const name = `${p.app} ${p.side}`;
  if (o.status === null)
    return { ok: false, identity: false, detail: `${name}: no answer (${o.error ?? "?"})` };
  const identity =
    o.release === p.release && o.side === p.side && (p.revision === undefined || o.revision === p.revision);
  const served = `${o.release ?? "no release"}${o.revision ? ` (route ${o.revision})` : ""}`;
  if (!identity)
    return {
      ok: false,
      identity,
      detail: `${name}: served ${served}, expected ${p.release}${p.revision ? ` (route ${p.revision})` : ""}`,
    };
  if (o.status !== 200) return { ok: false, identity, detail: `${name}: HTTP ${o.status} from ${served}` };
  return { ok: true, identity, detail: `${name}: HTTP 200 from ${served}` };
}

/** The policy of a run. */
export interface VerifyPolicy {
  /** Consecutive good rounds that make a PASS (also: bad rounds in a row, once the identity was served, that make a FAIL). */
  consecutive: number;
  /** The bound (ms) from the first round: no PASS by then is a FAIL. */
  timeoutMs: number;
}

/** Where a run stands. */
export interface VerifyState {
  rounds: number;
  /** Good rounds in a row so far. */
  consecutive: number;
  /** Bad rounds in a row since the identity was first served. */
  failuresInRow: number;
  /** Whether every probe has been answered by the expected release identity at least once. */
  identitySeen: boolean;
  /** The last round's details. */
  last: string[];
}

/** The state before the first round. */
export const START: VerifyState = {
  rounds: 0,
  consecutive: 0,
  failuresInRow: 0,
  identitySeen: false,
  last: [],
};

/** A run's outcome after a round. */
export type Verdict =
  | { status: "continue" }
  | { status: "PASS" }
  | { status: "FAIL"; reason: "stale" | "failing" | "timeout"; message: string };

/**
 * Folds one round into the state and decides.
 *
 * @param state - before the round
 * @param results - the round's probe results
 * @param elapsedMs - time since the first round started
 * @param policy - consecutive passes and the bound
 */
export function advance(
  state: VerifyState,
  results: readonly ProbeResult[],
  elapsedMs: number,
  policy: VerifyPolicy,
): { state: VerifyState; verdict: Verdict } {
  const ok = results.length > 0 && results.every((r) => r.ok);
  const identity = results.length > 0 && results.every((r) => r.identity);
  const identitySeen = state.identitySeen || identity;
  const next: VerifyState = {
    rounds: state.rounds + 1,
    consecutive: ok ? state.consecutive + 1 : 0,
    // Before the deployed identity is served the edge is still propagating: waiting, not failing.
    failuresInRow: ok ? 0 : identitySeen ? state.failuresInRow + 1 : 0,
    identitySeen,
    last: results.filter((r) => !r.ok).map((r) => r.detail),
  };
  if (next.consecutive >= policy.consecutive) return { state: next, verdict: { status: "PASS" } };
  const failing = next.last.join("; ");
  if (next.failuresInRow >= policy.consecutive)
    return {
      state: next,
      verdict: {
        status: "FAIL",
        reason: "failing",
        message: `${next.failuresInRow} checks in a row failed after the deployed releases were served: ${failing}`,
      },
    };
  if (elapsedMs >= policy.timeoutMs)
    return {
      state: next,
      verdict: identitySeen
        ? {
            status: "FAIL",
            reason: "timeout",
            message: `${next.consecutive} of ${policy.consecutive} consecutive checks passed within ${policy.timeoutMs} ms${failing ? `; last: ${failing}` : ""}`,
          }
        : {
            status: "FAIL",
            reason: "stale",
            message: `the edge did not serve the deployed releases within ${policy.timeoutMs} ms: ${failing}`,
          },
    };
  return { state: next, verdict: { status: "continue" } };
}

/**
 * `glidepath verify-live` as one run: verify what the edge serves against the stack's newest
 * update, record a `verify-live` audit entry, and on FAIL roll the stack back to its previous
 * green state in the same run (the one rollback of glidepath, `manualRollback`), record that,
 * and verify the rollback the same way.
 */
import { appendAudit, auditFile } from "../audit/log-file";
import type { StackContext } from "../context";
import { manualRollback } from "../driver/manual-rollback";
import { stackBundles } from "../gate/bundles";
import { buildId } from "../gate/verdict";
import { readHistory, successfulUpdates } from "../history";
import { loadStackConfig } from "../stack-config";
import { deployedApps, type EdgeVerification, edgeUrlOf, verifyEdge } from "./probe";

/** Options of {@link verifyLive}. */
export interface VerifyLiveOptions {
  /** Consecutive passing rounds that make a PASS. @default 3 */
  consecutive?: number;
  /** The bound (ms). @default 120000 */
  timeoutMs?: number;
  /** Time between rounds (ms). @default 1000 */
  intervalMs?: number;
  /** The edge's URL. @default - the Cloudflare edge of the config, else the running local edge */
  url?: string;
  /** Roll back on FAIL. @default true */
  rollBack?: boolean;
  /** Progress and engine output lines. @default - discarded */
  onOutput?: (line: string) => void;
}

/** One verification, as recorded. */
export interface LiveCheck extends EdgeVerification {
  buildId: string;
  /** The update whose outputs were verified. @default - none (no successful update) */
  updateVersion?: number;
}

/** What a run did. */
export interface VerifyLiveReport extends LiveCheck {
  stack: string;
  edgeUrl: string;
  rolledBack: boolean;
  /** The rollback after a FAIL and its own verification. @default - none (PASS, or no rollback asked) */
  rollback?: { to: number; message: string; verification: LiveCheck };
}

/** The newest successful update's number, if any. */
async function newestUpdate(ctx: Pick<StackContext, "stack">): Promise<number | undefined> {
  return successfulUpdates(await readHistory(ctx.stack))[0]?.version;
}

/**
 * Verifies the edge against the stack's newest update and records a `verify-live` entry.
 *
 * @param ctx - the opened stack
 * @param edgeUrl - the edge
 * @param opts - policy and output
 * @param rolledBack - whether the entry is the verification of a rollback this run made @default false
 */
export async function checkLive(
  ctx: StackContext,
  edgeUrl: string,
  opts: VerifyLiveOptions,
  rolledBack = false,
): Promise<LiveCheck> {
  const stack = ctx.stack.name;
  const apps = deployedApps(await ctx.stack.outputs());
  const seen = await verifyEdge({
    edgeUrl,
    apps,
    consecutive: opts.consecutive ?? 3,
    timeoutMs: opts.timeoutMs ?? 120_000,
    intervalMs: opts.intervalMs,
    onRound: (s) =>
      opts.onOutput?.(
        `verify-live: round ${s.rounds}: ${s.consecutive} consecutive${s.last.length > 0 ? `; ${s.last.join("; ")}` : ""}`,
      ),
  });
  const id = buildId(await stackBundles(ctx.projectDir, stack));
  const updateVersion = await newestUpdate(ctx);
  await appendAudit(auditFile(ctx.projectDir, stack), {
    kind: "verify-live",
    data: {
      stack,
      result: seen.result,
      buildId: id,
      releases: seen.releases,
      consecutive: seen.consecutive,
      rolledBack,
      ...(updateVersion === undefined ? {} : { updateVersion }),
    },
  });
  return { ...seen, buildId: id, ...(updateVersion === undefined ? {} : { updateVersion }) };
}

/**
 * The edge URL of an opened stack (see {@link edgeUrlOf}).
 *
 * @param ctx - the opened stack
 * @param given - `--url` @default - none
 */
export async function stackEdgeUrl(ctx: StackContext, given?: string): Promise<string> {
  const config = await loadStackConfig(ctx.stack);
  const remote = Object.values(config.apps).some((a) => a.target !== "local");
  return edgeUrlOf(
    ctx.projectDir,
    ctx.stack.name,
    remote ? config.targets.cloudflare?.edgeUrl : undefined,
    given,
  );
}

/**
 * Verifies live and, on FAIL, rolls back and verifies the rollback.
 *
 * @param ctx - the opened stack
 * @param opts - policy, edge, output
 */
export async function verifyLive(ctx: StackContext, opts: VerifyLiveOptions = {}): Promise<VerifyLiveReport> {
  const stack = ctx.stack.name;
  const edgeUrl = await stackEdgeUrl(ctx, opts.url);
  const first = await checkLive(ctx, edgeUrl, opts);
  const report: VerifyLiveReport = { ...first, stack, edgeUrl, rolledBack: false };
  if (first.result === "PASS" || opts.rollBack === false) return report;
  opts.onOutput?.(`verify-live FAIL: ${first.message ?? ""}; rolling back`);
  const done = await manualRollback(ctx, undefined, {
    onOutput: opts.onOutput,
    reason: `verify-live FAIL: ${first.message ?? ""}`,
    audit: true,
  });
  const verification = await checkLive(ctx, edgeUrl, opts, true);
  return {
    ...report,
    rolledBack: true,
    rollback: { to: done.restored.version, message: done.message, verification },
  };
}

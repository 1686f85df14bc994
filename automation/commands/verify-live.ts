/**
 * `glidepath verify-live --stack S [--consecutive N] [--timeout D] [--url U] [--json]`: wait
 * until the edge serves exactly the releases the stack's newest update deployed, then require N
 * consecutive passing smoke checks; on FAIL roll back to the previous green state in the same
 * run and verify that. Exit 0 on PASS, 1 when it failed and was rolled back (the stack is on its
 * previous green state), 3 when the rollback or its verification failed.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { durationMs } from "../../infra/config";
import { stackContext } from "../lib/context";
import { GlidepathError } from "../lib/errors";
import { type VerifyLiveReport, verifyLive } from "../lib/verify-live/run";
import { emit, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "verify-live";
export const describe = "verify the edge serves the deployed releases; roll back on failure (exit 1)";

export function builder(y: Argv) {
  return withStackOptions(y)
    .option("consecutive", {
      type: "number",
      default: 3,
      describe: "consecutive passing checks needed (also: failing checks in a row that fail the run)",
    })
    .option("timeout", {
      type: "string",
      default: "2m",
      describe: "bound of the whole verification, e.g. 90s",
    })
    .option("interval", { type: "string", default: "1s", describe: "time between checks" })
    .option("url", {
      type: "string",
      describe: "the edge (default: the Cloudflare edge, else the local edge)",
    })
    .option("rollback", {
      type: "boolean",
      default: true,
      describe: "roll back on failure (--no-rollback only reports)",
    });
}

const duration = z.string().refine((s) => {
  try {
    return durationMs(s) > 0;
  } catch {
    return false;
  }
}, "expected a duration such as 90s, 2m or 500ms");

const args = stackArgs.extend({
  consecutive: z.number().int().min(1).max(100),
  timeout: duration,
  interval: duration,
  url: z.url({ protocol: /^https?$/ }).optional(),
  rollback: z.boolean(),
});

/** The human rendering of a run. */
function render(r: VerifyLiveReport): string {
  const line = (c: {
    result: string;
    consecutive: number;
    rounds: number;
    message?: string;
    buildId: string;
  }) =>
    `${c.result} (build ${c.buildId}, ${c.consecutive} consecutive, ${c.rounds} rounds)${c.message ? `: ${c.message}` : ""}`;
  const out = [`verify-live ${r.stack} at ${r.edgeUrl}: ${line(r)}`, `releases: ${r.releases.join(", ")}`];
  if (r.rollback)
    out.push(`rolled back to update ${r.rollback.to}; its verification: ${line(r.rollback.verification)}`);
  return out.join("\n");
}

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await stackContext({
    stack: a.stack,
    projectDir: a.projectDir,
    progress: progressLine,
    changesStack: a.rollback,
  });
  const report = await verifyLive(ctx, {
    consecutive: a.consecutive,
    timeoutMs: durationMs(a.timeout),
    intervalMs: durationMs(a.interval),
    url: a.url,
    rollBack: a.rollback,
    onOutput: a.json ? undefined : progressLine,
  });
  emit(a.json, report, () => render(report));
  if (report.result === "PASS") return;
  if (report.rollback?.verification.result === "FAIL")
    throw new GlidepathError(
      "GP_NOT_CONVERGED",
      `stack "${a.stack}" was rolled back to update ${report.rollback.to}, but the edge does not serve it either: ${report.rollback.verification.message ?? ""}`,
      `check the edge (\`glidepath status --stack ${a.stack}\`), then \`glidepath verify-live --stack ${a.stack} --no-rollback\``,
    );
  throw new GlidepathError(
    "GP_VERIFY_LIVE_FAILED",
    `verify-live failed for stack "${a.stack}": ${report.message ?? ""}${report.rolledBack ? `; rolled back to update ${report.rollback?.to} and verified it` : ""}`,
    report.rolledBack
      ? "fix the release, then deploy it again; the stack serves its previous green state"
      : `roll back with \`glidepath rollback --stack ${a.stack}\`, or fix the edge and run verify-live again`,
  );
}

/**
 * `glidepath preflight --stack S [--json-output artifacts/orchestrator-summary.json]`: are
 * the secrets the stack's targets need present (names only, never values), is the config
 * valid, and what does the stack hold. Missing secrets: exit 1, each one listed.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { writeArtifact } from "../lib/artifacts";
import { preflightSummary, preflightSummarySchema } from "../lib/driver/preflight";
import { GlidepathError } from "../lib/errors";
import { emit, openForReport, parseArgs, stackArgs, withStackOptions } from "./common";

export const command = "preflight";
export const describe = "check required secrets (names only), validate config, summarize the stack";

export function builder(y: Argv) {
  return withStackOptions(y).option("json-output", {
    type: "string",
    describe: "also write the summary to this file",
  });
}

const args = stackArgs.extend({ jsonOutput: z.string().min(1).optional() });

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const { ctx, config, secretKeys } = await openForReport(a, preflightSummarySchema.shape.schema.value);
  const summary = preflightSummary(a.stack, config, process.env, secretKeys);
  if (a.jsonOutput) await writeArtifact(ctx.projectDir, a.jsonOutput, summary, { flag: "--json-output" });
  emit(a.json, summary, () =>
    [
      `preflight ${a.stack} (${summary.environment}): config valid`,
      ...Object.entries(summary.secrets).map(
        ([n, p]) =>
          `  ${p === "missing" ? "✗" : "✓"} ${n}${p === "missing" ? " missing" : ` (${p})`}, needed by the ${summary.neededBy[n]} target`,
      ),
      Object.keys(summary.secrets).length === 0 ? "  no secrets needed: every target is on this machine" : "",
      ...Object.entries(summary.inventory.apps).map(
        ([app, x]) =>
          `  ${app}: ${x.target}, stable ${x.stable ?? "-"}${x.canary ? `, canary ${x.canary} at ${x.weight}%` : ""}, ${x.flags} flag(s)`,
      ),
    ]
      .filter(Boolean)
      .join("\n"),
  );
  if (!summary.ok) {
    throw new GlidepathError(
      "GP_SECRETS_MISSING",
      `stack "${a.stack}" is missing ${summary.missing.length} secret(s): ${summary.missing.map((n) => `${n} (${summary.neededBy[n]} target)`).join(", ")}`,
      `export each one, or store it with \`pulumi config set --secret glidepath:<NAME> --stack ${a.stack}\``,
    );
  }
}

/**
 * The gate's baseline check and `baseline generate`, over the files: reads the baseline, its
 * acceptance and the allowed signers, counts the watched files, and judges with the pure
 * {@link compareBaseline} and {@link acceptanceProblem}.
 */
import * as path from "node:path";
import type { StackRelease } from "../gate/bundles";
import type { AllowedSigner } from "../signing/allowed-signers";
import { acceptanceProblem, acceptanceSchema } from "./accept";
import { compareBaseline, type DriftFinding, describeDrift } from "./compare";
import { acceptanceFile, baselineFile, readIfExists, watchedCounts } from "./files";
import {
  type Baseline,
  BaselineParseError,
  MIN_ABS_BYTES_DEFAULT,
  MIN_ABS_LINES_DEFAULT,
  parseBaseline,
  TOLERANCE_PCT_DEFAULT,
} from "./format";

/** What the baseline check concluded. */
export interface BaselineJudgment {
  ok: boolean;
  /** One line per problem or near miss (file, baseline value, new value). */
  lines: string[];
  /** The drift findings (empty when the baseline could not be judged). */
  findings: DriftFinding[];
}

/**
 * Judges a stack's bundles against its baseline: the baseline must exist, parse, be for this
 * stack and be covered by a signed acceptance of its exact bytes; no watched file may drift
 * beyond tolerance, disappear or appear.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param releases - the stack's releases ({@link stackParts})
 * @param signers - the allowed signers
 */
export async function judgeBaseline(
  projectDir: string,
  stack: string,
  releases: readonly StackRelease[],
  signers: readonly AllowedSigner[],
): Promise<BaselineJudgment> {
  const file = baselineFile(projectDir, stack);
  const shown = path.relative(projectDir, file);
  const bytes = await readIfExists(file);
  if (bytes === undefined)
    return {
      ok: false,
      findings: [],
      lines: [
        `${shown} does not exist: run \`glidepath baseline generate --stack ${stack}\` on the golden release, then \`glidepath baseline accept --stack ${stack}\``,
      ],
    };
  let baseline: Baseline;
  try {
    baseline = parseBaseline(bytes.toString("utf8"));
  } catch (e) {
    if (!(e instanceof BaselineParseError)) throw e;
    return { ok: false, findings: [], lines: [`${shown}: ${e.message}`] };
  }
  const lines: string[] = [];
  if (baseline.stack !== stack) lines.push(`${shown}: STACK=${baseline.stack}, not ${stack}`);
  const acceptText = await readIfExists(acceptanceFile(projectDir, stack));
  if (acceptText === undefined)
    lines.push(
      `${shown} is not accepted (no ${path.basename(acceptanceFile(projectDir, stack))}): run \`glidepath baseline accept --stack ${stack} --key FILE\``,
    );
  else {
    let problem: string | undefined;
    try {
      const parsed = acceptanceSchema.safeParse(JSON.parse(acceptText.toString("utf8")));
      problem = parsed.success
        ? acceptanceProblem(parsed.data, stack, bytes, signers)
        : `the acceptance does not parse: ${parsed.error.issues[0]?.message}`;
    } catch {
      problem = "the acceptance is not JSON";
    }
    if (problem !== undefined)
      lines.push(
        `${shown} is not accepted: ${problem}; review it, then run \`glidepath baseline accept --stack ${stack} --key FILE\``,
      );
  }
  const drift = compareBaseline(baseline, await watchedCounts(releases));
  for (const f of drift.findings) lines.push(`${f.kind === "near" ? "warning: " : ""}${describeDrift(f)}`);
  return { ok: lines.every((l) => l.startsWith("warning: ")), lines, findings: drift.findings };
}

/**
 * A new baseline of the stack's bundles as they are now, with the default tolerances or those of
 * the baseline it replaces.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param releases - the stack's releases
 */
export async function generateBaseline(
  projectDir: string,
  stack: string,
  releases: readonly StackRelease[],
): Promise<Baseline> {
  let previous: Baseline | undefined;
  const old = await readIfExists(baselineFile(projectDir, stack));
  try {
    previous = old === undefined ? undefined : parseBaseline(old.toString("utf8"));
  } catch {
    previous = undefined;
  }
  return {
    stack,
    tolerancePct: previous?.tolerancePct ?? TOLERANCE_PCT_DEFAULT,
    minAbsLines: previous?.minAbsLines ?? MIN_ABS_LINES_DEFAULT,
    minAbsBytes: previous?.minAbsBytes ?? MIN_ABS_BYTES_DEFAULT,
    files: await watchedCounts(releases),
  };
}

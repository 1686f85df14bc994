/**
 * Production admission: before any update of a production stack (`up`, `rollout`), the newest
 * gate verdict must be a PASS for exactly the bundles and the policy of now, younger than its
 * TTL. {@link judgeAdmission} is the pure rule; {@link admitProduction} reads the verdict file.
 * Other admission requirements compose by calling their own function after this one.
 */
import * as fs from "node:fs/promises";
import { ExitCode, GlidepathError } from "../errors";
import { type GateVerdict, gateVerdictFile, gateVerdictSchema, verdictDigest } from "./verdict";

/** What admission compares the verdict with. */
export interface AdmissionInput {
  /** The stack. */
  stack: string;
  /** The stack's bundles now ({@link stackBundles}). */
  bundles: Readonly<Record<string, string>>;
  /** The policy digest now ({@link currentPolicyDigest}). */
  policyDigest: string;
  /** Now. */
  now: Date;
}

/** A verdict file as read: absent, unreadable (with why), or a verdict. */
export type ReadVerdict =
  | { kind: "absent" }
  | { kind: "unreadable"; why: string }
  | { kind: "verdict"; verdict: GateVerdict };

/** The differences between two bundle maps, in words (`wix@v2 changed`, `gamma@v3 added`). */
export function bundleDifferences(
  passed: Readonly<Record<string, string>>,
  now: Readonly<Record<string, string>>,
): string[] {
  const keys = [...new Set([...Object.keys(passed), ...Object.keys(now)])].sort();
  return keys.flatMap((k) => {
    const a = passed[k];
    const b = now[k];
    if (a === b) return [];
    if (a === undefined) return [`${k} is new (not judged by the gate)`];
    if (b === undefined) return [`${k} is gone`];
    return [`${k} changed (gate passed ${a.slice(0, 12)}…, now ${b.slice(0, 12)}…)`];
  });
}

/**
 * The admission rule (pure): the refusal, or undefined when the verdict admits.
 *
 * @param read - the verdict file as read
 * @param input - the stack, its bundles and policy now, and now
 */
export function judgeAdmission(read: ReadVerdict, input: AdmissionInput): GlidepathError | undefined {
  const { stack } = input;
  const rerun = `run \`glidepath gate --stack ${stack}\` and deploy once it passes`;
  const bad = (code: ConstructorParameters<typeof GlidepathError>[0], message: string, fix = rerun) =>
    new GlidepathError(
      code,
      `production stack "${stack}": ${message}; nothing was changed`,
      fix,
      ExitCode.badInput,
    );
  if (read.kind === "absent") return bad("GP_GATE_MISSING", "no deploy-gate verdict");
  if (read.kind === "unreadable")
    return bad("GP_GATE_MISSING", `the gate verdict cannot be read (${read.why})`);
  const v = read.verdict;
  if (v.stack !== stack) return bad("GP_GATE_MISSING", `the gate verdict is for stack "${v.stack}"`);
  if (v.result !== "PASS") {
    const failed = v.checks.filter((c) => c.status === "FAIL").map((c) => `${c.id}: ${c.detail}`);
    return bad(
      "GP_GATE_FAILED",
      `the newest gate verdict (${v.time}) is FAIL: ${failed.join("; ")}`,
      `fix what the failed checks name, then run \`glidepath gate --stack ${stack}\``,
    );
  }
  const diff = bundleDifferences(v.bundles, input.bundles);
  if (diff.length > 0)
    return bad(
      "GP_GATE_BUNDLE_CHANGED",
      `the bundles differ from those the gate passed at ${v.time}: ${diff.join(", ")}`,
    );
  if (v.policyDigest !== input.policyDigest)
    return bad(
      "GP_GATE_POLICY_CHANGED",
      `the gate's policy (glidepath:gate and the baseline deploy_baseline.env) changed since the PASS at ${v.time} (passed ${v.policyDigest.slice(0, 12)}…, now ${input.policyDigest.slice(0, 12)}…)`,
    );
  const age = (input.now.getTime() - Date.parse(v.time)) / 1000;
  if (age > v.ttlSeconds || age < -300)
    return bad(
      "GP_GATE_STALE",
      `the gate's PASS of ${v.time} is ${Math.round(age)}s old, older than its TTL of ${v.ttlSeconds}s (glidepath:gate.ttlSeconds)`,
    );
  return undefined;
}

/**
 * Reads a verdict file.
 *
 * @param file - the file
 */
export async function readVerdict(file: string): Promise<ReadVerdict> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { kind: "absent" };
    return { kind: "unreadable", why: (e as NodeJS.ErrnoException).code ?? "error" };
  }
  try {
    const parsed = gateVerdictSchema.safeParse(JSON.parse(text));
    return parsed.success
      ? { kind: "verdict", verdict: parsed.data }
      : {
          kind: "unreadable",
          why: `${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`,
        };
  } catch {
    return { kind: "unreadable", why: "not JSON" };
  }
}

/** Options of {@link admitProduction}. */
export interface AdmitOptions extends AdmissionInput {
  /** The project directory. */
  projectDir: string;
}

/**
 * Admits a production update, or refuses it before anything changes.
 *
 * @param opts - project, stack, bundles and policy now, now
 * @returns the admitting verdict and its digest
 * @throws GlidepathError `GP_GATE_MISSING` / `GP_GATE_FAILED` / `GP_GATE_BUNDLE_CHANGED` /
 *   `GP_GATE_POLICY_CHANGED` / `GP_GATE_STALE` (exit 2) naming what differs and the remedy
 */
export async function admitProduction(opts: AdmitOptions): Promise<{ verdict: GateVerdict; digest: string }> {
  const read = await readVerdict(gateVerdictFile(opts.projectDir, opts.stack));
  const refusal = judgeAdmission(read, opts);
  if (refusal !== undefined) throw refusal;
  const verdict = (read as { verdict: GateVerdict }).verdict;
  return { verdict, digest: verdictDigest(verdict) };
}

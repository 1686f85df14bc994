/**
 * One run of the deploy gate: builds the checks' context, runs every check of
 * {@link GATE_CHECKS}, and writes the verdict (atomically) and its `gate` audit entry. The
 * verdict is bound to the bundles and the policy digest of the run.
 */
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { GATE_TTL_DEFAULT, gateConfigSchema } from "../../../infra/gate-config";
import { writeFileAtomic } from "../atomic-write";
import { appendAudit, auditFile } from "../audit/log-file";
import { isGlidepathError } from "../errors";
import { ALLOWED_SIGNERS_FILE, loadAllowedSigners } from "../signing/keys";
import { loadStackConfigWithSecrets } from "../stack-config";
import { stackParts } from "./bundles";
import type { GateContext } from "./checks/context";
import { GATE_CHECKS } from "./checks/index";
import { currentPolicyDigest } from "./policy";
import { gateBundles, gateReleases, type PlannedCanary } from "./production";
import { buildId, type GateCheckResult, type GateVerdict, gateVerdictFile, verdictDigest } from "./verdict";

/** What a gate run produced. */
export interface GateRun {
  verdict: GateVerdict;
  verdictDigest: string;
  buildId: string;
  /** Where the verdict was written. */
  file: string;
}

/** Options of {@link runGate}. */
export interface RunGateOptions {
  projectDir: string;
  stack: Stack;
  /** The ramp the verdict is for (its canaries are judged too). @default - the stack file's releases */
  canary?: PlannedCanary;
  /** Each check as it finishes. @default - nothing */
  onCheck?: (r: GateCheckResult) => void;
  /** Now. @default - the current time */
  now?: () => Date;
  /** The environment. @default - `process.env` */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs the gate on a stack and records its verdict.
 *
 * @param opts - project, stack, ramp, output, clock, environment
 */
export async function runGate(opts: RunGateOptions): Promise<GateRun> {
  const { projectDir, stack } = opts;
  const now = opts.now ?? (() => new Date());
  let config: GateContext["config"];
  try {
    const loaded = await loadStackConfigWithSecrets(stack);
    config = { ok: true, config: loaded.config, secretKeys: loaded.secretKeys };
  } catch (e) {
    if (!isGlidepathError(e)) throw e;
    config = { ok: false, error: `${e.code}: ${e.message}` };
  }
  const gate = config.ok ? config.config.gate : gateConfigSchema.parse({});
  const { modules } = await stackParts(projectDir, stack.name);
  const releases = await gateReleases(projectDir, stack.name, opts.canary);
  const bundles = await gateBundles(projectDir, stack.name, opts.canary).catch(
    () => ({}) as Record<string, string>,
  );
  const { signers } = await loadAllowedSigners(path.join(projectDir, ALLOWED_SIGNERS_FILE));
  const ctx: GateContext = {
    projectDir,
    stack,
    config,
    releases,
    modules,
    bundles,
    signers,
    env: opts.env ?? process.env,
  };
  const checks: GateCheckResult[] = [];
  const evidence: Record<string, string> = {};
  for (const check of GATE_CHECKS) {
    const out = await check.run(ctx).catch((e: unknown) => ({
      status: "FAIL" as const,
      detail: `the check failed to run: ${e instanceof Error ? e.message : String(e)}`,
      evidence: undefined,
    }));
    const r: GateCheckResult = { id: check.id, title: check.title, status: out.status, detail: out.detail };
    Object.assign(evidence, out.evidence ?? {});
    checks.push(r);
    opts.onCheck?.(r);
  }
  const verdict: GateVerdict = {
    schema: "glidepath.gate-verdict/v1",
    stack: stack.name,
    result: checks.every((c) => c.status === "PASS") ? "PASS" : "FAIL",
    time: now().toISOString(),
    ttlSeconds: gate.ttlSeconds ?? GATE_TTL_DEFAULT,
    bundles,
    policyDigest: await currentPolicyDigest(projectDir, stack.name, gate),
    evidence,
    checks,
  };
  const file = gateVerdictFile(projectDir, stack.name);
  await writeFileAtomic(file, `${JSON.stringify(verdict, null, 2)}\n`);
  const digest = verdictDigest(verdict);
  const id = buildId(bundles);
  await appendAudit(auditFile(projectDir, stack.name), {
    kind: "gate",
    data: {
      stack: stack.name,
      result: verdict.result,
      verdictDigest: digest,
      policyDigest: verdict.policyDigest,
      bundles,
      buildId: id,
    },
  });
  return { verdict, verdictDigest: digest, buildId: id, file };
}

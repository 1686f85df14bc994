/**
 * Reading what an approval is judged against, from the files every checker shares: the approval
 * (beside the stack's gate verdict, or `$GLIDEPATH_APPROVAL_FILE`), the verdict, the committed
 * allowed signers and the nonces the audit log records as consumed. Synchronous, so the Pulumi
 * program can judge before it declares a single resource; the driver and the policy pack read
 * the same way.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { auditFile } from "../audit/log-file";
import { type GateVerdict, gateVerdictFile, gateVerdictSchema } from "../gate/verdict";
import { goldenDir, parseGoldenRecord } from "../golden/record-file";
import { trustedEntries } from "../golden/records";
import { type AllowedSigner, parseAllowedSigners } from "../signing/allowed-signers";
import { ALLOWED_SIGNERS_FILE } from "../signing/keys";
import { consumedNonces } from "./consumed";
import { GOLDEN_RESTORE_ENV, type GoldenRestoreInput } from "./golden-restore";
import { APPROVAL_FILE, type JudgeInput } from "./payload";

/** The environment variable that points every checker at another approval file. */
export const APPROVAL_FILE_ENV = "GLIDEPATH_APPROVAL_FILE";

/**
 * Where a stack's approval lives: beside its gate verdict (`<audit dir>/approval.json`).
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param env - the environment @default - `process.env`
 */
export function approvalFile(
  projectDir: string,
  stack: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const given = env[APPROVAL_FILE_ENV];
  if (given !== undefined && given !== "") return path.resolve(projectDir, given);
  return path.join(path.dirname(gateVerdictFile(projectDir, stack, env.PULUMI_BACKEND_URL)), APPROVAL_FILE);
}

function readIfAny(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

/** A file's JSON; a file that is not JSON reads as its text (which no schema accepts). */
function readJson(file: string): unknown {
  const bytes = readIfAny(file);
  if (bytes === undefined) return undefined;
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch {
    return bytes.toString("utf8");
  }
}

/**
 * The stack's current gate verdict, if there is one that reads as a verdict.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param env - the environment @default - `process.env`
 */
export function readVerdict(
  projectDir: string,
  stack: string,
  env: NodeJS.ProcessEnv = process.env,
): GateVerdict | undefined {
  const parsed = gateVerdictSchema.safeParse(
    readJson(gateVerdictFile(projectDir, stack, env.PULUMI_BACKEND_URL)),
  );
  return parsed.success ? parsed.data : undefined;
}

/**
 * Everything but the deployed bundles and the time that {@link JudgeInput} needs.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param env - the environment @default - `process.env`
 * @throws GlidepathError `GP_SIGNERS_INVALID` for an allowed-signers file that does not parse
 */
export function readApprovalInputs(
  projectDir: string,
  stack: string,
  env: NodeJS.ProcessEnv = process.env,
): Omit<JudgeInput, "bundles" | "now"> {
  const file = approvalFile(projectDir, stack, env);
  const signersFile = path.join(projectDir, ALLOWED_SIGNERS_FILE);
  const signersText = readIfAny(signersFile);
  const signers: AllowedSigner[] =
    signersText === undefined ? [] : parseAllowedSigners(signersText.toString("utf8"), signersFile);
  const log = readIfAny(auditFile(projectDir, stack, env.PULUMI_BACKEND_URL));
  return {
    approval: readJson(file),
    file,
    stack,
    verdict: readVerdict(projectDir, stack, env),
    signers,
    consumed: log === undefined ? new Set() : consumedNonces(log, stack),
  };
}

/**
 * Whether a stack is production: its stack file says `glidepath:environment: production`.
 * Read from the file (no CLI call), as the program reads it through the engine.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 */
export function isProductionStack(projectDir: string, stack: string): boolean {
  const text = readIfAny(path.join(projectDir, `Pulumi.${stack}.yaml`));
  if (text === undefined) return false;
  const doc = (parse(text.toString("utf8")) ?? {}) as { config?: Record<string, unknown> };
  return doc.config?.["glidepath:environment"] === "production";
}

/**
 * The golden restore an update is for (`$GLIDEPATH_GOLDEN_RESTORE` names its tag), read for
 * {@link judgeGoldenRestore}: the verified audit log and the tag's recorded bundles.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param env - the environment @default - `process.env`
 * @returns undefined when the update restores no golden tag
 */
export function readGoldenRestore(
  projectDir: string,
  stack: string,
  env: NodeJS.ProcessEnv = process.env,
): Omit<GoldenRestoreInput, "bundles"> | undefined {
  const tag = env[GOLDEN_RESTORE_ENV];
  if (tag === undefined || tag === "") return undefined;
  const bytes = readIfAny(auditFile(projectDir, stack, env.PULUMI_BACKEND_URL)) ?? Buffer.alloc(0);
  const text = readIfAny(
    path.join(goldenDir(projectDir, stack, env.PULUMI_BACKEND_URL), `${path.basename(tag)}.json`),
  );
  const record = text === undefined ? undefined : parseGoldenRecord(text.toString("utf8"), stack, tag);
  return {
    stack,
    tag,
    log: trustedEntries(bytes),
    recordBundles: record !== undefined && "record" in record ? record.record.bundles : undefined,
  };
}

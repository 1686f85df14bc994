/**
 * `glidepath baseline generate|accept --stack S`: the stack's deploy baseline
 * (`baselines/<stack>/deploy_baseline.env`). `generate` writes it from the releases under
 * judgment as they are now (run it on the golden release); `accept` signs its exact bytes with
 * the release manager's key (SSHSIG, namespace `glidepath-baseline`) into
 * `deploy_baseline.accept.json`. The gate fails on a baseline without a valid acceptance.
 */
import * as path from "node:path";
import type { Argv } from "yargs";
import { z } from "zod";
import { writeFileAtomic } from "../lib/atomic-write";
import { BASELINE_NAMESPACE, signAcceptance } from "../lib/baseline/accept";
import { acceptanceFile, baselineFile, readIfExists } from "../lib/baseline/files";
import { formatBaseline } from "../lib/baseline/format";
import { generateBaseline } from "../lib/baseline/judge";
import { GlidepathError } from "../lib/errors";
import { stackParts } from "../lib/gate/bundles";
import { findSigner } from "../lib/signing/allowed-signers";
import { ALLOWED_SIGNERS_FILE, loadAllowedSigners, loadSigningKey } from "../lib/signing/keys";
import { ed25519Blob, fingerprintOf } from "../lib/signing/ssh-wire";
import { emit, openProjectOf, parseArgs, stackArgs, withStackOptions } from "./common";

export const command = "baseline <action>";
export const describe = "write the stack's deploy baseline from its releases (generate), or sign it (accept)";

export function builder(y: Argv) {
  return withStackOptions(y)
    .positional("action", { type: "string", choices: ["generate", "accept"] })
    .option("key", {
      type: "string",
      describe: "accept: PEM Ed25519 private key (default: $GLIDEPATH_SIGNING_KEY_FILE)",
    })
    .option("principal", {
      type: "string",
      describe: "accept: who signs (default: the principal the allowed signers list for the key)",
    });
}

const args = stackArgs.extend({
  action: z.enum(["generate", "accept"], { error: "expected generate or accept" }),
  key: z.string().min(1).optional(),
  principal: z
    .string()
    .regex(/^[^\s,"*?]+$/, { error: "expected a principal without spaces, commas, quotes or wildcards" })
    .optional(),
});

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const projectDir = await openProjectOf(a);
  const file = baselineFile(projectDir, a.stack);
  if (a.action === "generate") {
    const { releases } = await stackParts(projectDir, a.stack);
    if (releases.length === 0)
      throw new GlidepathError(
        "GP_CONFIG_INVALID",
        `stack "${a.stack}" has no releases in Pulumi.${a.stack}.yaml (glidepath:releases); nothing was written`,
        "configure the stack's releases first",
      );
    const b = await generateBaseline(projectDir, a.stack, releases);
    await writeFileAtomic(file, formatBaseline(b));
    const n = Object.keys(b.files).length;
    emit(
      a.json,
      {
        stack: a.stack,
        file,
        files: n,
        tolerancePct: b.tolerancePct,
        minAbsLines: b.minAbsLines,
        minAbsBytes: b.minAbsBytes,
      },
      () =>
        `${file}: ${n} watched files (tolerance ${b.tolerancePct}%, at least ${b.minAbsLines} lines / ${b.minAbsBytes} bytes); review it, then \`glidepath baseline accept --stack ${a.stack}\``,
    );
    return;
  }
  const bytes = await readIfExists(file);
  if (bytes === undefined)
    throw new GlidepathError(
      "GP_BASELINE_INVALID",
      `${file} does not exist; nothing was signed`,
      `run \`glidepath baseline generate --stack ${a.stack}\` first`,
    );
  const key = await loadSigningKey(a.key);
  const signersFile = path.join(projectDir, ALLOWED_SIGNERS_FILE);
  const { signers } = await loadAllowedSigners(signersFile);
  const fingerprint = fingerprintOf(ed25519Blob(key));
  const principal =
    a.principal ??
    signers
      .filter((s) => s.fingerprint === fingerprint)
      .flatMap((s) => s.principals)
      .find((p) => !/[*?]/.test(p));
  const verdict =
    principal === undefined
      ? { status: "unlisted" as const, reason: `key ${fingerprint} is not listed` }
      : findSigner(signers, { fingerprint, principal, namespace: BASELINE_NAMESPACE, at: new Date() });
  if (verdict.status !== "ok" || principal === undefined)
    throw new GlidepathError(
      "GP_SIGNING_KEY_INVALID",
      `${signersFile}: ${verdict.status === "ok" ? "no principal" : verdict.reason}; nothing was signed`,
      `list the key for namespace ${BASELINE_NAMESPACE} in ${ALLOWED_SIGNERS_FILE} through review (\`glidepath audit signer\` prints its line), or sign with a listed key`,
    );
  const acceptance = signAcceptance(a.stack, bytes, principal, key);
  const out = acceptanceFile(projectDir, a.stack);
  await writeFileAtomic(out, `${JSON.stringify(acceptance, null, 2)}\n`);
  emit(
    a.json,
    { stack: a.stack, file: out, sha256: acceptance.sha256, signer: principal, fingerprint },
    () =>
      `${out}: ${path.basename(file)} (sha256 ${acceptance.sha256.slice(0, 12)}…) accepted by ${principal} (${fingerprint})`,
  );
}

/**
 * User-facing errors: a stable code, what went wrong, and the fix. The CLI prints
 * `error[CODE]: message` then `fix: remedy`, and exits with {@link GlidepathError.exitCode}.
 */

/**
 * Exit codes of every glidepath command. A script (or a pager) tells the outcomes apart by
 * these alone: 1 means the operation failed and the stack is on a green state (a rollout that
 * was rolled back); 3 means a rollback did not finish and a canary may still be live (wake
 * someone); 4 means glidepath itself failed unexpectedly.
 */
export const ExitCode = {
  /** Success. */
  ok: 0,
  /** The operation failed and nothing is left half-done: a failed gate (or an aborted ramp) was rolled back to the last green state, or an update failed before any canary was live. */
  failed: 1,
  /** Bad input: arguments, configuration or the stack's state refuse the command; nothing was changed. */
  badInput: 2,
  /** A rollback failed: the stack is not on its last green state and a canary may still be live. */
  rollbackFailed: 3,
  /** An internal error of glidepath (a bug): report it. */
  internal: 4,
  /** Interrupted by SIGINT; a live canary was rolled back first. */
  sigint: 130,
  /** Interrupted by SIGTERM; a live canary was rolled back first. */
  sigterm: 143,
} as const;

/** Stable error codes; tests and runbooks refer to these. */
export type ErrorCode =
  | "GP_ARG_INVALID"
  | "GP_CONFIG_INVALID"
  | "GP_PASSPHRASE_MISSING"
  | "GP_TOOLCHAIN_MISSING"
  | "GP_TOOLCHAIN_BUILD_FAILED"
  | "GP_NODE_TOO_OLD"
  | "GP_STACK_NOT_FOUND"
  | "GP_HISTORY_NO_MATCH"
  | "GP_UPDATE_FAILED"
  | "GP_NOT_CONVERGED"
  | "GP_CONFIG_RESTORE_FAILED"
  | "GP_STACK_LOCKED"
  | "GP_BACKEND_UNSUPPORTED"
  | "GP_BACKEND_UNREACHABLE"
  | "GP_CREDENTIAL_SCOPE"
  | "GP_TARGET_UNREACHABLE"
  /** A target answered that the request itself is wrong (malformed, too large); nothing of that request was applied. */
  | "GP_TARGET_REFUSED"
  | "GP_RAMP_CONFLICT"
  | "GP_NO_GREEN_STATE"
  | "GP_EDGE_NOT_RUNNING"
  | "GP_EDGE_RUNNING"
  | "GP_EDGE_START_FAILED"
  | "GP_DEMO_FAILED"
  | "GP_SECRETS_MISSING"
  /**
   * A gate failed: the SLO gate of a ramp step (exit 1, the ramp was rolled back), or, on
   * production admission, the newest deploy-gate verdict is a FAIL (exit 2, nothing changed).
   */
  | "GP_GATE_FAILED"
  | "GP_ROLLBACK_FAILED"
  | "GP_RAMP_ABORTED"
  | "GP_ROLLOUT_HELD"
  | "GP_CLOSING_PENDING"
  | "GP_INTERRUPTED"
  /** A WASM deliverable is not compliant (`glidepath wasm`); the reason codes say why. */
  | "GP_WASM_NON_COMPLIANT"
  /** `glidepath smoke`: a probe failed (a deliverable the edge runtimes cannot load or call, a sha mismatch, a timeout, or a runtime missing in CI); exit 1, the report says which. */
  | "GP_SMOKE_FAILED"
  /** `glidepath smoke`: the stack records no packaged WASM deliverable (never deployed, or none configured); exit 2, nothing probed. */
  | "GP_SMOKE_NO_DELIVERABLES"
  /** `audit verify` found the audit log altered, cut, reordered or signed by an unlisted key (exit 1). */
  | "GP_AUDIT_INVALID"
  /** The audit log cannot take an entry as it is (a torn last line, an unreadable head): run `audit verify` / `audit repair`. */
  | "GP_AUDIT_UNWRITABLE"
  /** `audit repair` refused: the log has no torn last line, or it has other findings. */
  | "GP_AUDIT_REPAIR_REFUSED"
  /** Another process held the audit log's lock for too long. */
  | "GP_AUDIT_LOCKED"
  /** The guardrail records shared through a PostgreSQL backend could not be read or written (exit 1; nothing was recorded by that step). */
  | "GP_AUDIT_SHARED_FAILED"
  /** The allowed-signers file cannot be read as OpenSSH `allowed_signers` lines. */
  | "GP_SIGNERS_INVALID"
  /** The signing key is missing, unreadable or not an Ed25519 private key. */
  | "GP_SIGNING_KEY_INVALID"
  /** A production update without an approval file (`glidepath approve` makes one); nothing was changed. */
  | "GP_APPROVAL_MISSING"
  /** The approval does not read as one, or its signature does not verify over its payload. */
  | "GP_APPROVAL_INVALID"
  /** The approval's key is not listed in the allowed signers for its principal and the `glidepath-deploy` namespace. */
  | "GP_APPROVAL_UNLISTED_SIGNER"
  /** The approval's signature was made for another namespace than `glidepath-deploy` (a git or audit signature). */
  | "GP_APPROVAL_NAMESPACE"
  /** The approval names another stack, gate verdict or bundle digests than the ones being deployed. */
  | "GP_APPROVAL_DIGEST_MISMATCH"
  /** The approval's nonce was already consumed by a production update: each approval admits one. */
  | "GP_APPROVAL_REUSED"
  /** The approval is past its expiry, or its key was not valid when it was made. */
  | "GP_APPROVAL_EXPIRED"
  /** Production admission: no gate verdict for the stack; run `glidepath gate --stack S` (exit 2). */
  | "GP_GATE_MISSING"
  /** Production admission: the newest gate verdict is older than its TTL (exit 2). */
  | "GP_GATE_STALE"
  /** Production admission: a bundle differs from the bytes the gate passed (changed, added or removed; exit 2). */
  | "GP_GATE_BUNDLE_CHANGED"
  /** Production admission: the gate's config or the baseline changed since the verdict (exit 2). */
  | "GP_GATE_POLICY_CHANGED"
  /** The baseline file (`deploy_baseline.env`) or its acceptance cannot be read, or the acceptance key is not listed (exit 2). */
  | "GP_BASELINE_INVALID"
  /** Evidence was asked to compare against a baseline taken under another fingerprint (browser build or viewport): refused, not compared (exit 2). */
  | "GP_EVIDENCE_FINGERPRINT_MISMATCH"
  /** A shot differs from the baseline's by more than the threshold, or one side lacks a shot (exit 1). */
  | "GP_EVIDENCE_DRIFT"
  /** No evidence manifest for that build (not captured yet, or another stack's id) (exit 2). */
  | "GP_EVIDENCE_MISSING"
  /** An evidence manifest does not validate, or a shot's file is missing or does not match its SHA-256 (exit 1). */
  | "GP_EVIDENCE_INVALID"
  /** The edge serves a release that is not in the build whose evidence was asked for (the config is not deployed, or another edge) (exit 2). */
  | "GP_EVIDENCE_BUILD_MISMATCH"
  /**
   * `verify-live` did not see the edge serve the deployed releases, or their smoke checks failed,
   * within the bound; the same run rolled the stack back to its previous green state and
   * verified that (exit 1: the stack is on a green state).
   */
  | "GP_VERIFY_LIVE_FAILED"
  /** `golden create` refused: the stack's current build has no verify-live PASS after its last deploy (or its deploy failed). */
  | "GP_GOLDEN_UNVERIFIED"
  /** A golden tag that was never created for this stack (or `last-good` with no golden tag left). */
  | "GP_GOLDEN_UNKNOWN"
  /** A golden tag that was quarantined (revoked): it is not rolled back to and not quarantined twice. */
  | "GP_GOLDEN_QUARANTINED"
  /** A golden tag's config is incompatible with the stack's config today (targets, ids, apps, secrets); the message lists the fields. */
  | "GP_GOLDEN_INCOMPATIBLE"
  /** A golden tag's archive or record is missing, or no longer has the digest recorded when it was created. */
  | "GP_GOLDEN_CORRUPT"
  /** `golden create` needs the project to be a git work tree (the tag is an annotated git tag). */
  | "GP_GOLDEN_NO_GIT"
  /**
   * `did init` refused: the `--output` file already holds another DID, or something that is not
   * a DID bootstrap payload (exit 2; a bootstrap is never replaced, the same DID again is a no-op).
   */
  | "GP_DID_CONFLICT"
  | "GP_INTERNAL";

const BAD_INPUT: ReadonlySet<ErrorCode> = new Set([
  "GP_ARG_INVALID",
  "GP_CONFIG_INVALID",
  "GP_PASSPHRASE_MISSING",
  "GP_STACK_NOT_FOUND",
  "GP_HISTORY_NO_MATCH",
  "GP_RAMP_CONFLICT",
  "GP_NO_GREEN_STATE",
  "GP_EDGE_NOT_RUNNING",
  "GP_EDGE_RUNNING",
  "GP_ROLLOUT_HELD",
  "GP_CLOSING_PENDING",
  "GP_BACKEND_UNSUPPORTED",
  "GP_CREDENTIAL_SCOPE",
  "GP_AUDIT_UNWRITABLE",
  "GP_AUDIT_REPAIR_REFUSED",
  "GP_SIGNERS_INVALID",
  "GP_SIGNING_KEY_INVALID",
  "GP_SMOKE_NO_DELIVERABLES",
  "GP_APPROVAL_MISSING",
  "GP_APPROVAL_INVALID",
  "GP_APPROVAL_UNLISTED_SIGNER",
  "GP_APPROVAL_NAMESPACE",
  "GP_APPROVAL_DIGEST_MISMATCH",
  "GP_APPROVAL_REUSED",
  "GP_APPROVAL_EXPIRED",
  "GP_GATE_MISSING",
  "GP_GATE_STALE",
  "GP_GATE_BUNDLE_CHANGED",
  "GP_GATE_POLICY_CHANGED",
  "GP_BASELINE_INVALID",
  "GP_EVIDENCE_FINGERPRINT_MISMATCH",
  "GP_EVIDENCE_MISSING",
  "GP_EVIDENCE_BUILD_MISMATCH",
  "GP_GOLDEN_UNVERIFIED",
  "GP_GOLDEN_UNKNOWN",
  "GP_GOLDEN_QUARANTINED",
  "GP_GOLDEN_INCOMPATIBLE",
  "GP_GOLDEN_CORRUPT",
  "GP_GOLDEN_NO_GIT",
  "GP_DID_CONFLICT",
]);

/** Codes that mean the stack may not be on a green state (exit {@link ExitCode.rollbackFailed}). */
const NOT_ON_GREEN: ReadonlySet<ErrorCode> = new Set(["GP_ROLLBACK_FAILED", "GP_NOT_CONVERGED"]);

/**
 * The exit code of an error code.
 *
 * @param code - the error code
 */
export function exitCodeOf(code: ErrorCode): number {
  if (BAD_INPUT.has(code)) return ExitCode.badInput;
  if (NOT_ON_GREEN.has(code)) return ExitCode.rollbackFailed;
  if (code === "GP_INTERNAL") return ExitCode.internal;
  return ExitCode.failed;
}

/** An error meant for the person at the terminal. */
export class GlidepathError extends Error {
  /** The stable code, e.g. `GP_CONFIG_INVALID`. */
  readonly code: ErrorCode;
  /** What to do about it. */
  readonly remedy: string;
  /** The process exit code: see {@link ExitCode} and {@link exitCodeOf}. */
  readonly exitCode: number;

  /**
   * @param code - stable error code
   * @param message - what went wrong, naming the field and the value
   * @param remedy - the fix, as a command or an edit where possible
   * @param exitCode - the exit code @default - {@link exitCodeOf} the code
   */
  constructor(code: ErrorCode, message: string, remedy: string, exitCode: number = exitCodeOf(code)) {
    super(message);
    this.name = "GlidepathError";
    this.code = code;
    this.remedy = remedy;
    this.exitCode = exitCode;
  }

  /** The two-line rendering the CLI prints. */
  render(): string {
    return `error[${this.code}]: ${this.message}\nfix: ${this.remedy}`;
  }
}

/** The JSON form of an error, as `--json` prints it: `{"error": errorJson(e)}`. */
export interface ErrorJson {
  /** The stable code. */
  code: ErrorCode;
  /** What went wrong. */
  message: string;
  /** What to do about it. */
  fix: string;
  /** The process exit code. */
  exitCode: number;
}

/**
 * The JSON form of an error (the `error` member of a `--json` document).
 *
 * @param e - the error
 */
export function errorJson(e: GlidepathError): ErrorJson {
  return { code: e.code, message: e.message, fix: e.remedy, exitCode: e.exitCode };
}

/**
 * Type guard for {@link GlidepathError}: by shape, not by class identity, so an error from a
 * second copy of this module (a test harness, the compiled and the source tree) still counts.
 */
export function isGlidepathError(e: unknown): e is GlidepathError {
  if (e instanceof GlidepathError) return true;
  if (!(e instanceof Error) || e.name !== "GlidepathError") return false;
  const g = e as Partial<GlidepathError>;
  return typeof g.code === "string" && typeof g.remedy === "string" && typeof g.exitCode === "number";
}

/**
 * The lines of an engine failure worth showing: Pulumi's `error:` diagnostics, deduplicated,
 * or the last lines when there are none. The Automation API's error text repeats the whole
 * engine output; this keeps what a person acts on.
 *
 * @param text - the error's message
 * @param max - how many errors (or, without any, trailing lines) at most @default 8
 */
export function engineErrorSummary(text: string, max = 8): string {
  const lines = text.split("\n").map((l) => l.trimEnd());
  // Each `error:` line with the more-indented lines that continue it (the program's details).
  const blocks: string[] = [];
  lines.forEach((l, i) => {
    if (!/^\s*error:/.test(l)) return;
    const indent = l.length - l.trimStart().length;
    const block = [l.trim()];
    for (const next of lines.slice(i + 1)) {
      if (next.trim() === "" || next.length - next.trimStart().length <= indent) break;
      block.push(`  ${next.trim()}`);
    }
    blocks.push(block.join("\n"));
  });
  const errors = [...new Set(blocks)];
  const picked = errors.length > 0 ? errors : lines.filter((l) => l.trim() !== "").slice(-max);
  return picked.slice(0, max).join("\n");
}

/**
 * User-facing errors: a stable code, what went wrong, and the fix. The CLI prints
 * `error[CODE]: message` then `fix: remedy`, and exits with {@link GlidepathError.exitCode}.
 */

/** Exit codes of every glidepath command. */
export const ExitCode = {
  /** Success. */
  ok: 0,
  /** A gate failed, a rollback ran, or an operation failed at run time. */
  failed: 1,
  /** Bad input: arguments or configuration; nothing was changed. */
  badInput: 2,
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
  | "GP_RAMP_CONFLICT"
  | "GP_NO_GREEN_STATE"
  | "GP_EDGE_NOT_RUNNING"
  | "GP_EDGE_RUNNING"
  | "GP_EDGE_START_FAILED"
  | "GP_DEMO_FAILED"
  | "GP_SECRETS_MISSING"
  | "GP_GATE_FAILED"
  | "GP_ROLLBACK_FAILED"
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
]);

/** An error meant for the person at the terminal. */
export class GlidepathError extends Error {
  /** The stable code, e.g. `GP_CONFIG_INVALID`. */
  readonly code: ErrorCode;
  /** What to do about it. */
  readonly remedy: string;
  /** 2 for bad input, 1 otherwise. */
  readonly exitCode: number;

  /**
   * @param code - stable error code
   * @param message - what went wrong, naming the field and the value
   * @param remedy - the fix, as a command or an edit where possible
   */
  constructor(code: ErrorCode, message: string, remedy: string) {
    super(message);
    this.name = "GlidepathError";
    this.code = code;
    this.remedy = remedy;
    this.exitCode = BAD_INPUT.has(code) ? ExitCode.badInput : ExitCode.failed;
  }

  /** The two-line rendering the CLI prints. */
  render(): string {
    return `error[${this.code}]: ${this.message}\nfix: ${this.remedy}`;
  }
}

/** Type guard for {@link GlidepathError}. */
export function isGlidepathError(e: unknown): e is GlidepathError {
  return e instanceof GlidepathError;
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

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
  | "GP_INTERNAL";

const BAD_INPUT: ReadonlySet<ErrorCode> = new Set([
  "GP_ARG_INVALID",
  "GP_CONFIG_INVALID",
  "GP_PASSPHRASE_MISSING",
  "GP_STACK_NOT_FOUND",
  "GP_HISTORY_NO_MATCH",
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
 * @param max - how many lines at most @default 8
 */
export function engineErrorSummary(text: string, max = 8): string {
  const lines = text.split("\n").map((l) => l.trimEnd());
  const errors = [...new Set(lines.filter((l) => /^\s*error:/.test(l)).map((l) => l.trim()))];
  const picked = errors.length > 0 ? errors : lines.filter((l) => l.trim() !== "").slice(-max);
  return picked.slice(0, max).join("\n");
}

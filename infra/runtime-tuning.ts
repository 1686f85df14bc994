/**
 * Per-resource overheads of `@pulumi/pulumi`'s Node runtime that grow with the stack and buy
 * this program nothing; imported first by `index.ts`. On a 50-app stack (305 resources) they
 * cost about 2 s of program CPU per `up` (docs/benchmarks.md, "stack size"):
 *
 * - Every resource sends several `log.debug` messages to the engine, each a separate gRPC
 *   call (~1,260 per `up` at 50 apps), shown only with `--debug` or `-v`. They are dropped
 *   unless `GLIDEPATH_PULUMI_DEBUG_LOGS=1`.
 * - Every runtime promise and resource records `new Error().stack`, and the source-map hook
 *   `@pulumi/pulumi` installs maps each frame through the `.js.map` files. Stacks of errors
 *   without a message (those internal captures) keep V8's own format; every error with a
 *   message is still mapped to `.ts` positions.
 *
 * Both rely on internals of the pinned `@pulumi/pulumi` (its `log` module's exports are plain
 * writable properties); `tests/program/runtime-tuning.test.ts` fails if that changes.
 */
import * as pulumiLog from "@pulumi/pulumi/log";

/** Whether the runtime's debug messages are kept (`GLIDEPATH_PULUMI_DEBUG_LOGS=1`). */
export const keepDebugLogs = process.env.GLIDEPATH_PULUMI_DEBUG_LOGS === "1";

if (!keepDebugLogs) {
  (pulumiLog as unknown as { debug: (...args: unknown[]) => Promise<void> }).debug = () => Promise.resolve();
}

const mapped = Error.prepareStackTrace;
if (mapped !== undefined) {
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
    error instanceof Error && error.message === ""
      ? `${String(error)}${frames.map((f) => `\n    at ${f}`).join("")}`
      : mapped(error, frames);
}

/**
 * SIGINT and SIGTERM while a command changes a stack. The first signal asks the work to stop
 * (`soft`): the driver stops baking, lets an update in flight finish, and rolls a live canary
 * back. A second signal abandons that rollback (`hard`): the `pulumi up` in flight is
 * cancelled gracefully and the command ends saying how to finish. Either way the process
 * exits through its normal path, so the lock is released and the report and events are
 * written; nothing is left to the default handler, which would exit mid-update.
 */

/** The signals glidepath handles. */
export const HANDLED_SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** A handled signal. */
export type HandledSignal = (typeof HANDLED_SIGNALS)[number];

/** Interrupts of one command. */
export interface Interrupts {
  /** Aborted by the first signal: stop and roll back. */
  soft: AbortSignal;
  /** Aborted by the second signal: abandon the rollback. */
  hard: AbortSignal;
  /** The first signal received, if any. */
  received(): HandledSignal | undefined;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Installs the handlers.
 *
 * @param onSignal - told of each signal and whether it was the first @default - nothing
 * @param target - where signals arrive @default process
 */
export function watchInterrupts(
  onSignal: (signal: HandledSignal, first: boolean) => void = () => undefined,
  target: Pick<NodeJS.Process, "on" | "off"> = process,
): Interrupts {
  const soft = new AbortController();
  const hard = new AbortController();
  let first: HandledSignal | undefined;
  const handlers = HANDLED_SIGNALS.map((signal) => {
    const handler = () => {
      const isFirst = first === undefined;
      if (isFirst) {
        first = signal;
        soft.abort(signal);
      } else hard.abort(signal);
      onSignal(signal, isFirst);
    };
    target.on(signal, handler);
    return [signal, handler] as const;
  });
  return {
    soft: soft.signal,
    hard: hard.signal,
    received: () => first,
    dispose: () => {
      for (const [signal, handler] of handlers) target.off(signal, handler);
    },
  };
}

/**
 * The shared tail of every provider's `check`: drop the serialized provider from the inputs,
 * and turn a zod result into Pulumi's `CheckResult` with one failure per property path.
 * During a preview, inputs computed by other resources (a build's report) are not known yet:
 * Pulumi passes them as a sentinel string, and they are judged at the update instead.
 * Serialized into state with each provider: no module-scope imports beyond types.
 */
import type * as pulumi from "@pulumi/pulumi";

/** What Pulumi's dynamic-provider host passes for a value not known during a preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Top-level input names whose value is not known yet (preview only). */
export function unknownInputs(news: unknown): string[] {
  return Object.entries(withoutProvider(news))
    .filter(([, v]) => v === UNKNOWN)
    .map(([k]) => k);
}

/** The inputs without Pulumi's `__provider` entry. */
export function withoutProvider(news: unknown): Record<string, unknown> {
  const { __provider: _serialized, ...props } = (news ?? {}) as Record<string, unknown>;
  return props;
}

/** What a zod `safeParse` returns, structurally. */
export type SafeParse<T> =
  | { success: true; data: T }
  | { success: false; error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };

/**
 * Converts a zod result into a `CheckResult`. Failures of inputs that are not known yet are
 * dropped: they are checked again, known, at the update.
 *
 * @param news - the inputs as Pulumi passed them (returned as-is on failure)
 * @param parsed - the zod result of parsing {@link withoutProvider}(news)
 */
export function toCheckResult<T>(news: unknown, parsed: SafeParse<T>): pulumi.dynamic.CheckResult<T> {
  if (parsed.success) return { inputs: parsed.data };
  const unknown = new Set(unknownInputs(news));
  const failures = parsed.error.issues
    .filter((i) => !unknown.has(String(i.path[0])))
    .map((i) => ({ property: i.path.map(String).join(".") || "(inputs)", reason: i.message }));
  return failures.length > 0 ? { inputs: news as T, failures } : { inputs: news as T };
}

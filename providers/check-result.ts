/**
 * The shared tail of every provider's `check`: drop the serialized provider from the inputs,
 * and turn a zod result into Pulumi's `CheckResult` with one failure per property path.
 * Serialized into state with each provider: no module-scope imports beyond types.
 */
import type * as pulumi from "@pulumi/pulumi";

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
 * Converts a zod result into a `CheckResult`.
 *
 * @param news - the inputs as Pulumi passed them (returned as-is on failure)
 * @param parsed - the zod result of parsing {@link withoutProvider}(news)
 */
export function toCheckResult<T>(news: unknown, parsed: SafeParse<T>): pulumi.dynamic.CheckResult<T> {
  if (parsed.success) return { inputs: parsed.data };
  return {
    inputs: news as T,
    failures: parsed.error.issues.map((i) => ({
      property: i.path.map(String).join(".") || "(inputs)",
      reason: i.message,
    })),
  };
}

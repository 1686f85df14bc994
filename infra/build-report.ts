/**
 * The JSON report every build prints (and writes to `artifacts/<app>-build.json`): what was
 * built from which sources, and the digest of the bundle it produced.
 */
import { z } from "zod";

/** Schema of a build report. */
export const buildReportSchema = z.strictObject({
  schema: z.literal("glidepath.build-report/v1"),
  app: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  builder: z.string().min(1),
  sourceDigest: z.string().regex(/^[0-9a-f]{64}$/),
  bundleDigest: z.string().regex(/^[0-9a-f]{64}$/),
  files: z.number().int().min(1),
  outDir: z.string().startsWith("/"),
});

/** A validated build report. */
export type BuildReport = z.infer<typeof buildReportSchema>;

/**
 * Parses a build's stdout as its report.
 *
 * @param text - what the build printed
 * @param what - the release being built, for the message (`wix@v2`)
 * @throws Error naming the release and every schema issue
 */
export function parseBuildReport(text: string, what: string): BuildReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(
      `build of ${what} printed no JSON report (GP_BUILD_REPORT_INVALID): ${text.slice(0, 200)}`,
    );
  }
  const parsed = buildReportSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(report)"}: ${i.message}`).join("; ");
  throw new Error(
    `build of ${what} printed a report that does not match the schema (GP_BUILD_REPORT_INVALID): ${issues}`,
  );
}

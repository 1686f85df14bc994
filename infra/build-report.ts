/**
 * The JSON reports builds print (and write under `artifacts/`): what was built from which
 * sources, and the digest of what it produced. A bundle build reports a directory
 * (`artifacts/<app>-build.json`); a WASM build reports one module
 * (`artifacts/wasm-<blueprint_id>-build.json`).
 */
import { z } from "zod";

const SHA256 = /^[0-9a-f]{64}$/;

/** Schema of a bundle build's report. */
export const buildReportSchema = z.strictObject({
  schema: z.literal("glidepath.build-report/v1"),
  app: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
  version: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  builder: z.string().min(1),
  sourceDigest: z.string().regex(SHA256),
  bundleDigest: z.string().regex(SHA256),
  files: z.number().int().min(1),
  outDir: z.string().startsWith("/"),
});

/** A validated bundle build report. */
export type BuildReport = z.infer<typeof buildReportSchema>;

/** Schema of a WASM build's report. */
export const wasmBuildReportSchema = z.strictObject({
  schema: z.literal("glidepath.wasm-build-report/v1"),
  blueprintId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/),
  builder: z.string().min(1),
  sourceDigest: z.string().regex(SHA256),
  artifactSha256: z.string().regex(SHA256),
  artifactSizeBytes: z.number().int().min(8),
  outFile: z.string().startsWith("/"),
});

/** A validated WASM build report. */
export type WasmBuildReport = z.infer<typeof wasmBuildReportSchema>;

function parseReport<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(
      `build of ${what} printed no JSON report (GP_BUILD_REPORT_INVALID): ${text.slice(0, 200)}`,
    );
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(report)"}: ${i.message}`).join("; ");
  throw new Error(
    `build of ${what} printed a report that does not match the schema (GP_BUILD_REPORT_INVALID): ${issues}`,
  );
}

/**
 * Parses a bundle build's stdout as its report.
 *
 * @param text - what the build printed
 * @param what - the release being built, for the message (`wix@v2`)
 * @throws Error naming the release and every schema issue
 */
export function parseBuildReport(text: string, what: string): BuildReport {
  return parseReport(buildReportSchema, text, what);
}

/**
 * Parses a WASM build's stdout as its report.
 *
 * @param text - what the build printed
 * @param what - the deliverable being built, for the message (`wasm:edge`)
 * @throws Error naming the deliverable and every schema issue
 */
export function parseWasmBuildReport(text: string, what: string): WasmBuildReport {
  return parseReport(wasmBuildReportSchema, text, what);
}

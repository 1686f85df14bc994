/**
 * The edge smoke report (`glidepath smoke`): its zod schema, the reason codes, and the pure
 * rules around it: what a binary's header lets the edge runtimes load, the CI policy for a
 * runtime that is missing, the report's verdict and its human rendering. No I/O here.
 */
import { z } from "zod";
import type { HeaderKind } from "../../../providers/wasm/inspect";

/** The edge runtimes a deliverable is loaded into, in report order. */
export const SMOKE_RUNTIMES = ["workerd", "deno"] as const;
/** An edge runtime. */
export type SmokeRuntime = (typeof SMOKE_RUNTIMES)[number];

/**
 * Why a probe did not pass; stable, documented in docs/wasm.md ("Smoke").
 *
 * - `runtime_missing`: the runtime is not installed (a skip outside CI, a failure in CI).
 * - `artifact_not_local`: the stack's edge store is remote (`kv://…`); the harness reads local files.
 * - `manifest_unreadable`: the manifest beside the artifact is missing, not JSON, or not a manifest.
 * - `artifact_missing`: the artifact the stack recorded is not there.
 * - `sha256_mismatch`: the artifact's bytes do not hash to its manifest's `artifact_sha256` (or to the stack's); nothing was loaded.
 * - `not_wasm`, `truncated`, `unsupported_version`: the header is not a WebAssembly binary's.
 * - `component_not_loadable`: a component-model binary; Workers and Deno load core modules only.
 * - `instantiate_failed`: the runtime could not compile or instantiate it (the detail is its error, e.g. a missing import).
 * - `no_entry_point`: it exports neither `handle` nor `_start`.
 * - `entry_point_trapped`: calling the entry point threw (a trap).
 * - `timeout`: the probe ran out of time and was killed.
 * - `probe_crashed`: the runtime exited without a result (its stderr is the detail).
 */
export const SMOKE_REASON_CODES = [
  "runtime_missing",
  "artifact_not_local",
  "manifest_unreadable",
  "artifact_missing",
  "sha256_mismatch",
  "not_wasm",
  "truncated",
  "unsupported_version",
  "component_not_loadable",
  "instantiate_failed",
  "no_entry_point",
  "entry_point_trapped",
  "timeout",
  "probe_crashed",
] as const;
/** A smoke reason code. */
export type SmokeReasonCode = (typeof SMOKE_REASON_CODES)[number];

/** The exports a probe calls, first found first: the deliverable's entry point. */
export const ENTRY_POINTS = ["handle", "_start"] as const;

/** One deliverable in one runtime. */
export const smokeProbeSchema = z.strictObject({
  /** The runtime: `workerd` (through Miniflare) or `deno`. */
  runtime: z.enum(SMOKE_RUNTIMES),
  /** The runtime's version, or null when it is not installed. */
  version: z.string().nullable(),
  /** `pass`: instantiated and its entry point returned; `fail`: see `reason_code`; `skip`: the runtime is missing (outside CI only). */
  status: z.enum(["pass", "fail", "skip"]),
  /** Why it did not pass (see {@link SMOKE_REASON_CODES}); null on a pass. */
  reason_code: z.enum(SMOKE_REASON_CODES).nullable(),
  /** What happened, in words: the entry point's result, the runtime's error, what is missing. */
  detail: z.string(),
  /** Wall time of the probe, in milliseconds (0 when nothing was loaded). */
  duration_ms: z.number().int().min(0),
});
/** One probe's result. */
export type SmokeProbe = z.infer<typeof smokeProbeSchema>;

/** One packaged deliverable and its probes. */
export const smokeDeliverableSchema = z.strictObject({
  /** The deliverable's blueprint id (`glidepath:wasm.<id>`). */
  blueprint_id: z.string(),
  /** Where the stack recorded its artifact (`<root>/wasm/<id>/<sha>.wasm`, or `kv://…`). */
  artifact_path: z.string(),
  /** The artifact's sha-256 as the stack recorded it. */
  artifact_sha256: z.string(),
  /** What the artifact's header says it is; `unknown` when it was not read or is not WebAssembly. */
  binary_kind: z.enum(["core", "component", "unknown"]),
  /** One probe per runtime, in {@link SMOKE_RUNTIMES} order. */
  probes: z.array(smokeProbeSchema),
});
/** One deliverable's results. */
export type SmokeDeliverable = z.infer<typeof smokeDeliverableSchema>;

/** The report `glidepath smoke` prints with `--json` and writes with `--output`. */
export const smokeReportSchema = z.strictObject({
  /** The artifact's kind and version. */
  schema: z.literal("glidepath.smoke-report/v1"),
  /** The stack whose deliverables were probed. */
  stack: z.string(),
  /** Whether it ran under CI (`CI` set): a missing runtime then fails instead of skipping. */
  ci: z.boolean(),
  /** True when no probe failed (exit 0). */
  ok: z.boolean(),
  /** Counts of the probes by status. */
  counts: z.strictObject({
    pass: z.number().int().min(0),
    fail: z.number().int().min(0),
    skip: z.number().int().min(0),
  }),
  /** The deliverables, by blueprint id. */
  deliverables: z.array(smokeDeliverableSchema),
});
/** A smoke report. */
export type SmokeReport = z.infer<typeof smokeReportSchema>;

/**
 * Whether the environment is CI: `CI` set to anything but empty, `0` or `false`.
 *
 * @param env - the environment
 */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  const v = (env.CI ?? "").trim().toLowerCase();
  return v !== "" && v !== "0" && v !== "false";
}

/**
 * What the edge runtimes can do with a binary, by its header: load it (a core module), or
 * not, and why. A component is `component_not_loadable`: Workers (and Deno, both on V8's
 * WebAssembly API) take core modules only.
 *
 * @param kind - the header's kind ({@link wasmHeaderKind})
 * @returns undefined when the runtimes can try to load it, else the reason code and detail
 */
export function loadRefusal(kind: HeaderKind): { code: SmokeReasonCode; detail: string } | undefined {
  switch (kind) {
    case "core":
      return undefined;
    case "component":
      return {
        code: "component_not_loadable",
        detail:
          "a component-model binary (header version 0x0d, layer 1): Workers and Deno load core WebAssembly modules only; ship a core module for the edge, or run the component on a WASI preview2 host",
      };
    case "not_wasm":
      return { code: "not_wasm", detail: "no \\0asm magic header" };
    case "truncated":
      return { code: "truncated", detail: "shorter than the 8-byte WebAssembly header" };
    case "unsupported_version":
      return {
        code: "unsupported_version",
        detail: "the header's version is neither a core module's nor a component's",
      };
  }
}

/**
 * The probe of a runtime that is missing: a skip naming it, or a failure in CI (so a CI run
 * without the runtime cannot pass).
 *
 * @param runtime - the runtime
 * @param what - what is missing, e.g. `deno binary not found (…)`
 * @param ci - whether this is a CI run
 */
export function missingRuntimeProbe(runtime: SmokeRuntime, what: string, ci: boolean): SmokeProbe {
  return {
    runtime,
    version: null,
    status: ci ? "fail" : "skip",
    reason_code: "runtime_missing",
    detail: ci ? `${what}; in CI a missing runtime fails the smoke run` : what,
    duration_ms: 0,
  };
}

/**
 * The same failure for every runtime: the artifact was refused before anything was loaded.
 *
 * @param code - why
 * @param detail - what was found
 * @param versions - the runtimes' versions (null when missing)
 */
export function refusedProbes(
  code: SmokeReasonCode,
  detail: string,
  versions: Readonly<Record<SmokeRuntime, string | null>>,
): SmokeProbe[] {
  return SMOKE_RUNTIMES.map((runtime) => ({
    runtime,
    version: versions[runtime],
    status: "fail",
    reason_code: code,
    detail,
    duration_ms: 0,
  }));
}

/**
 * Builds and validates the report: counts, and `ok` when no probe failed.
 *
 * @param stack - the stack name
 * @param ci - whether this is a CI run
 * @param deliverables - the deliverables' results, in any order (sorted by blueprint id here)
 * @throws ZodError when a result does not fit the schema (a bug)
 */
export function buildSmokeReport(stack: string, ci: boolean, deliverables: SmokeDeliverable[]): SmokeReport {
  const probes = deliverables.flatMap((d) => d.probes);
  const count = (s: SmokeProbe["status"]) => probes.filter((p) => p.status === s).length;
  return smokeReportSchema.parse({
    schema: "glidepath.smoke-report/v1",
    stack,
    ci,
    ok: count("fail") === 0,
    counts: { pass: count("pass"), fail: count("fail"), skip: count("skip") },
    deliverables: [...deliverables].sort((a, b) => a.blueprint_id.localeCompare(b.blueprint_id)),
  });
}

/** The human rendering: one line per deliverable and runtime. */
export function renderSmokeReport(r: SmokeReport): string {
  const lines = r.deliverables.flatMap((d) => [
    `${d.blueprint_id} (${d.binary_kind}, ${d.artifact_sha256.slice(0, 12)}…):`,
    ...d.probes.map((p) => {
      const what = p.status === "pass" ? p.detail : `${p.reason_code}: ${p.detail}`;
      return `  ${p.runtime.padEnd(7)} ${(p.version ?? "-").padEnd(14)} ${p.status.toUpperCase().padEnd(4)} ${what} (${p.duration_ms} ms)`;
    }),
  ]);
  const { pass, fail, skip } = r.counts;
  return [
    ...lines,
    `smoke ${r.stack}: ${pass} passed, ${fail} failed, ${skip} skipped${r.ci ? " (CI)" : ""}`,
  ].join("\n");
}

/**
 * The deploy gate's verdict: a verification summary bound to what it judged. It names the
 * stack, the digest of every bundle the release deploys, and the digest of the gate's own
 * policy (its config and the baseline), so a verdict for one set of bytes never admits
 * another. The verdict file is written by `glidepath gate` and read by everything that
 * refuses production without a fresh PASS (the driver, `up`, the program's preview check,
 * the policy pack, `approve`).
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import { z } from "zod";
import { auditDir } from "../audit/log-file";

/** The verdict's schema id. */
export const GATE_VERDICT_SCHEMA = "glidepath.gate-verdict/v1";

/** How long a PASS admits a production update, unless the stack's config says otherwise. */
export const GATE_TTL_SECONDS_DEFAULT = 3600;

/** The file name of a stack's current verdict, beside its audit log. */
export const GATE_VERDICT_FILE = "gate-verdict.json";

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a lowercase SHA-256 in hex");

/** One check of the gate and how it came out. */
export const gateCheckResultSchema = z.strictObject({
  /** Stable id, e.g. `config`, `preflight`, `reproducible`, `wasm`, `baseline`, `evidence`, `rolling-back`, `health`. */
  id: z.string().min(1),
  /** What the check judges, for people. */
  title: z.string().min(1),
  status: z.enum(["PASS", "FAIL"]),
  /** Why, in one line (never a secret value). */
  detail: z.string(),
});

/** One check's result. */
export type GateCheckResult = z.infer<typeof gateCheckResultSchema>;

/** The verdict file's schema. */
export const gateVerdictSchema = z.strictObject({
  schema: z.literal(GATE_VERDICT_SCHEMA),
  stack: z.string().min(1),
  result: z.enum(["PASS", "FAIL"]),
  /** When the gate ran (ISO 8601, UTC). */
  time: z.iso.datetime(),
  /** Seconds after `time` during which a PASS admits an update. */
  ttlSeconds: z.number().int().positive(),
  /** Bundle key (`<app>@<version>` for releases, `wasm:<id>` for deliverables) → SHA-256 hex of its content. */
  bundles: z.record(z.string(), sha256Hex),
  /** SHA-256 hex of the gate's policy: its config and the baseline it judged against. */
  policyDigest: sha256Hex,
  /** Evidence (screenshots) digests the gate saw, name → SHA-256 hex. */
  evidence: z.record(z.string(), sha256Hex),
  checks: z.array(gateCheckResultSchema),
});

/** A verdict of the deploy gate. */
export type GateVerdict = z.infer<typeof gateVerdictSchema>;

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(
      Object.keys(v as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/**
 * The canonical JSON of a value: keys sorted at every level, no whitespace. What every digest
 * and signature of the guardrails is computed over.
 *
 * @param v - any JSON value
 */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

/**
 * The digest of a verdict (SHA-256 hex of its canonical JSON): what an approval signs and an
 * audit entry names.
 *
 * @param v - the verdict
 */
export function verdictDigest(v: GateVerdict): string {
  return createHash("sha256").update(canonicalJson(v)).digest("hex");
}

/**
 * Where a stack's current verdict lives: beside its audit log.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param backendUrl - the backend @default - as the audit log's
 */
export function gateVerdictFile(projectDir: string, stack: string, backendUrl?: string): string {
  return path.join(auditDir(projectDir, stack, backendUrl), GATE_VERDICT_FILE);
}

/**
 * A build's id: the first 16 hex digits of the SHA-256 of its bundles' canonical JSON. The same
 * bundles always give the same id; evidence, deploy logs and `history --build` are keyed by it.
 *
 * @param bundles - bundle key → SHA-256 hex (as in {@link GateVerdict.bundles})
 */
export function buildId(bundles: Record<string, string>): string {
  return createHash("sha256").update(canonicalJson(bundles)).digest("hex").slice(0, 16);
}

/** The evidence manifest's schema id. */
export const EVIDENCE_SCHEMA = "glidepath.evidence/v1";

/** The evidence manifest of one build: `<audit dir>/evidence/<build id>/evidence.json`. */
export const evidenceManifestSchema = z.strictObject({
  schema: z.literal(EVIDENCE_SCHEMA),
  buildId: z.string().regex(/^[0-9a-f]{16}$/),
  bundles: z.record(z.string(), sha256Hex),
  /** Where the shots were taken: a comparison is made only against a baseline of the same fingerprint. */
  fingerprint: z.strictObject({
    browser: z.string().min(1),
    viewport: z.strictObject({ width: z.number().int().positive(), height: z.number().int().positive() }),
  }),
  /** When the shots were taken (ISO 8601, UTC). */
  time: z.iso.datetime(),
  shots: z.array(
    z.strictObject({
      /** Stable name of the flow, e.g. `wix/index`, `panel`. */
      name: z.string().min(1),
      /** The PNG, relative to the manifest's directory. */
      file: z.string().min(1),
      sha256: sha256Hex,
    }),
  ),
});

/** One build's evidence manifest. */
export type EvidenceManifest = z.infer<typeof evidenceManifestSchema>;

/**
 * Where a build's evidence manifest lives.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param id - the build id ({@link buildId})
 * @param backendUrl - the backend @default - as the audit log's
 */
export function evidenceManifestFile(
  projectDir: string,
  stack: string,
  id: string,
  backendUrl?: string,
): string {
  return path.join(auditDir(projectDir, stack, backendUrl), "evidence", id, "evidence.json");
}

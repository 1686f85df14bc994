/**
 * A smoke run: for each deliverable the stack recorded (its `wasm` output: blueprint id →
 * sha-256 and artifact path), read the manifest beside the artifact and the artifact, verify
 * the artifact's sha-256 against both (fail closed: nothing is loaded otherwise), classify its
 * header, then probe it in each edge runtime in turn (one at a time).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs/promises";
import { z } from "zod";
import { wasmHeaderKind } from "../../../providers/wasm/inspect";
import { manifestReadSchema } from "../wasm-inspect";
import { type DenoBinary, findDeno, probeDeno } from "./probe-deno";
import { findWorkerd, probeWorkerd, type Workerd } from "./probe-workerd";
import {
  buildSmokeReport,
  loadRefusal,
  missingRuntimeProbe,
  refusedProbes,
  type SmokeDeliverable,
  type SmokeProbe,
  type SmokeReport,
  type SmokeRuntime,
} from "./report";

/** A deliverable as the stack recorded it. */
export interface StackDeliverable {
  /** Its blueprint id. */
  blueprintId: string;
  /** Its artifact (`<root>/wasm/<id>/<sha>.wasm`, or `kv://…` on a remote edge store). */
  artifactPath: string;
  /** The artifact's sha-256 the stack recorded. */
  sha256: string;
}

const wasmOutputSchema = z.record(
  z.string(),
  z.looseObject({ sha256: z.string(), artifactPath: z.string() }),
);

/**
 * The deliverables in a stack's outputs (pure), by blueprint id.
 *
 * @param outputs - the stack's outputs (`stack.outputs()`)
 * @throws ZodError when the `wasm` output is not what the program exports (a bug)
 */
export function deliverablesOfOutputs(outputs: Record<string, { value?: unknown }>): StackDeliverable[] {
  const wasm = wasmOutputSchema.parse(outputs.wasm?.value ?? {});
  return Object.entries(wasm)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([blueprintId, d]) => ({ blueprintId, artifactPath: d.artifactPath, sha256: d.sha256 }));
}

/** The edge runtimes as found on this machine. */
export interface SmokeRuntimes {
  workerd: Workerd;
  deno: DenoBinary;
}

/**
 * Finds both runtimes.
 *
 * @param from - glidepath's package directory (its `node_modules` holds them)
 * @param env - the environment (`PATH` for deno) @default process.env
 */
export function findRuntimes(from: string, env: NodeJS.ProcessEnv = process.env): SmokeRuntimes {
  return { workerd: findWorkerd(from), deno: findDeno(from, env) };
}

/** Options of {@link smokeDeliverable} and {@link runSmoke}. */
export interface SmokeOptions {
  /** The runtimes ({@link findRuntimes}). */
  runtimes: SmokeRuntimes;
  /** Whether this is a CI run (a missing runtime fails). */
  ci: boolean;
  /** Each probe's timeout, in milliseconds. */
  timeoutMs: number;
}

function versions(r: SmokeRuntimes): Record<SmokeRuntime, string | null> {
  return {
    workerd: r.workerd.found ? r.workerd.version : null,
    deno: r.deno.found ? r.deno.version : null,
  };
}

/**
 * Verifies and probes one deliverable.
 *
 * @param d - the deliverable as the stack recorded it
 * @param opts - runtimes, CI and timeout
 */
export async function smokeDeliverable(d: StackDeliverable, opts: SmokeOptions): Promise<SmokeDeliverable> {
  const row = (binary_kind: SmokeDeliverable["binary_kind"], probes: SmokeProbe[]): SmokeDeliverable => ({
    blueprint_id: d.blueprintId,
    artifact_path: d.artifactPath,
    artifact_sha256: d.sha256,
    binary_kind,
    probes,
  });
  const v = versions(opts.runtimes);
  const refuse = (code: Parameters<typeof refusedProbes>[0], detail: string) =>
    row("unknown", refusedProbes(code, detail, v));
  if (!d.artifactPath.startsWith("/")) {
    return refuse(
      "artifact_not_local",
      `${d.artifactPath} is not a local file; the smoke harness reads the artifacts of a local edge store`,
    );
  }
  const manifestPath = d.artifactPath.replace(/\.wasm$/, ".manifest.json");
  let manifestSha: string;
  try {
    manifestSha = manifestReadSchema.parse(
      JSON.parse(await fs.readFile(manifestPath, "utf8")),
    ).artifact_sha256;
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message.split("\n")[0] : String(e));
    return refuse(
      "manifest_unreadable",
      `${manifestPath}: ${why}; run glidepath up to package the deliverable again`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(d.artifactPath));
  } catch (e) {
    return refuse("artifact_missing", `${d.artifactPath}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const sha = crypto.createHash("sha256").update(bytes).digest("hex");
  if (sha !== manifestSha || sha !== d.sha256) {
    return refuse(
      "sha256_mismatch",
      `the artifact hashes to ${sha}; its manifest says ${manifestSha} and the stack recorded ${d.sha256}; not loaded (repackage it with glidepath up)`,
    );
  }
  const kind = wasmHeaderKind(bytes);
  const binaryKind = kind === "core" || kind === "component" ? kind : "unknown";
  const refusal = loadRefusal(kind);
  if (refusal !== undefined) return row(binaryKind, refusedProbes(refusal.code, refusal.detail, v));
  const { workerd, deno } = opts.runtimes;
  const probes: SmokeProbe[] = [
    workerd.found
      ? await probeWorkerd(workerd.version, bytes, opts.timeoutMs)
      : missingRuntimeProbe("workerd", workerd.missing, opts.ci),
    deno.found
      ? await probeDeno(deno, d.artifactPath, sha, opts.timeoutMs)
      : missingRuntimeProbe("deno", deno.missing, opts.ci),
  ];
  return row(binaryKind, probes);
}

/**
 * Probes every deliverable, one at a time, and builds the report.
 *
 * @param stack - the stack name
 * @param deliverables - its deliverables ({@link deliverablesOfOutputs})
 * @param opts - runtimes, CI and timeout
 */
export async function runSmoke(
  stack: string,
  deliverables: readonly StackDeliverable[],
  opts: SmokeOptions,
): Promise<SmokeReport> {
  const rows: SmokeDeliverable[] = [];
  for (const d of deliverables) rows.push(await smokeDeliverable(d, opts));
  return buildSmokeReport(stack, opts.ci, rows);
}

/**
 * The JavaScript both edge runtimes run to probe a module: instantiate it with no imports and
 * call its entry point (the first of {@link ENTRY_POINTS} it exports), answering one JSON
 * object `{ok, code?, detail}`. One text, so workerd and Deno judge a module the same way;
 * each runtime wraps it ({@link workerdProbeScript}, {@link denoProbeScript}).
 */
import {
  ENTRY_POINTS,
  SMOKE_REASON_CODES,
  type SmokeProbe,
  type SmokeReasonCode,
  type SmokeRuntime,
} from "./report";

/** What the probe script answers. */
export interface ProbeAnswer {
  /** Instantiated, and the entry point returned. */
  ok: boolean;
  /** The reason code when not ok (`instantiate_failed`, `no_entry_point`, `entry_point_trapped`, `sha256_mismatch`). */
  code?: string;
  /** The result or the error, in words. */
  detail: string;
  /** The runtime's version, when it reports one (Deno). */
  version?: string;
}

/** `probeModule(getModule)`: the shared part, as source text. */
const PROBE_MODULE = `
const ENTRY_POINTS = ${JSON.stringify(ENTRY_POINTS)};
const message = (e) => (e instanceof Error ? e.name + ": " + e.message : String(e));
async function probeModule(getModule) {
  let instance;
  try {
    instance = await WebAssembly.instantiate(await getModule(), {});
  } catch (e) {
    return { ok: false, code: "instantiate_failed", detail: message(e) };
  }
  const name = ENTRY_POINTS.find((n) => typeof instance.exports[n] === "function");
  if (name === undefined) {
    const names = Object.keys(instance.exports);
    return {
      ok: false,
      code: "no_entry_point",
      detail: "exports " + (names.length ? names.join(", ") : "nothing") + "; expected a function " + ENTRY_POINTS.join(" or "),
    };
  }
  try {
    const result = instance.exports[name]();
    return { ok: true, detail: name + "() returned " + (result === undefined ? "nothing" : String(result)) };
  } catch (e) {
    return { ok: false, code: "entry_point_trapped", detail: name + "(): " + message(e) };
  }
}
`;

/**
 * The Worker (an ES module) that probes the module imported as `./artifact.wasm` on its first
 * request and answers with the {@link ProbeAnswer} as JSON.
 */
export function workerdProbeScript(): string {
  return `import artifact from "./artifact.wasm";
${PROBE_MODULE}
export default {
  async fetch() {
    return Response.json(await probeModule(() => artifact));
  },
};
`;
}

/**
 * The Deno script (read from stdin) that probes `Deno.args[0]`: it re-checks the bytes it read
 * against the sha-256 in `Deno.args[1]` (what is loaded is what was verified), then prints
 * the {@link ProbeAnswer} with Deno's version as one JSON line.
 */
export function denoProbeScript(): string {
  return `${PROBE_MODULE}
const [file, sha256] = Deno.args;
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
let answer;
try {
  const bytes = await Deno.readFile(file);
  const digest = hex(await crypto.subtle.digest("SHA-256", bytes));
  answer =
    digest === sha256
      ? await probeModule(() => WebAssembly.compile(bytes))
      : { ok: false, code: "sha256_mismatch", detail: "the artifact changed after it was verified: sha-256 " + digest };
} catch (e) {
  answer = { ok: false, code: "instantiate_failed", detail: message(e) };
}
console.log(JSON.stringify({ ...answer, version: Deno.version.deno }));
`;
}

/**
 * A probe's result from the script's answer (pure). An answer that is not a
 * {@link ProbeAnswer} (the runtime printed something else) is `probe_crashed`.
 *
 * @param runtime - the runtime that answered
 * @param version - its version as known before the run
 * @param answer - the parsed answer
 * @param durationMs - the probe's wall time
 */
export function probeOfAnswer(
  runtime: SmokeRuntime,
  version: string | null,
  answer: unknown,
  durationMs: number,
): SmokeProbe {
  const a = answer as Partial<ProbeAnswer> | null;
  const base = {
    runtime,
    version: typeof a?.version === "string" ? a.version : version,
    duration_ms: Math.max(0, Math.round(durationMs)),
  };
  if (typeof a !== "object" || a === null || typeof a.ok !== "boolean" || typeof a.detail !== "string") {
    return {
      ...base,
      status: "fail",
      reason_code: "probe_crashed",
      detail: `unexpected answer: ${JSON.stringify(answer)}`,
    };
  }
  if (a.ok) return { ...base, status: "pass", reason_code: null, detail: a.detail };
  const code = (SMOKE_REASON_CODES as readonly string[]).includes(a.code ?? "")
    ? (a.code as SmokeReasonCode)
    : "probe_crashed";
  return { ...base, status: "fail", reason_code: code, detail: a.detail };
}

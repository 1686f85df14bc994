/**
 * The workerd probe: a Worker of two modules, the probe script and the artifact as a
 * `CompiledWasm` module (how a Worker imports WebAssembly), started on workerd through
 * Miniflare on 127.0.0.1 and asked once. Disposed (workerd stopped) after the answer or when
 * the timeout passes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Readable } from "node:stream";
import { EDGE_COMPATIBILITY_DATE } from "../../../edge/host/compatibility";
import { probeOfAnswer, workerdProbeScript } from "./probe-script";
import type { SmokeProbe } from "./report";

/** workerd as installed (Miniflare and its `workerd` package), or what is missing. */
export type Workerd = { found: true; version: string | null } | { found: false; missing: string };

/**
 * Finds Miniflare and the workerd binary it runs.
 *
 * @param from - the directory to resolve `miniflare` from
 */
export function findWorkerd(from: string): Workerd {
  try {
    const miniflare = require.resolve("miniflare", { paths: [from] });
    const workerd = require(require.resolve("workerd", { paths: [path.dirname(miniflare)] })) as {
      default?: unknown;
      version?: unknown;
    };
    if (typeof workerd.default !== "string" || !fs.existsSync(workerd.default)) {
      return {
        found: false,
        missing:
          "workerd binary not found (the workerd package has no platform binary); reinstall the npm dependencies with their optional ones",
      };
    }
    return { found: true, version: typeof workerd.version === "string" ? workerd.version : null };
  } catch (e) {
    return {
      found: false,
      missing: `miniflare/workerd not found under ${from}/node_modules (${e instanceof Error ? e.message.split("\n")[0] : String(e)}); run npm install`,
    };
  }
}

function firstLines(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("at "));
  const uncaught = lines.find((l) => /Uncaught|Error/.test(l) && !l.startsWith("MiniflareCoreError"));
  return uncaught ?? lines.slice(0, 2).join(" | ");
}

/**
 * Probes one artifact in workerd.
 *
 * @param version - workerd's version ({@link findWorkerd})
 * @param bytes - the artifact's verified bytes (loaded as they are: what was checked is what runs)
 * @param timeoutMs - stop workerd after this long
 */
export async function probeWorkerd(
  version: string | null,
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<SmokeProbe> {
  const { Miniflare } = await import("miniflare");
  const started = performance.now();
  let stderr = "";
  const mf = new Miniflare({
    modules: [
      { type: "ESModule", path: "probe.mjs", contents: workerdProbeScript() },
      { type: "CompiledWasm", path: "artifact.wasm", contents: bytes },
    ],
    compatibilityDate: EDGE_COMPATIBILITY_DATE,
    host: "127.0.0.1",
    port: 0,
    cf: false,
    handleRuntimeStdio(stdout: Readable, err: Readable) {
      stdout.resume();
      err.on("data", (b: Buffer) => {
        stderr += b.toString("utf8");
      });
    },
  });
  // A Worker that fails to start rejects `ready` too; dispatchFetch reports it.
  mf.ready.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const fail = (reason_code: SmokeProbe["reason_code"], detail: string): SmokeProbe => ({
    runtime: "workerd",
    version,
    status: "fail",
    reason_code,
    detail,
    duration_ms: Math.round(performance.now() - started),
  });
  try {
    const answered = mf.dispatchFetch("http://probe/").then(
      async (r) => ({ answer: (await r.json()) as unknown }),
      (e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }),
    );
    const outcome = await Promise.race([answered, timedOut]);
    if (outcome === "timeout")
      return fail("timeout", `no answer within ${timeoutMs} ms; workerd was stopped`);
    if ("error" in outcome) {
      // A module workerd cannot compile or link fails the Worker's startup.
      return fail("instantiate_failed", firstLines(`${outcome.error}\n${stderr}`));
    }
    return probeOfAnswer("workerd", version, outcome.answer, performance.now() - started);
  } finally {
    clearTimeout(timer);
    await mf.dispose().catch(() => undefined);
  }
}

/**
 * `glidepath evidence capture|compare --stack S`: screenshots of the key flows (each app's main
 * pages, the investor status panel) in headless Chromium, stored per build with their SHA-256s
 * and the environment's fingerprint (`capture`), and a pixel comparison with another build's
 * shots taken under the same fingerprint (`compare`; another fingerprint is refused, not
 * compared). The build is the stack's current bundles ({@link stackBundles}, {@link buildId}).
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { readEdgeRecord } from "../../edge/host/discovery";
import { GlidepathError } from "../lib/errors";
import { captureEvidence } from "../lib/evidence/capture";
import { DEFAULT_THRESHOLD, parseThreshold, percent } from "../lib/evidence/compare";
import { compareEvidence, driftError } from "../lib/evidence/compare-files";
import { stackBundles } from "../lib/gate/bundles";
import { buildId, evidenceManifestFile } from "../lib/gate/verdict";
import { emit, openProjectOf, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "evidence <action>";
export const describe =
  "screenshot the key flows of the stack's current build (capture), compare them with another build's (compare)";

export function builder(y: Argv) {
  return withStackOptions(y)
    .positional("action", { type: "string", choices: ["capture", "compare"] })
    .option("base-url", {
      type: "string",
      describe: "capture: the edge that serves the stack (default: the stack's running `glidepath edge`)",
    })
    .option("against", { type: "string", describe: "compare: the baseline's build id (16 hex digits)" })
    .option("threshold", {
      type: "string",
      default: percent(DEFAULT_THRESHOLD),
      describe: "compare: the largest share of a shot's pixels that may differ, as 0.1% or 0.001",
    });
}

const args = stackArgs.extend({
  action: z.enum(["capture", "compare"]),
  baseUrl: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).optional(),
  against: z
    .string()
    .regex(/^[0-9a-f]{16}$/, { error: "expected a build id of 16 lowercase hex digits" })
    .optional(),
  threshold: z.string().refine((t) => parseThreshold(t) !== undefined, {
    error: "expected a share of pixels from 0% to 100%, as 0.1% or 0.001",
  }),
});

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const projectDir = await openProjectOf(a);
  const bundles = await stackBundles(projectDir, a.stack);
  const id = buildId(bundles);
  const manifestFile = evidenceManifestFile(projectDir, a.stack, id);
  if (a.action === "capture") {
    const baseUrl = a.baseUrl ?? (await readEdgeRecord(projectDir, a.stack))?.url;
    if (baseUrl === undefined)
      throw new GlidepathError(
        "GP_EDGE_NOT_RUNNING",
        `no edge of stack ${a.stack} is running and no --base-url was given`,
        `start it (glidepath edge --stack ${a.stack}) or pass --base-url http://HOST:PORT/ of an edge that serves the stack`,
      );
    progressLine(`capturing the evidence of build ${id} from ${baseUrl}`);
    const manifest = await captureEvidence({ baseUrl, bundles, manifestFile });
    emit(a.json, { stack: a.stack, buildId: id, file: manifestFile, manifest }, () =>
      [
        `build ${id}: ${manifest.shots.length} shots, ${manifest.fingerprint.browser} ${manifest.fingerprint.viewport.width}×${manifest.fingerprint.viewport.height}`,
        ...manifest.shots.map((s) => `  ${s.name} sha256 ${s.sha256} ${s.file}`),
        `manifest: ${manifestFile}`,
      ].join("\n"),
    );
    return;
  }
  if (a.against === undefined)
    throw new GlidepathError(
      "GP_ARG_INVALID",
      "--against is required for `evidence compare`",
      "pass --against <build id> of a build whose evidence was captured",
    );
  const threshold = parseThreshold(a.threshold) as number;
  const c = await compareEvidence({
    current: { file: manifestFile, id },
    baseline: { file: evidenceManifestFile(projectDir, a.stack, a.against), id: a.against },
    threshold,
  });
  emit(a.json, { stack: a.stack, comparison: c }, () =>
    [
      `build ${id} against ${a.against} (threshold ${percent(threshold)}): ${c.result}`,
      ...c.shots.map((s) => `  ${s.detail}${s.diffFile ? ` (diff: ${s.diffFile})` : ""}`),
    ].join("\n"),
  );
  if (c.result === "FAIL") throw driftError(c);
}

/**
 * Gate check `evidence`: this build's evidence manifest (`glidepath evidence capture`) exists,
 * parses, names exactly this build's bundles, and every shot file has the SHA-256 it records.
 * Its shot digests go into the verdict.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { bundleDifferences } from "../admit";
import { buildId, evidenceManifestFile, evidenceManifestSchema } from "../verdict";
import { type GateCheck, outcomeOf } from "./context";

export const evidenceCheck: GateCheck = {
  id: "evidence",
  title: "evidence present",
  async run(ctx) {
    const id = buildId({ ...ctx.bundles });
    const file = evidenceManifestFile(ctx.projectDir, ctx.stack.name, id);
    const capture = `run \`glidepath evidence capture --stack ${ctx.stack.name}\``;
    const text = await fs.readFile(file, "utf8").catch(() => undefined);
    if (text === undefined)
      return { status: "FAIL", detail: `no evidence for build ${id} (${file}): ${capture}` };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { status: "FAIL", detail: `${file} is not JSON: ${capture}` };
    }
    const parsed = evidenceManifestSchema.safeParse(json);
    if (!parsed.success)
      return {
        status: "FAIL",
        detail: `${file} does not parse (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}): ${capture}`,
      };
    const m = parsed.data;
    const problems: string[] = [];
    if (m.buildId !== id) problems.push(`${file} is for build ${m.buildId}, not ${id}`);
    const diff = bundleDifferences(m.bundles, ctx.bundles);
    if (diff.length > 0) problems.push(`the evidence names other bundles: ${diff.join(", ")}`);
    if (m.shots.length === 0) problems.push(`${file} has no shots`);
    const evidence: Record<string, string> = {};
    for (const s of m.shots) {
      const at = path.resolve(path.dirname(file), s.file);
      const bytes = await fs.readFile(at).catch(() => undefined);
      const sha = bytes === undefined ? undefined : createHash("sha256").update(bytes).digest("hex");
      if (sha === undefined) problems.push(`shot ${s.name}: ${at} is missing`);
      else if (sha !== s.sha256)
        problems.push(
          `shot ${s.name}: ${s.file} has sha256 ${sha.slice(0, 12)}…, the manifest says ${s.sha256.slice(0, 12)}…`,
        );
      else evidence[s.name] = sha;
    }
    const out = outcomeOf(
      problems.length > 0 ? [...problems, capture] : [],
      `${m.shots.length} shots of build ${id} match`,
    );
    return out.status === "PASS" ? { ...out, evidence } : out;
  },
};

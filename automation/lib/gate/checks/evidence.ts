/**
 * Gate check `evidence`: this build's evidence manifest (`glidepath evidence capture`) exists,
 * validates, names exactly this build's bundles, and every shot file has the SHA-256 it records
 * (the evidence module's own verifier). Its shot digests go into the verdict.
 */
import { GlidepathError } from "../../errors";
import { verifyEvidence } from "../../evidence/manifest";
import { bundleDifferences } from "../admit";
import { buildId, evidenceManifestFile } from "../verdict";
import { type GateCheck, outcomeOf } from "./context";

export const evidenceCheck: GateCheck = {
  id: "evidence",
  title: "evidence present",
  async run(ctx) {
    const id = buildId({ ...ctx.bundles });
    const file = evidenceManifestFile(ctx.projectDir, ctx.stack.name, id);
    const capture = `run \`glidepath evidence capture --stack ${ctx.stack.name}\``;
    let verified: Awaited<ReturnType<typeof verifyEvidence>>;
    try {
      verified = await verifyEvidence(file, id);
    } catch (e) {
      if (e instanceof GlidepathError) return { status: "FAIL", detail: `${e.message}: ${capture}` };
      throw e;
    }
    if (verified === undefined)
      return { status: "FAIL", detail: `no evidence for build ${id} (${file}): ${capture}` };
    const m = verified.manifest;
    const problems = verified.problems.map((p) => `shot ${p.detail}`);
    const diff = bundleDifferences(m.bundles, ctx.bundles);
    if (diff.length > 0) problems.push(`the evidence names other bundles: ${diff.join(", ")}`);
    if (m.shots.length === 0) problems.push(`${file} has no shots`);
    const out = outcomeOf(
      problems.length > 0 ? [...problems, capture] : [],
      `${m.shots.length} shots of build ${id} match`,
    );
    return out.status === "PASS"
      ? { ...out, evidence: Object.fromEntries(m.shots.map((s) => [s.name, s.sha256])) }
      : out;
  },
};

/**
 * Comparing a build's evidence with a baseline build's on disk: both manifests verified against
 * their files first, refused across fingerprints, then every shot decoded and compared; a
 * magenta-on-grey diff PNG is written beside the current build's shots for each that differs.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { GlidepathError } from "../errors";
import type { EvidenceManifest } from "../gate/verdict";
import { compareImages, judgeShot, missingShots, percent, type ShotResult, sameFingerprint } from "./compare";
import { verifyEvidence } from "./manifest";
import { decodePng, encodePng } from "./png";

/** The outcome of a comparison. */
export interface EvidenceComparison {
  buildId: string;
  against: string;
  threshold: number;
  fingerprint: EvidenceManifest["fingerprint"];
  /** `PASS` when every shot is the same or within the threshold. */
  result: "PASS" | "FAIL";
  shots: (ShotResult & { diffFile?: string })[];
}

async function load(file: string, id: string, role: string) {
  const v = await verifyEvidence(file, id);
  if (v === undefined)
    throw new GlidepathError(
      "GP_EVIDENCE_MISSING",
      `no evidence manifest for the ${role} build ${id} (${file})`,
      role === "current"
        ? "capture it first: glidepath evidence capture --stack S"
        : "pass --against the id of a build whose evidence was captured (glidepath history --stack S --build <id> shows it)",
    );
  if (v.problems.length > 0)
    throw new GlidepathError(
      "GP_EVIDENCE_INVALID",
      `the ${role} build's evidence does not match its manifest:\n${v.problems.map((p) => `  ${p.detail}`).join("\n")}`,
      "capture the evidence again; keep the altered directory if it is needed as evidence",
    );
  return v;
}

/** Options of {@link compareEvidence}. */
export interface CompareOptions {
  /** The current build's manifest and id. */
  current: { file: string; id: string };
  /** The baseline's manifest and id. */
  baseline: { file: string; id: string };
  /** Largest share of differing pixels per shot (0 to 1). */
  threshold: number;
}

/**
 * Compares two builds' evidence.
 *
 * @param opts - the two manifests and the threshold
 * @returns the comparison (result `FAIL` when a shot drifted or is missing; the caller decides the exit)
 * @throws GlidepathError `GP_EVIDENCE_FINGERPRINT_MISMATCH` (exit 2) when the fingerprints differ: nothing is compared
 * @throws GlidepathError `GP_EVIDENCE_MISSING` / `GP_EVIDENCE_INVALID` for an absent or altered manifest
 */
export async function compareEvidence(opts: CompareOptions): Promise<EvidenceComparison> {
  const cur = await load(opts.current.file, opts.current.id, "current");
  const base = await load(opts.baseline.file, opts.baseline.id, "baseline");
  const a = base.manifest.fingerprint;
  const b = cur.manifest.fingerprint;
  if (!sameFingerprint(a, b))
    throw new GlidepathError(
      "GP_EVIDENCE_FINGERPRINT_MISMATCH",
      `the baseline ${opts.baseline.id} was taken with ${a.browser} at ${a.viewport.width}×${a.viewport.height}, this build ${opts.current.id} with ${b.browser} at ${b.viewport.width}×${b.viewport.height}: shots from different environments are not compared`,
      "capture the baseline build's evidence again in this environment, or compare against a build captured with the same browser, fonts and viewport",
    );
  const names = (m: EvidenceManifest) => m.shots.map((s) => s.name);
  const shots: EvidenceComparison["shots"] = missingShots(names(base.manifest), names(cur.manifest));
  const curDir = path.dirname(opts.current.file);
  for (const s of cur.manifest.shots) {
    const old = base.manifest.shots.find((x) => x.name === s.name);
    if (old === undefined) continue;
    if (old.sha256 === s.sha256) {
      shots.push(judgeShot(s.name, 0, opts.threshold));
      continue;
    }
    const d = compareImages(
      decodePng(await fs.readFile(path.join(path.dirname(opts.baseline.file), old.file))),
      decodePng(await fs.readFile(path.join(curDir, s.file))),
    );
    const r: ShotResult & { diffFile?: string } = judgeShot(s.name, d.fraction, opts.threshold);
    if (d.differing > 0) {
      r.diffFile = path.join(curDir, "diff", `${opts.baseline.id}--${s.file}`);
      await fs.mkdir(path.dirname(r.diffFile), { recursive: true });
      await fs.writeFile(r.diffFile, encodePng(d.diff));
    }
    shots.push(r);
  }
  shots.sort((x, y) => x.name.localeCompare(y.name));
  const failed = shots.some((s) => s.status === "drift" || s.status === "missing");
  return {
    buildId: opts.current.id,
    against: opts.baseline.id,
    threshold: opts.threshold,
    fingerprint: b,
    result: failed ? "FAIL" : "PASS",
    shots,
  };
}

/**
 * The error of a failed comparison, naming every shot over the threshold with its fraction.
 *
 * @param c - a comparison whose result is `FAIL`
 */
export function driftError(c: EvidenceComparison): GlidepathError {
  const bad = c.shots.filter((s) => s.status === "drift" || s.status === "missing");
  return new GlidepathError(
    "GP_EVIDENCE_DRIFT",
    `build ${c.buildId} differs from ${c.against} beyond ${percent(c.threshold)}:\n${bad
      .map((s) => `  ${s.detail}${s.diffFile ? ` (diff: ${s.diffFile})` : ""}`)
      .join("\n")}`,
    "look at the diff images; if the change is intended, take this build as the new baseline",
  );
}

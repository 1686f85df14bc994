/**
 * Pixel comparison of evidence (pure): the fraction of pixels that differ between two shots of
 * a flow, judged against a threshold, and the refusal to compare shots taken under different
 * fingerprints (another browser build or viewport renders differently: such a difference says
 * nothing about the build).
 */
import type { EvidenceManifest } from "../gate/verdict";
import type { RgbaImage } from "./png";

/** The default threshold: 0.1% of a shot's pixels may differ. */
export const DEFAULT_THRESHOLD = 0.001;

/** How two images differ. */
export interface ImageDiff {
  /** Pixels whose RGBA differs in any channel (over the larger of the two sizes). */
  differing: number;
  /** Pixels compared (the larger image's area; a size change counts every pixel outside the overlap). */
  total: number;
  /** `differing / total` (0 when both are empty). */
  fraction: number;
  /** The baseline in grey with every differing pixel in magenta, at the larger size. */
  diff: RgbaImage;
}

/**
 * Compares two images pixel by pixel, exactly (no per-pixel colour tolerance: the threshold is
 * on the share of pixels that differ).
 *
 * @param baseline - the baseline's shot
 * @param current - the current shot
 */
export function compareImages(baseline: RgbaImage, current: RgbaImage): ImageDiff {
  const width = Math.max(baseline.width, current.width);
  const height = Math.max(baseline.height, current.height);
  const diff = new Uint8Array(width * height * 4);
  let differing = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const inA = x < baseline.width && y < baseline.height;
      const inB = x < current.width && y < current.height;
      const a = (y * baseline.width + x) * 4;
      const b = (y * current.width + x) * 4;
      let same = inA && inB;
      for (let c = 0; same && c < 4; c++) same = baseline.data[a + c] === current.data[b + c];
      if (same) {
        const grey = Math.round(
          ((baseline.data[a] as number) +
            (baseline.data[a + 1] as number) +
            (baseline.data[a + 2] as number)) /
            6 +
            128,
        );
        diff.set([grey, grey, grey, 255], o);
      } else {
        differing++;
        diff.set([255, 0, 255, 255], o);
      }
    }
  }
  const total = width * height;
  return {
    differing,
    total,
    fraction: total === 0 ? 0 : differing / total,
    diff: { width, height, data: diff },
  };
}

/**
 * A threshold as given on the command line: `0.1%` or a fraction `0.001`, from 0 to 100%.
 *
 * @param text - the text
 * @returns the fraction, or undefined when it is not a threshold
 */
export function parseThreshold(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (m === null) return undefined;
  const v = Number(m[1]) / (m[2] === "%" ? 100 : 1);
  return v >= 0 && v <= 1 ? v : undefined;
}

/**
 * Whether two manifests' fingerprints are the same (browser build and viewport): the only
 * case in which their shots are compared.
 *
 * @param a - one manifest's fingerprint
 * @param b - the other's
 */
export function sameFingerprint(
  a: EvidenceManifest["fingerprint"],
  b: EvidenceManifest["fingerprint"],
): boolean {
  return (
    a.browser === b.browser &&
    a.viewport.width === b.viewport.width &&
    a.viewport.height === b.viewport.height
  );
}

/** The outcome of one shot's comparison. */
export interface ShotResult {
  name: string;
  /** `same` (0 pixels), `within` (under the threshold), `drift` (over it), `missing` (in one manifest only). */
  status: "same" | "within" | "drift" | "missing";
  /** Share of differing pixels (1 for a missing shot). */
  fraction: number;
  /** Why, for people. */
  detail: string;
}

/** Shows a fraction as a percentage with up to 4 decimals. */
export function percent(f: number): string {
  return `${Number((f * 100).toFixed(4))}%`;
}

/**
 * Judges one shot's fraction against the threshold.
 *
 * @param name - the shot
 * @param fraction - its share of differing pixels
 * @param threshold - the largest share allowed
 */
export function judgeShot(name: string, fraction: number, threshold: number): ShotResult {
  if (fraction === 0) return { name, status: "same", fraction, detail: `${name}: identical` };
  const status = fraction > threshold ? "drift" : "within";
  const word = status === "drift" ? "over" : "within";
  return {
    name,
    status,
    fraction,
    detail: `${name}: ${percent(fraction)} of pixels differ, ${word} the threshold of ${percent(threshold)}`,
  };
}

/**
 * The shots present in one manifest only, each as a `missing` result.
 *
 * @param baseline - the baseline's shot names
 * @param current - the current build's shot names
 */
export function missingShots(baseline: readonly string[], current: readonly string[]): ShotResult[] {
  const only = (names: readonly string[], others: readonly string[], where: string): ShotResult[] =>
    names
      .filter((n) => !others.includes(n))
      .map((n) => ({ name: n, status: "missing", fraction: 1, detail: `${n}: ${where}` }));
  return [
    ...only(baseline, current, "in the baseline, not in this build"),
    ...only(current, baseline, "in this build, not in the baseline"),
  ];
}

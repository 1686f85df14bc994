/**
 * Evidence (pure parts and files in a temp directory): the PNG codec, the pixel comparison
 * against a threshold, the manifest written and checked against its PNGs, and the refusal to
 * compare shots taken under another fingerprint.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { deflateSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { servedMismatch } from "../../automation/lib/evidence/capture";
import { compareImages, judgeShot, parseThreshold } from "../../automation/lib/evidence/compare";
import { compareEvidence, driftError } from "../../automation/lib/evidence/compare-files";
import {
  checkShots,
  readManifest,
  sha256Hex,
  verifyEvidence,
  writeManifest,
} from "../../automation/lib/evidence/manifest";
import { decodePng, encodePng, type RgbaImage } from "../../automation/lib/evidence/png";
import { buildId, EVIDENCE_SCHEMA, type EvidenceManifest } from "../../automation/lib/gate/verdict";

/** A solid image with an optional rectangle of another colour. */
function image(w: number, h: number, rect?: { x: number; y: number; w: number; h: number }): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const inRect = rect && x >= rect.x && x < rect.x + rect.w && y >= rect.y && y < rect.y + rect.h;
      data.set(inRect ? [255, 0, 0, 255] : [10, 20, 30, 255], (y * w + x) * 4);
    }
  return { width: w, height: h, data };
}

describe("the PNG codec", () => {
  it("round-trips an RGBA image", () => {
    const img = image(7, 5, { x: 1, y: 1, w: 2, h: 3 });
    const back = decodePng(encodePng(img));
    expect(back.width).toBe(7);
    expect(back.height).toBe(5);
    expect(Buffer.from(back.data).equals(Buffer.from(img.data))).toBe(true);
  });

  it("undoes every filter type (Sub, Up, Average, Paeth) of an RGB PNG", () => {
    // 3×2 RGB with rows filtered by type 1..4 over known values, checked against the unfiltered pixels.
    const px = [
      [1, 2, 3, 50, 60, 70, 200, 100, 0],
      [9, 8, 7, 40, 30, 20, 255, 255, 255],
    ];
    const w = 3;
    const raw: number[] = [];
    const filterRow = (type: number, row: number[], prev: number[]) => {
      raw.push(type);
      row.forEach((v, i) => {
        const a = i >= 3 ? (row[i - 3] as number) : 0;
        const b = prev[i] ?? 0;
        const c = i >= 3 ? (prev[i - 3] ?? 0) : 0;
        const p = a + b - c;
        const paeth =
          Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
            ? a
            : Math.abs(p - b) <= Math.abs(p - c)
              ? b
              : c;
        const pred = type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >> 1 : paeth;
        raw.push((v - pred) & 0xff);
      });
    };
    for (const [t1, t2] of [
      [1, 2],
      [3, 4],
    ] as const) {
      raw.length = 0;
      filterRow(t1, px[0] as number[], []);
      filterRow(t2, px[1] as number[], px[0] as number[]);
      const ihdr = Buffer.alloc(13);
      ihdr.writeUInt32BE(w, 0);
      ihdr.writeUInt32BE(2, 4);
      ihdr.set([8, 2, 0, 0, 0], 8);
      const rgba = encodePng({ width: 1, height: 1, data: new Uint8Array(4) });
      // Reuse the encoder's chunk framing by swapping in our IHDR and IDAT.
      const chunk = (type: string, body: Buffer) => {
        const head = Buffer.alloc(8);
        head.writeUInt32BE(body.length, 0);
        head.write(type, 4, "latin1");
        return Buffer.concat([head, body, Buffer.alloc(4)]);
      };
      const png = Buffer.concat([
        rgba.subarray(0, 8),
        chunk("IHDR", ihdr),
        chunk("IDAT", deflateSync(Buffer.from(raw))),
        chunk("IEND", Buffer.alloc(0)),
      ]);
      const img = decodePng(png);
      const rgb = [...img.data].filter((_, i) => i % 4 !== 3);
      expect(rgb, `filters ${t1},${t2}`).toEqual(px.flat());
    }
  });

  it("refuses what it does not decode, naming it", () => {
    expect(() => decodePng(Buffer.from("GIF89a"))).toThrow("not a PNG");
    const png = encodePng(image(2, 2));
    png[8 + 8 + 8] = 16; // IHDR bit depth
    expect(() => decodePng(png)).toThrow("bit depth 16");
  });
});

describe("the pixel comparison", () => {
  it("finds no difference between identical images", () => {
    const d = compareImages(image(40, 30), image(40, 30));
    expect(d).toMatchObject({ differing: 0, total: 1200, fraction: 0 });
    expect(judgeShot("wix/index", d.fraction, 0.001).status).toBe("same");
  });

  it("counts a changed region and judges it against the threshold", () => {
    const d = compareImages(image(100, 100), image(100, 100, { x: 10, y: 10, w: 5, h: 4 }));
    expect(d.differing).toBe(20);
    expect(d.fraction).toBe(0.002);
    expect(judgeShot("panel", d.fraction, 0.001)).toEqual({
      name: "panel",
      status: "drift",
      fraction: 0.002,
      detail: "panel: 0.2% of pixels differ, over the threshold of 0.1%",
    });
    expect(judgeShot("panel", d.fraction, 0.005).status).toBe("within");
  });

  it("counts every pixel outside the overlap when the size changed", () => {
    const d = compareImages(image(10, 10), image(10, 12));
    expect(d).toMatchObject({ differing: 20, total: 120 });
  });

  it("reads thresholds as percentages or fractions", () => {
    expect(parseThreshold("0.1%")).toBe(0.001);
    expect(parseThreshold("0.02")).toBe(0.02);
    expect(parseThreshold("150%")).toBeUndefined();
    expect(parseThreshold("-1")).toBeUndefined();
    expect(parseThreshold("a lot")).toBeUndefined();
  });
});

describe("the manifest and the comparison of two builds", () => {
  let root: string;
  const fp = (browser: string): EvidenceManifest["fingerprint"] => ({
    browser,
    viewport: { width: 100, height: 100 },
  });

  /** Writes a build's evidence (its PNGs and manifest) and returns its manifest file. */
  async function build(
    tag: string,
    shots: Record<string, RgbaImage>,
    browser = "chromium/156 linux-x64",
  ): Promise<{ file: string; id: string }> {
    const bundles = { [`wix@${tag}`]: sha256Hex(Buffer.from(tag)) };
    const id = buildId(bundles);
    const dir = path.join(root, id);
    await fs.mkdir(dir, { recursive: true });
    const list: EvidenceManifest["shots"] = [];
    for (const [name, img] of Object.entries(shots)) {
      const png = encodePng(img);
      const file = `${name.replace("/", "--")}.png`;
      await fs.writeFile(path.join(dir, file), png);
      list.push({ name, file, sha256: sha256Hex(png) });
    }
    const file = path.join(dir, "evidence.json");
    await writeManifest(file, {
      schema: EVIDENCE_SCHEMA,
      buildId: id,
      bundles,
      fingerprint: fp(browser),
      time: "2026-12-02T10:00:00.000Z",
      shots: list,
    });
    return { file, id };
  }

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "gp-evidence-"));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it("writes a manifest that validates and whose shots match their files", async () => {
    const b = await build("v1", { "wix/index": image(20, 20), panel: image(20, 20) });
    const v = await verifyEvidence(b.file, b.id);
    expect(v?.problems).toEqual([]);
    expect(v?.manifest.shots.map((s) => s.name)).toEqual(["wix/index", "panel"]);
    await expect(readManifest(path.join(root, "none.json"))).resolves.toBeUndefined();
  });

  it("reports a shot whose file changed after the manifest, or that leaves the directory", async () => {
    const b = await build("v1", { "wix/index": image(20, 20) });
    await fs.appendFile(path.join(path.dirname(b.file), "wix--index.png"), "x");
    const v = await verifyEvidence(b.file, b.id);
    expect(v?.problems.map((p) => p.problem)).toEqual(["digest-mismatch"]);
    const m = (await readManifest(b.file)) as EvidenceManifest;
    const outside = { ...m, shots: [{ ...(m.shots[0] as EvidenceManifest["shots"][0]), file: "../x.png" }] };
    expect((await checkShots(path.dirname(b.file), outside)).map((p) => p.problem)).toEqual(["outside"]);
  });

  it("refuses a manifest that is not one, with GP_EVIDENCE_INVALID naming the field", async () => {
    const file = path.join(root, "evidence.json");
    await fs.writeFile(file, JSON.stringify({ schema: EVIDENCE_SCHEMA, buildId: "xyz" }));
    await expect(readManifest(file)).rejects.toMatchObject({
      code: "GP_EVIDENCE_INVALID",
      message: expect.stringContaining("buildId"),
    });
  });

  it("compares identical builds as PASS with every shot the same", async () => {
    const a = await build("v1", { "wix/index": image(50, 40) });
    const b = await build("v2", { "wix/index": image(50, 40) });
    const c = await compareEvidence({ current: b, baseline: a, threshold: 0.001 });
    expect(c.result).toBe("PASS");
    expect(c.shots).toEqual([expect.objectContaining({ name: "wix/index", status: "same", fraction: 0 })]);
  });

  it("fails a changed region over the threshold, naming the shot and the fraction, with a diff PNG", async () => {
    const a = await build("v1", { "wix/index": image(50, 40), panel: image(50, 40) });
    const b = await build("v2", {
      "wix/index": image(50, 40),
      panel: image(50, 40, { x: 0, y: 0, w: 10, h: 2 }),
    });
    const c = await compareEvidence({ current: b, baseline: a, threshold: 0.001 });
    expect(c.result).toBe("FAIL");
    const panel = c.shots.find((s) => s.name === "panel");
    expect(panel).toMatchObject({ status: "drift", fraction: 0.01 });
    const diff = decodePng(await fs.readFile(panel?.diffFile as string));
    expect([...diff.data.subarray(0, 4)]).toEqual([255, 0, 255, 255]);
    const e = driftError(c);
    expect(e.code).toBe("GP_EVIDENCE_DRIFT");
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain("panel: 1% of pixels differ, over the threshold of 0.1%");
    // Under a looser threshold the same change passes.
    expect((await compareEvidence({ current: b, baseline: a, threshold: 0.02 })).result).toBe("PASS");
  });

  it("fails when a shot is missing on one side", async () => {
    const a = await build("v1", { "wix/index": image(5, 5), panel: image(5, 5) });
    const b = await build("v2", { "wix/index": image(5, 5) });
    const c = await compareEvidence({ current: b, baseline: a, threshold: 0.5 });
    expect(c.result).toBe("FAIL");
    expect(c.shots.find((s) => s.name === "panel")?.status).toBe("missing");
  });

  it("refuses to compare against a baseline of another fingerprint (exit 2), even for identical pixels", async () => {
    const a = await build("v1", { "wix/index": image(5, 5) }, "chromium/150 linux-x64");
    const b = await build("v2", { "wix/index": image(5, 5) }, "chromium/156 linux-x64");
    const err = await compareEvidence({ current: b, baseline: a, threshold: 0.001 }).catch((e) => e);
    expect(err).toMatchObject({ code: "GP_EVIDENCE_FINGERPRINT_MISMATCH", exitCode: 2 });
    expect(err.message).toContain("chromium/150 linux-x64");
    expect(err.message).toContain("chromium/156 linux-x64");
  });

  it("refuses an absent baseline with GP_EVIDENCE_MISSING, and altered evidence with GP_EVIDENCE_INVALID", async () => {
    const b = await build("v2", { "wix/index": image(5, 5) });
    const missing = { file: path.join(root, "0123456789abcdef", "evidence.json"), id: "0123456789abcdef" };
    await expect(compareEvidence({ current: b, baseline: missing, threshold: 0 })).rejects.toMatchObject({
      code: "GP_EVIDENCE_MISSING",
      exitCode: 2,
    });
    const a = await build("v1", { "wix/index": image(5, 5) });
    await fs.writeFile(path.join(path.dirname(a.file), "wix--index.png"), encodePng(image(5, 6)));
    await expect(compareEvidence({ current: b, baseline: a, threshold: 0 })).rejects.toMatchObject({
      code: "GP_EVIDENCE_INVALID",
    });
  });
});

describe("what counts as evidence of a build", () => {
  const bundles = { "wix@v1": "a".repeat(64), "gamma@v1": "b".repeat(64) };
  it("accepts a page served by one of the build's releases", () => {
    expect(servedMismatch("wix/index", "wix@v1", bundles)).toBeUndefined();
  });
  it("refuses a page served by another release, or by something that is not the edge", () => {
    expect(servedMismatch("wix/index", "wix@v2", bundles)).toBe(
      "wix/index: served by wix@v2, which is not in this build (wix@v1, gamma@v1)",
    );
    expect(servedMismatch("panel", undefined, bundles)).toContain("not a glidepath edge");
  });
});

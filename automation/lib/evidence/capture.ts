/**
 * Capturing a build's evidence: headless Chromium (the same `findChromium` browser as the
 * panel's screenshot, driven by playwright-core) opens each key flow on the stack's edge and
 * writes a PNG per flow, then the manifest with each PNG's SHA-256, the build's bundles and
 * the environment's fingerprint. Rendering is pinned where the browser allows: a fixed
 * viewport, device scale factor 1, UTC and `en-US`, reduced motion, animations stopped and the
 * caret hidden, and the panel's live figures (clock, request counts, latencies) masked.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";
import { findChromium } from "../demo/panel-shot";
import { GlidepathError } from "../errors";
import { buildId, EVIDENCE_SCHEMA, type EvidenceManifest } from "../gate/verdict";
import { sha256Hex, shotFileName, writeManifest } from "./manifest";

/** One key flow: a page of an app and what to wait for before the shot. */
export interface EvidenceFlow {
  /** Stable name, e.g. `wix/index`. */
  name: string;
  /** Path on the edge, e.g. `/wix/`. */
  path: string;
  /** A selector the page shows once it has rendered. @default - the load event only */
  ready?: string;
  /** Selectors of parts that change on every load (clocks), painted over in the shot. @default - none */
  mask?: readonly string[];
}

/** The key flows: each app's main pages and the investor status panel. */
export const EVIDENCE_FLOWS: readonly EvidenceFlow[] = [
  { name: "wix/index", path: "/wix/" },
  { name: "wix/about", path: "/wix/about.html" },
  { name: "wix/pricing", path: "/wix/pricing.html" },
  {
    name: "panel",
    path: "/gamma/",
    ready: 'body[data-loaded="true"]',
    // The live figures: the clock line, each app's chip (request counts) and SLO lines (counts, p99).
    mask: ["#updated", ".card .chip", ".card dd:nth-of-type(4)", ".card dd:nth-of-type(5)"],
  },
];

/** The visitor every shot is taken as (the edge's split is sticky per visitor). */
export const EVIDENCE_VISITOR = "glidepath-evidence";

/**
 * Why a page's answer cannot count as evidence of the build, or undefined when it can: the edge
 * names the release that served it (`x-glidepath-release: <app>@<version>`), and that release
 * must be one of the build's bundles, or the shot would show another build's pages.
 *
 * @param flow - the flow's name
 * @param served - the answer's `x-glidepath-release` header (undefined when absent)
 * @param bundles - the build's bundles
 */
export function servedMismatch(
  flow: string,
  served: string | undefined,
  bundles: Readonly<Record<string, string>>,
): string | undefined {
  if (served === undefined)
    return `${flow}: the answer names no release (no x-glidepath-release header): not a glidepath edge`;
  if (!(served in bundles))
    return `${flow}: served by ${served}, which is not in this build (${Object.keys(bundles).join(", ")})`;
  return undefined;
}

/** The viewport every shot is taken at (device scale factor 1). */
export const EVIDENCE_VIEWPORT = { width: 1280, height: 900 } as const;

/**
 * A digest of the fonts fontconfig offers (`fc-list`), or `unknown` without fontconfig: text
 * renders with whatever fonts are installed, so they are part of the fingerprint.
 */
async function fontsDigest(): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("fc-list", [":", "family", "file"], { timeout: 10_000 });
    const lines = stdout
      .split("\n")
      .filter((l) => l.trim() !== "")
      .sort();
    return sha256Hex(Buffer.from(lines.join("\n"))).slice(0, 12);
  } catch {
    return "unknown";
  }
}

/** Options of {@link captureEvidence}. */
export interface CaptureOptions {
  /** The edge's base URL, e.g. `http://127.0.0.1:8787/`. */
  baseUrl: string;
  /** The build's bundles (its id is {@link buildId} of them). */
  bundles: Record<string, string>;
  /** The manifest to write; the PNGs go beside it. */
  manifestFile: string;
  /** The flows. @default EVIDENCE_FLOWS */
  flows?: readonly EvidenceFlow[];
  /** The Chromium binary. @default findChromium() */
  chromium?: string;
  /** Bound of each page load and wait (ms). @default 15000 */
  timeoutMs?: number;
  /** The clock. @default () => new Date() */
  now?: () => Date;
}

/**
 * Takes the shots and writes the PNGs and the manifest. Nothing is written until every flow
 * answered from a release of the build; the directory's earlier PNGs of the same flows are then
 * replaced, and the manifest is written last, so it never names a PNG that is not there.
 *
 * @param opts - where, what and with which browser
 * @throws GlidepathError `GP_TOOLCHAIN_MISSING` without a Chromium; `GP_TARGET_UNREACHABLE` when a page does not answer 200;
 *   `GP_EVIDENCE_BUILD_MISMATCH` when a page is served by a release outside the build
 */
export async function captureEvidence(opts: CaptureOptions): Promise<EvidenceManifest> {
  const executablePath = opts.chromium ?? findChromium();
  if (executablePath === undefined)
    throw new GlidepathError(
      "GP_TOOLCHAIN_MISSING",
      "no Chromium found for the evidence screenshots",
      "install Debian's chromium package (bash scripts/bootstrap.sh does) or set GLIDEPATH_CHROMIUM to a Chromium binary",
    );
  const timeout = opts.timeoutMs ?? 15_000;
  const dir = path.dirname(opts.manifestFile);
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath, timeout });
  const shots: EvidenceManifest["shots"] = [];
  const pngs: Buffer[] = [];
  let version: string;
  try {
    version = browser.version();
    const context = await browser.newContext({
      viewport: EVIDENCE_VIEWPORT,
      deviceScaleFactor: 1,
      timezoneId: "UTC",
      locale: "en-US",
      reducedMotion: "reduce",
      colorScheme: "light",
      extraHTTPHeaders: { "x-glidepath-visitor": EVIDENCE_VISITOR },
    });
    const page = await context.newPage();
    for (const flow of opts.flows ?? EVIDENCE_FLOWS) {
      const url = new URL(flow.path, opts.baseUrl).toString();
      const res = await page.goto(url, { timeout, waitUntil: "load" });
      if (res === null || res.status() !== 200)
        throw new GlidepathError(
          "GP_TARGET_UNREACHABLE",
          `evidence flow ${flow.name}: ${url} answered ${res === null ? "nothing" : `HTTP ${res.status()}`}`,
          "start the stack's edge (glidepath edge --stack S) or pass --base-url of one that serves the stack",
        );
      const mismatch = servedMismatch(flow.name, res.headers()["x-glidepath-release"], opts.bundles);
      if (mismatch !== undefined)
        throw new GlidepathError(
          "GP_EVIDENCE_BUILD_MISMATCH",
          `${url}: ${mismatch}; nothing was written`,
          "deploy the stack's config first (glidepath up / rollout), or point --base-url at the edge that serves this build",
        );
      if (flow.ready !== undefined) await page.waitForSelector(flow.ready, { timeout });
      await page.evaluate(
        () =>
          (globalThis as unknown as { document: { fonts: { ready: Promise<unknown> } } }).document.fonts
            .ready,
      );
      const file = shotFileName(flow.name);
      const png = await page.screenshot({
        fullPage: true,
        animations: "disabled",
        caret: "hide",
        scale: "css",
        mask: (flow.mask ?? []).map((m) => page.locator(m)),
        maskColor: "#FF00FF",
        timeout,
      });
      pngs.push(png);
      shots.push({ name: flow.name, file, sha256: sha256Hex(png) });
    }
  } finally {
    await browser.close();
  }
  const manifest: EvidenceManifest = {
    schema: EVIDENCE_SCHEMA,
    buildId: buildId(opts.bundles),
    bundles: opts.bundles,
    fingerprint: {
      browser: `chromium/${version} ${process.platform}-${process.arch} dpr1 fonts:${await fontsDigest()}`,
      viewport: { ...EVIDENCE_VIEWPORT },
    },
    time: (opts.now?.() ?? new Date()).toISOString(),
    shots,
  };
  // Every page answered for this build: only now is anything written.
  await fs.mkdir(dir, { recursive: true });
  for (const [i, s] of shots.entries()) await fs.writeFile(path.join(dir, s.file), pngs[i] as Buffer);
  await writeManifest(opts.manifestFile, manifest);
  return manifest;
}

/**
 * A screenshot of the investor panel in headless Chromium (Debian's `chromium`, driven by
 * playwright-core; nothing downloads a browser).
 */
import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";

/** Where Debian (and older Ubuntu) install Chromium, in the order they are tried. */
const SYSTEM_CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/**
 * The Chromium binary: `GLIDEPATH_CHROMIUM` when it names an existing file, else the first
 * existing of Debian's paths; undefined when there is none.
 *
 * @param env - the environment to read `GLIDEPATH_CHROMIUM` from @default process.env
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.GLIDEPATH_CHROMIUM, ...SYSTEM_CHROMIUM];
  return candidates.find((c): c is string => typeof c === "string" && c !== "" && existsSync(c));
}

/** Options of {@link screenshotPanel}. */
export interface PanelShotOptions {
  /** The panel's URL, e.g. `http://127.0.0.1:8787/gamma/`. */
  url: string;
  /** The PNG to write (its directory is created). */
  out: string;
  /** The Chromium binary. @default findChromium() */
  chromium?: string;
  /** Bound of the page load and of the wait for the first render (ms). @default 15000 */
  timeoutMs?: number;
}

/**
 * Opens the panel in headless Chromium (1280×900), waits for its first render
 * (`[data-loaded="true"]`) and writes a full-page PNG. Without a Chromium it skips, with the
 * reason, rather than throwing.
 *
 * @param opts - the panel URL, the PNG path, the browser and the time bound
 */
export async function screenshotPanel(
  opts: PanelShotOptions,
): Promise<{ file: string } | { skipped: string }> {
  const executablePath = opts.chromium ?? findChromium();
  if (executablePath === undefined)
    return { skipped: "no Chromium found (install Debian's chromium package or set GLIDEPATH_CHROMIUM)" };
  const timeout = opts.timeoutMs ?? 15_000;
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath, timeout });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(opts.url, { timeout });
    await page.waitForSelector('[data-loaded="true"]', { timeout });
    await fs.mkdir(path.dirname(opts.out), { recursive: true });
    await page.screenshot({ path: opts.out, fullPage: true, timeout });
    return { file: opts.out };
  } finally {
    await browser.close();
  }
}

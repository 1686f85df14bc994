/**
 * A screenshot of the investor panel in headless Chromium (Debian's `chromium`, driven by
 * playwright-core; nothing downloads a browser).
 */
import { existsSync } from "node:fs";
import * as fs from "node:fs/promises";
import * as path from "node:path";

/**
 * The Chromium binary: `GLIDEPATH_CHROMIUM`, else Debian's.
 *
 * @param env - the environment @default process.env
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.GLIDEPATH_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((c): c is string => typeof c === "string" && c !== "" && existsSync(c));
}

/**
 * Opens the panel and writes a full-page PNG.
 *
 * @param opts - the panel URL, the PNG path, the browser @default chromium - {@link findChromium}
 */
export async function screenshotPanel(opts: {
  url: string;
  out: string;
  chromium?: string;
  timeoutMs?: number;
}): Promise<{ file: string } | { skipped: string }> {
  const executablePath = opts.chromium ?? findChromium();
  if (executablePath === undefined)
    return { skipped: "no Chromium found (install Debian's chromium package)" };
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(opts.url, { timeout: opts.timeoutMs ?? 15_000 });
    await page.waitForSelector('[data-loaded="true"]', { timeout: opts.timeoutMs ?? 15_000 });
    await fs.mkdir(path.dirname(opts.out), { recursive: true });
    await page.screenshot({ path: opts.out, fullPage: true });
    return { file: opts.out };
  } finally {
    await browser.close();
  }
}

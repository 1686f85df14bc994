/**
 * The investor panel in a real browser: Debian's Chromium driven by playwright-core, against
 * the real edge (the Worker on workerd) serving the panel's release. axe-core finds no WCAG
 * 2.1 AA violation, every interactive element is reachable by Tab and shows a focus ring,
 * and the SLO chip turns red after a breach injected through the admin endpoint.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium, screenshotPanel } from "../../automation/lib/demo/panel-shot";
import { publishSample, writeRoute } from "../../bench/helpers/target-root";
import { type EdgeHost, startEdgeHost } from "../../edge/host/edge-host";
import type { Timeline } from "../../edge/host/timeline";

/**
 * The browser globals the in-page callbacks use. The project compiles without the DOM lib
 * (it would change Node's WebAssembly types), so the callbacks cast `globalThis` to this;
 * the casts are erased before playwright sends the callbacks to the page.
 */
interface InPage {
  document: {
    activeElement: InPageElement | null;
    querySelector(selector: string): InPageElement | null;
    getElementById(id: string): InPageElement | null;
    createElement(tag: string): InPageElement;
  };
  getComputedStyle(el: InPageElement): {
    outlineStyle: string;
    outlineWidth: string;
    outlineColor: string;
    backgroundColor: string;
    color: string;
  };
  axe: {
    run(
      context: unknown,
      options: unknown,
    ): Promise<{ violations: { id: string; help: string; nodes: { target: unknown }[] }[] }>;
  };
}

/** An element, as far as the callbacks read it. */
interface InPageElement {
  outerHTML: string;
  textContent: string | null;
  id: string;
  hidden: boolean;
  style: { color: string };
  dataset: Record<string, string | undefined>;
  blur(): void;
  remove(): void;
  append(child: InPageElement): void;
  getAttribute(name: string): string | null;
}

const chromiumPath = findChromium();
if (chromiumPath === undefined && process.env.CI) {
  throw new Error("Debian's chromium package is missing; bash .ci/run installs it (scripts/bootstrap.sh)");
}
if (chromiumPath === undefined) console.log("panel tests skipped: no Chromium (apt-get install chromium)");

const KEY = "panel-test-admin-key-0123456789";
/** Good requests per app side before the browser opens (the edge's guard is 20). */
const GOOD_PER_SIDE = 60;
const timeline: Timeline = {
  ramp: { version: "v2", apps: ["gamma"], step: 2, weight: 50, startedAt: "2026-11-22T09:00:00.000Z" },
  updates: [
    {
      version: 3,
      at: "2026-11-22T09:02:00.000Z",
      kind: "update",
      result: "succeeded",
      message: "glidepath canary:50 gamma@v2",
      events: [
        { phase: "canary:25", verdict: "insufficient_traffic", reason: "gamma: 12 of 20 requests" },
        { phase: "canary:25", verdict: "pass" },
      ],
    },
    {
      version: 2,
      at: "2026-11-22T09:01:00.000Z",
      kind: "update",
      result: "succeeded",
      message: "glidepath canary:5 gamma@v2",
      events: [{ phase: "canary:5", verdict: "pass" }],
    },
    {
      version: 1,
      at: "2026-11-22T09:00:00.000Z",
      kind: "update",
      result: "succeeded",
      message: "glidepath rollback gamma@v0",
      events: [{ phase: "canary:5", verdict: "fail" }, { phase: "rollback:triggered" }],
    },
  ],
};

/** The relative luminance of a CSS `rgb()`/`rgba()` color (WCAG 2.1). */
function luminance(css: string): number {
  const m = /^rgba?\((\d+), (\d+), (\d+)/.exec(css);
  if (m === null) throw new Error(`not an rgb() color: ${css}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((c) => {
    const s = Number(c) / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG contrast ratio of two CSS colors. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Sends good requests to an app until each of its sides served `perSide`; returns the counts. */
async function goodTraffic(base: URL, app: string, sides: readonly string[], perSide: number) {
  const served: Record<string, number> = {};
  const done = () => sides.every((s) => (served[s] ?? 0) >= perSide);
  for (let batch = 0; !done(); batch++) {
    if (batch >= 40) throw new Error(`${app}: sides after 40 batches ${JSON.stringify(served)}`);
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const res = await fetch(new URL(`/${app}/`, base), {
          headers: { "x-glidepath-visitor": `${app}-${batch}-${i}` },
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${app}: HTTP ${res.status}`);
        const side = res.headers.get("x-glidepath-side") ?? "none";
        served[side] = (served[side] ?? 0) + 1;
      }),
    );
  }
  return served;
}

/** The chip of an app: state, text and background color. */
function chip(page: Page, app: string) {
  return page.$eval(`.chip[data-app="${app}"]`, (node) => {
    const el = node as unknown as InPageElement;
    const style = (globalThis as unknown as InPage).getComputedStyle(el);
    return {
      state: el.dataset.state,
      text: el.textContent ?? "",
      background: style.backgroundColor,
      color: style.color,
    };
  });
}

describe.skipIf(chromiumPath === undefined)("the investor panel in headless Chromium", () => {
  let root: string;
  let edge: EdgeHost;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "gp-panel-"));
    const gammaStable = await publishSample(root, "gamma", "v1");
    const gammaCanary = await publishSample(root, "gamma", "v2");
    const wixStable = await publishSample(root, "wix", "v1");
    await writeRoute(root, "gamma", gammaStable, gammaCanary, 50);
    await writeRoute(root, "wix", wixStable);
    edge = await startEdgeHost({
      stack: "panel-test",
      root,
      apps: ["gamma", "wix"],
      adminKey: KEY,
      minRequests: 20,
      minScore: 99,
      timeline: async () => timeline,
    });
    // Good traffic on every release, so every chip has a verdict.
    expect(await goodTraffic(edge.url, "gamma", ["stable", "canary"], GOOD_PER_SIDE)).toEqual({
      stable: expect.any(Number),
      canary: expect.any(Number),
    });
    expect(await goodTraffic(edge.url, "wix", ["stable"], GOOD_PER_SIDE)).toEqual({
      stable: expect.any(Number),
    });
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: chromiumPath as string });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(new URL("/gamma/", edge.url).toString());
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  /** axe-core's WCAG 2.1 A/AA violations on the page now, one line each. */
  const axeViolations = () =>
    page.evaluate(async () => {
      const w = globalThis as unknown as InPage;
      const r = await w.axe.run(w.document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      });
      return r.violations.map(
        (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")})`,
      );
    });

  it("fails if axe-core finds any WCAG 2.1 A or AA violation", async () => {
    await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
    expect(await axeViolations()).toEqual([]);
    // The check is live: a dim line of text on black is caught, then removed again.
    await page.evaluate(() => {
      const { document } = globalThis as unknown as InPage;
      const p = document.createElement("p");
      p.id = "dim";
      p.style.color = "#444444";
      p.textContent = "dim text";
      document.querySelector("main")?.append(p);
    });
    expect((await axeViolations()).join("\n")).toContain("color-contrast");
    await page.evaluate(() => (globalThis as unknown as InPage).document.getElementById("dim")?.remove());
  });

  it("reaches every interactive element by Tab, each with a visible focus ring", async () => {
    const focusable = await page.$$eval(
      "a[href], button, summary, input, select, textarea, [tabindex]:not([tabindex='-1'])",
      (els) =>
        (els as unknown as InPageElement[]).filter((e) => !e.hidden).map((e) => e.outerHTML.slice(0, 80)),
    );
    // The skip link, the pause button, two app links, three history entries.
    expect(focusable.length).toBeGreaterThanOrEqual(7);
    const positive = await page.$$eval(
      "[tabindex]",
      (els) =>
        (els as unknown as InPageElement[]).filter((e) => Number(e.getAttribute("tabindex")) > 0).length,
    );
    expect(positive, "elements with a positive tabindex").toBe(0);
    await page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.blur());
    const reached: string[] = [];
    for (let i = 0; i < focusable.length; i++) {
      await page.keyboard.press("Tab");
      const f = await page.evaluate(() => {
        const w = globalThis as unknown as InPage;
        const el = w.document.activeElement as InPageElement;
        const s = w.getComputedStyle(el);
        return {
          html: el.outerHTML.slice(0, 80),
          outline: s.outlineStyle,
          width: Number.parseFloat(s.outlineWidth),
          color: s.outlineColor,
        };
      });
      expect(f.outline, `focus ring on ${f.html}`).not.toBe("none");
      expect(f.width, `focus ring width on ${f.html}`).toBeGreaterThanOrEqual(3);
      expect(f.color).toBe("rgb(0, 255, 255)");
      reached.push(f.html);
    }
    expect(reached).toEqual(focusable);
  });

  it("shows green chips on good traffic, with dark text (contrast ≥ 4.5:1) and the state in words", async () => {
    for (const app of ["gamma", "wix"]) {
      const c = await chip(page, app);
      expect(c.state).toBe("ok");
      expect(c.background).toBe("rgb(57, 255, 20)");
      expect(contrast(c.color, c.background)).toBeGreaterThanOrEqual(4.5);
      expect(c.text).toContain("✓ SLO 100.0% — meeting 99%");
    }
    expect((await chip(page, "gamma")).text).toContain("canary");
    expect((await chip(page, "wix")).text).toContain("stable");
    expect(await page.textContent("#app-gamma + .chip + dl")).toContain("v2, step 3 at 50%");
    expect(await page.getAttribute("#weight-gamma", "aria-valuetext")).toBe("50% of traffic on the canary");
  });

  it("lists the history newest first, with every gate verdict in words", async () => {
    const entries = await page.$$eval("#history > li > details > summary", (els) =>
      (els as unknown as InPageElement[]).map((e) => e.textContent ?? ""),
    );
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatch(/^#3 · .+ · glidepath canary:50 gamma@v2 — succeeded — /);
    expect(entries[0]).toContain("canary:25: gate insufficient traffic");
    expect(entries[1]).toContain("canary:5: gate pass");
    expect(entries[2]).toContain("canary:5: gate fail, rollback triggered");
  });

  it("fails if an injected breach does not turn the gamma chip red within 10 s (wix stays green)", async () => {
    const res = await fetch(new URL("/_glidepath/admin/faults", edge.url), {
      method: "POST",
      headers: { "content-type": "application/json", "x-wiredchaos-key": KEY },
      body: JSON.stringify({ app: "gamma", side: "canary", count: 200, status: 503 }),
    });
    expect(res.status).toBe(200);
    await page.waitForFunction(
      () =>
        (globalThis as unknown as InPage).document
          .querySelector('.chip[data-app="gamma"]')
          ?.getAttribute("data-state") === "breach",
      null,
      {
        timeout: 10_000,
      },
    );
    const gamma = await chip(page, "gamma");
    expect(gamma.background).toBe("rgb(255, 49, 49)");
    expect(contrast(gamma.color, gamma.background)).toBeGreaterThanOrEqual(4.5);
    expect(gamma.text).toMatch(/^✕ SLO \d+\.\d% — BREACH \(min 99%\)/);
    expect((await chip(page, "wix")).state).toBe("ok");
    expect(await page.textContent("#summary")).toContain("SLO breach on gamma");
  });

  it("writes a PNG screenshot of the panel", async () => {
    const out = path.join(root, "shot", "panel.png");
    const r = await screenshotPanel({ url: new URL("/gamma/", edge.url).toString(), out });
    expect(r).toEqual({ file: out });
    const png = await fs.readFile(out);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.length).toBeGreaterThan(10_000);
  });
});

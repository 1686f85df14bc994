/**
 * The did:key bootstrap derivation is one implementation that runs in three places and gives
 * one DID: Node (what `glidepath did init` runs), headless Chromium (WebCrypto HKDF and
 * Ed25519) importing the module the local edge serves at `/_glidepath/did-key.js`, and a
 * Worker on workerd (Miniflare) running that same module text.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findChromium } from "../../automation/lib/demo/panel-shot";
import { EDGE_COMPATIBILITY_DATE } from "../../edge/host/compatibility";
import { startEdgeHost } from "../../edge/host/edge-host";
import { type DidKeyIdentity, deriveDidKey, didKeyModuleSource } from "../../edge/worker/did-key-derive";

const input = {
  method: "key",
  network: "testnet",
  subject: "operator@example",
  entropy: "e2e-entropy-0123456789abcdef",
};
/** The W3C CCG all-zero seed vector, through the same module's didKeyOfSeed. */
const ZERO_SEED_DID = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

interface Derived {
  derived: DidKeyIdentity;
  zero: string;
}

let expected: DidKeyIdentity;
beforeAll(async () => {
  expected = (await deriveDidKey(input)) as DidKeyIdentity;
});

const chromiumPath = findChromium();
if (chromiumPath === undefined && process.env.CI) {
  throw new Error("Debian's chromium package is missing; bash .ci/run installs it (scripts/bootstrap.sh)");
}

describe.skipIf(chromiumPath === undefined)("in headless Chromium, from the module the edge serves", () => {
  let root: string;
  let edge: Awaited<ReturnType<typeof startEdgeHost>>;
  let browser: Browser;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "gp-did-browser-"));
    edge = await startEdgeHost({
      stack: "did-test",
      root,
      apps: [],
      adminKey: "did-test-admin-key-0123456789",
    });
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: chromiumPath as string });
  });

  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it("derives the same DID and key as Node", async () => {
    const res = await fetch(new URL("/_glidepath/did-key.js", edge.url));
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await res.text()).toContain("export async function deriveDidKey(input)");
    const page = await browser.newPage();
    await page.goto(new URL("/_glidepath/health", edge.url).toString());
    // A string, so the page itself runs the dynamic import (vitest rewrites import() in callbacks).
    const got = (await page.evaluate(`(async () => {
      const m = await import("/_glidepath/did-key.js");
      return { derived: await m.deriveDidKey(${JSON.stringify(input)}), zero: (await m.didKeyOfSeed(new Uint8Array(32))).did };
    })()`)) as Derived;
    expect(got).toEqual({ derived: expected, zero: ZERO_SEED_DID });
  });
});

describe("in a Worker on workerd", () => {
  it("derives the same DID and key as Node", async () => {
    const { Miniflare } = await import("miniflare");
    const mf = new Miniflare({
      modules: [
        {
          type: "ESModule",
          path: "index.mjs",
          contents: `import { deriveDidKey, didKeyOfSeed } from "./did-key.mjs";
export default { async fetch(req) {
  return Response.json({ derived: await deriveDidKey(await req.json()), zero: (await didKeyOfSeed(new Uint8Array(32))).did });
} };`,
        },
        { type: "ESModule", path: "did-key.mjs", contents: didKeyModuleSource() },
      ],
      compatibilityDate: EDGE_COMPATIBILITY_DATE,
    });
    try {
      const res = await mf.dispatchFetch("http://worker/", { method: "POST", body: JSON.stringify(input) });
      expect(await res.json()).toEqual({ derived: expected, zero: ZERO_SEED_DID });
    } finally {
      await mf.dispose();
    }
  });
});

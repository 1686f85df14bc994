/**
 * An evidence manifest fixture: one shot file and the manifest naming it, as
 * `glidepath evidence capture` writes them, for tests of the gate's evidence check.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";

/**
 * Writes `wix-index.png` beside `manifestFile` and the manifest for build `id`.
 *
 * @param manifestFile - where the manifest goes ({@link evidenceManifestFile})
 * @param id - the build id
 * @param bundles - the build's bundles
 * @param png - the shot's bytes @default - a fixed fixture
 * @returns the shot's SHA-256 hex
 */
export async function writeEvidenceFixture(
  manifestFile: string,
  id: string,
  bundles: Record<string, string>,
  png: Buffer = Buffer.from("\x89PNG fixture of wix/index"),
): Promise<string> {
  await fs.mkdir(path.dirname(manifestFile), { recursive: true });
  await fs.writeFile(path.join(path.dirname(manifestFile), "wix-index.png"), png);
  const sha256 = createHash("sha256").update(png).digest("hex");
  await fs.writeFile(
    manifestFile,
    JSON.stringify({
      schema: "glidepath.evidence/v1",
      buildId: id,
      bundles,
      fingerprint: { browser: "chromium fixture", viewport: { width: 1280, height: 800 } },
      time: "2026-12-02T10:00:00.000Z",
      shots: [{ name: "wix/index", file: "wix-index.png", sha256 }],
    }),
  );
  return sha256;
}

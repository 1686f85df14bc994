/**
 * Deploy logs: the rendered text keeps every secret out (values under secret-named keys, the
 * given secret values, credentials in URLs), a secret scan of the written files finds nothing,
 * each log is written once under the build's directory, and its digest is the file's SHA-256.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deployLogDir, readDeployLogs, writeDeployLog } from "../../automation/lib/deploy-log/log-file";
import { DEPLOY_LOG_HEADER, renderDeployLog } from "../../automation/lib/deploy-log/render";
import { filesUnder, scanTexts } from "../helpers/secret-scan";

const PASSPHRASE = "correct-horse-battery-staple";
const ADMIN_KEY = "admin-key-0123456789abcdef";
const URL_PASSWORD = "Pr0beTok3nLog";
const URL_TOKEN = "Qv4lueLog77";
const SECRETS = [PASSPHRASE, ADMIN_KEY, URL_PASSWORD, URL_TOKEN];
const ID = "0123456789abcdef";

/** Sections as a release run gives them, each with a secret somewhere in it. */
const sections = [
  {
    title: "gate",
    body: {
      result: "PASS",
      checks: [{ id: "health", detail: `probe http://u:${URL_PASSWORD}@127.0.0.1/slo?token=${URL_TOKEN}` }],
    },
  },
  {
    title: "approval",
    body: { signer: "rm@example.com", nonce: "n-1", signingKeyPassphrase: "whatever-it-is" },
  },
  {
    title: "update",
    body: { updateVersion: 7, message: "glidepath canary:100 wix@v2", adminKey: ADMIN_KEY },
  },
  {
    title: "verification",
    body: `verify-live PASS 3 consecutive; env PULUMI_CONFIG_PASSPHRASE=${PASSPHRASE}`,
  },
];

describe("deploy logs", () => {
  let root: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), "gp-deploy-log-"));
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it("renders the header and every section, with no secret in it", () => {
    const text = renderDeployLog({
      stack: "production",
      buildId: ID,
      time: new Date("2026-12-02T10:00:00Z"),
      sections,
      secrets: [PASSPHRASE],
    });
    expect(text.split("\n").slice(0, 4)).toEqual([
      DEPLOY_LOG_HEADER,
      "stack production",
      `build ${ID}`,
      "time 2026-12-02T10:00:00.000Z",
    ]);
    for (const t of [
      "## gate",
      "## approval",
      "## update",
      "## verification",
      '"signer": "rm@example.com"',
      '"updateVersion": 7',
    ])
      expect(text).toContain(t);
    expect(text).toContain('"adminKey": "***"');
    expect(text).toContain('"signingKeyPassphrase": "***"');
    expect(text).toContain("http://127.0.0.1/slo?token=***");
    expect(scanTexts({ log: text }, SECRETS)).toEqual([]);
  });

  it("without the redaction the scan would find them (the test is live)", () => {
    expect(scanTexts({ raw: JSON.stringify(sections) }, SECRETS).length).toBe(SECRETS.length);
  });

  it("writes under the build's directory, never replaces a log, and returns the file's SHA-256", async () => {
    const backendUrl = `file://${root}`;
    const now = () => new Date("2026-12-02T10:00:00Z");
    const opts = {
      projectDir: root,
      stack: "production",
      buildId: ID,
      sections,
      secrets: [PASSPHRASE],
      backendUrl,
      now,
    };
    const a = await writeDeployLog(opts);
    const b = await writeDeployLog(opts);
    expect(path.dirname(a.file)).toBe(path.join(root, ".glidepath-audit", "production", "deploy-logs", ID));
    expect(a.file).not.toBe(b.file);
    expect(a.digest).toBe(
      createHash("sha256")
        .update(await fs.readFile(a.file))
        .digest("hex"),
    );
    expect(await readDeployLogs(root, "production", ID, backendUrl)).toEqual([a, b]);
    expect(scanTexts(await filesUnder(root), SECRETS)).toEqual([]);
  });

  it("refuses a build id that is not one (no path outside the audit directory)", () => {
    expect(() => deployLogDir(root, "production", "../../etc")).toThrow(
      expect.objectContaining({ code: "GP_ARG_INVALID" }),
    );
  });
});

/**
 * A production rollback to a golden tag without a new approval: admitted only for a tag the
 * verified log names, not quarantined, whose recorded bundles are its build's and were shipped
 * by an approved, successful deploy, and only for exactly those bundles. Each other case is
 * refused with its own code.
 */
import { describe, expect, it } from "vitest";
import { judgeGoldenRestore, judgeProductionUpdate } from "../../automation/lib/approval/golden-restore";
import type { AuditEntry } from "../../automation/lib/audit/entry";
import { buildId } from "../../automation/lib/gate/verdict";
import { GOLDEN_SCHEMA, parseGoldenRecord } from "../../automation/lib/golden/record-file";

const hex = (c: string) => c.repeat(64);
const STACK = "production";
const TAG = "prod-2026-12-03";
/** The golden build: v2 after its ramp. */
const golden = { "gamma@v2": hex("b"), "wasm:edge": hex("e"), "wix@v2": hex("a") };
/** The ramp that shipped it: stable v1 plus canary v2. */
const ramp = { ...golden, "gamma@v1": hex("1"), "wix@v1": hex("2") };

let seq = 0;
const entry = (kind: AuditEntry["kind"], data: Record<string, unknown>): AuditEntry => ({
  seq: ++seq,
  prev: hex("0"),
  time: "2026-12-03T08:00:00.000Z",
  kind,
  data: { stack: STACK, ...data },
});
const approvedDeploy = (bundles: Record<string, string>, result = "succeeded") =>
  entry("deploy", {
    result,
    bundles,
    buildId: buildId(bundles),
    approval: { signer: "rm@example.com", nonce: "n" },
  });
const created = entry("golden", {
  tag: TAG,
  action: "create",
  buildId: buildId(golden),
  archiveDigest: hex("c"),
});

const judge = (entries: AuditEntry[], over: Partial<Parameters<typeof judgeGoldenRestore>[0]> = {}) =>
  judgeGoldenRestore({
    stack: STACK,
    tag: TAG,
    log: { entries },
    recordBundles: golden,
    bundles: golden,
    ...over,
  });

describe("golden restore admission", () => {
  it("admits the tag's bundles, shipped by an approved ramp, and any subset of them", () => {
    const log = [approvedDeploy(ramp), created];
    expect(judge(log)).toMatchObject({ ok: true, buildId: buildId(golden), approvedAt: log[0]?.seq });
    expect(judge(log, { bundles: { "wix@v2": hex("a") } }).ok).toBe(true);
  });

  it("refuses a log that does not verify, an unknown tag and a quarantined one", () => {
    expect(judge([], { log: { finding: "line 3: hash-mismatch: x" } })).toMatchObject({
      ok: false,
      code: "GP_AUDIT_INVALID",
    });
    expect(judge([approvedDeploy(ramp)])).toMatchObject({ ok: false, code: "GP_GOLDEN_UNKNOWN" });
    const q = entry("golden", { tag: TAG, action: "quarantine" });
    expect(judge([approvedDeploy(ramp), created, q])).toMatchObject({
      ok: false,
      code: "GP_GOLDEN_QUARANTINED",
    });
  });

  it("refuses a record that is missing or not the tag's build", () => {
    const log = [approvedDeploy(ramp), created];
    expect(judge(log, { recordBundles: undefined })).toMatchObject({ ok: false, code: "GP_GOLDEN_CORRUPT" });
    const forged = { ...golden, "wix@v2": hex("f") };
    expect(judge(log, { recordBundles: forged, bundles: forged })).toMatchObject({
      ok: false,
      code: "GP_GOLDEN_CORRUPT",
    });
  });

  it("refuses a build no approved, successful deploy shipped", () => {
    const unapproved = entry("deploy", { result: "succeeded", bundles: ramp });
    expect(judge([unapproved, created])).toMatchObject({ ok: false, code: "GP_APPROVAL_MISSING" });
    expect(judge([approvedDeploy(ramp, "failed"), created])).toMatchObject({
      ok: false,
      code: "GP_APPROVAL_MISSING",
    });
    const other = { ...ramp, "wix@v2": hex("9") };
    expect(judge([approvedDeploy(other), created])).toMatchObject({ ok: false, code: "GP_APPROVAL_MISSING" });
  });

  it("refuses a bundle the tag does not hold, or holds with another digest", () => {
    const log = [approvedDeploy(ramp), created];
    const extra = judge(log, { bundles: { ...golden, "wix@v3": hex("3") } });
    expect(extra).toMatchObject({ ok: false, code: "GP_APPROVAL_DIGEST_MISMATCH" });
    expect(!extra.ok && extra.message).toContain("bundle wix@v3");
    // A release an approved deploy already shipped (one the restore retires) is not new.
    // The pack's view only; the driver and the program admit the tag's bundles alone.
    expect(judge(log, { bundles: { ...golden, "wix@v1": hex("2") }, admitShipped: true }).ok).toBe(true);
    expect(judge(log, { bundles: { ...golden, "wix@v1": hex("2") } }).ok).toBe(false);
    expect(judge(log, { bundles: { ...golden, "wix@v1": hex("5") }, admitShipped: true }).ok).toBe(false);
    const changed = judge(log, { bundles: { ...golden, "wix@v2": hex("4") } });
    expect(changed).toMatchObject({ ok: false, code: "GP_APPROVAL_DIGEST_MISMATCH" });
  });

  it("without a golden restore, the approval decides", () => {
    const noApproval = {
      approval: undefined,
      file: "/x/approval.json",
      stack: STACK,
      verdict: undefined,
      signers: [],
      consumed: new Set<string>(),
      bundles: golden,
      now: new Date(),
    };
    expect(judgeProductionUpdate(noApproval)).toMatchObject({ ok: false, code: "GP_APPROVAL_MISSING" });
    const g = judgeProductionUpdate(noApproval, {
      stack: STACK,
      tag: TAG,
      log: { entries: [approvedDeploy(ramp), created] },
      recordBundles: golden,
    });
    expect(g.ok).toBe(true);
  });
});

describe("parseGoldenRecord (what rollback and the program's guard both read)", () => {
  const record = {
    schema: GOLDEN_SCHEMA,
    stack: STACK,
    tag: TAG,
    time: "2026-12-03T08:00:00.000Z",
    buildId: buildId(golden),
    bundles: golden,
    archive: { file: `${TAG}.tar`, sha256: hex("c") },
    updateVersion: 4,
    configDigest: "cfg",
    config: {},
    commit: hex("d").slice(0, 40),
  };
  it("takes the record of this tag on this stack", () => {
    expect(parseGoldenRecord(JSON.stringify(record), STACK, TAG)).toEqual({ record });
  });
  it.each([
    ["not JSON", "{", STACK, TAG, "its record is not JSON"],
    [
      "another tag's",
      JSON.stringify(record),
      STACK,
      `${TAG}.1`,
      "its record is not a golden record of this tag",
    ],
    [
      "another stack's",
      JSON.stringify(record),
      "staging",
      TAG,
      "its record is not a golden record of this tag",
    ],
    [
      "not a record",
      JSON.stringify({ ...record, bundles: { wix: "x" } }),
      STACK,
      TAG,
      "its record is not a golden record of this tag",
    ],
  ])("refuses a record that is %s", (_, text, stack, tag, error) => {
    expect(parseGoldenRecord(text, stack, tag)).toEqual({ error });
  });
});

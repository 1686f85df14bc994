/**
 * One build's record (pure): the updates that name the build or whose version its audit
 * entries record, only its audit entries, the verdict only when its bundles are the build's,
 * its evidence, and its deploy logs matched with the digests the audit recorded.
 */
import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../automation/lib/audit/entry";
import {
  type BuildSources,
  buildFound,
  buildProblems,
  joinBuild,
  renderBuild,
} from "../../automation/lib/driver/build-join";
import {
  buildId,
  EVIDENCE_SCHEMA,
  GATE_VERDICT_SCHEMA,
  type GateVerdict,
} from "../../automation/lib/gate/verdict";
import type { HistoryEntry } from "../../automation/lib/history";

const hex = (c: string) => c.repeat(64);
const BUNDLES = { "wix@v2": hex("a"), "gamma@v1": hex("b") };
const ID = buildId(BUNDLES);
const OTHER = buildId({ "wix@v1": hex("c") });

const update = (version: number, message: string): HistoryEntry => ({
  version,
  kind: "update",
  result: "succeeded",
  message,
  startTime: `2026-12-02T10:0${version}:00.000Z`,
  resourceChanges: {},
  config: { "glidepath:x": { value: "http://u:pw12345678@h/?t=s3cr3tv4lue", secret: false } },
});

let seq = 0;
const entry = (kind: AuditEntry["kind"], data: Record<string, unknown>): AuditEntry => ({
  seq: ++seq,
  prev: hex("0"),
  time: "2026-12-02T10:00:00.000Z",
  kind,
  data,
});

const verdict = (bundles: Record<string, string>): GateVerdict => ({
  schema: GATE_VERDICT_SCHEMA,
  stack: "production",
  result: "PASS",
  time: "2026-12-02T09:59:00.000Z",
  ttlSeconds: 3600,
  bundles,
  policyDigest: hex("d"),
  evidence: {},
  checks: [],
});

const base = () => {
  seq = 0;
  return baseSources();
};

const baseSources = () =>
  ({
    buildId: ID,
    history: [
      update(3, "glidepath up production audit=4:0123456789abcdef"),
      update(2, `gate build ${ID}`),
      update(1, "glidepath up"),
    ],
    audit: {
      file: "/x/.verification_audit.log",
      verified: true as boolean,
      findings: [] as string[],
      entries: [
        entry("gate", { stack: "production", result: "PASS", buildId: ID }),
        entry("gate", { stack: "production", result: "FAIL", buildId: OTHER }),
        entry("deploy", {
          stack: "production",
          result: "succeeded",
          buildId: ID,
          updateVersion: 3,
          deployLogDigest: hex("e"),
        }),
      ],
    },
    verdict: { file: "/x/gate-verdict.json", digest: hex("f"), verdict: verdict(BUNDLES) },
    evidence: {
      file: `/x/evidence/${ID}/evidence.json`,
      manifest: {
        schema: EVIDENCE_SCHEMA,
        buildId: ID,
        bundles: BUNDLES,
        fingerprint: { browser: "chromium/156", viewport: { width: 1280, height: 900 } },
        time: "2026-12-02T10:00:00.000Z",
        shots: [{ name: "panel", file: "panel.png", sha256: hex("1") }],
      },
      problems: [],
    },
    deployLogs: [{ file: "/x/deploy-logs/a.log", digest: hex("e") }],
  }) satisfies BuildSources;

describe("history --build's join", () => {
  it("joins the updates, audit entries, verdict, evidence and deploy logs of the build only", () => {
    const r = joinBuild(base());
    expect(r.updates.map((u) => u.version)).toEqual([3, 2]);
    expect(r.updates[0]).not.toHaveProperty("config");
    expect(r.audit.entries.map((e) => e.data.result)).toEqual(["PASS", "succeeded"]);
    expect(r.verdict).toMatchObject({ result: "PASS", digest: hex("f") });
    expect(r.evidence?.manifest.shots).toHaveLength(1);
    expect(r.deployLogs).toEqual([{ file: "/x/deploy-logs/a.log", digest: hex("e"), recorded: true }]);
    expect(r.missingDeployLogs).toEqual([]);
    expect(buildFound(r)).toBe(true);
    expect(buildProblems(r)).toEqual([]);
    expect(renderBuild(r)).toContain(`build ${ID}`);
  });

  it("leaves out a verdict for other bundles and evidence of another build", () => {
    const s = base();
    s.verdict.verdict = verdict({ "wix@v1": hex("c") });
    s.evidence.manifest.buildId = OTHER;
    const r = joinBuild(s);
    expect(r.verdict).toBeUndefined();
    expect(r.evidence).toBeUndefined();
  });

  it("names a deploy log whose digest the audit does not record, and a recorded digest no log has", () => {
    const s = base();
    s.deployLogs = [{ file: "/x/deploy-logs/a.log", digest: hex("9") }];
    const r = joinBuild(s);
    expect(r.deployLogs[0]?.recorded).toBe(false);
    expect(buildProblems(r)).toEqual([
      `deploy log: audit entry 3 records digest ${hex("e")}, no deploy log of the build has it`,
    ]);
  });

  it("carries the log's findings as problems, and finds nothing for an unknown build", () => {
    const s = base();
    s.audit.verified = false;
    s.audit.findings = ["line 2: hash-mismatch: x"];
    expect(buildProblems(joinBuild(s))).toEqual(["audit: line 2: hash-mismatch: x"]);
    const none = joinBuild({ ...base(), buildId: "ffffffffffffffff", deployLogs: [] });
    expect(buildFound(none)).toBe(false);
  });

  it("a build id inside a longer hex word does not match", () => {
    const s = base();
    s.history = [update(5, `x${ID.slice(1)}0`), update(4, `build=${ID}0`)];
    s.audit.entries = [];
    expect(joinBuild(s).updates).toEqual([]);
  });
});

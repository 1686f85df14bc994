/**
 * Golden tags, pure: their names (`.N` for a second one the same UTC day), the compatibility of a
 * tag's config with today's (the fields listed), what the audit log says a stack earned, and
 * which tag `last-good` means.
 */
import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../automation/lib/audit/entry";
import { incompatibleFields } from "../../automation/lib/golden/compat";
import { goldenTags, lastGood, whyNotEarned } from "../../automation/lib/golden/records";
import { resolveGolden } from "../../automation/lib/golden/restore";
import { GOLDEN_TAG, nextGoldenTag } from "../../automation/lib/golden/tag-name";
import type { HistoryConfigValue } from "../../automation/lib/history";

const plain = (v: unknown): HistoryConfigValue =>
  typeof v === "string"
    ? { value: v, secret: false }
    : { value: JSON.stringify(v), objectValue: v, secret: false };

describe("golden tag names", () => {
  const day = new Date("2026-12-02T23:59:59.000Z");
  it("are prod-YYYY-MM-DD by the UTC date, then .2, .3 the same day, never reusing a name", () => {
    expect(nextGoldenTag(day, [])).toBe("prod-2026-12-02");
    expect(nextGoldenTag(day, ["prod-2026-12-02"])).toBe("prod-2026-12-02.2");
    expect(nextGoldenTag(day, ["prod-2026-12-02", "prod-2026-12-02.2"])).toBe("prod-2026-12-02.3");
    // A gap (a tag deleted from git but still in the log) is not refilled out of order.
    expect(nextGoldenTag(day, ["prod-2026-12-01", "prod-2026-12-01.2"])).toBe("prod-2026-12-02");
    expect(nextGoldenTag(new Date("2026-12-03T00:00:00.000Z"), ["prod-2026-12-02"])).toBe("prod-2026-12-03");
    for (const t of ["prod-2026-12-02", "prod-2026-12-02.2", "prod-2026-12-02.17"])
      expect(GOLDEN_TAG.test(t)).toBe(true);
    for (const t of ["prod-2026-12-2", "prod-2026-12-02.0", "prod-2026-12-02.", "v2", "last-good"])
      expect(GOLDEN_TAG.test(t)).toBe(false);
  });
});

describe("a tag's compatibility with today's config", () => {
  const base = {
    "glidepath:environment": plain("production"),
    "glidepath:apps": plain({ wix: { target: "cloudflare" }, gamma: { target: "local" } }),
    "glidepath:targets": plain({
      cloudflare: { accountId: "acc1", namespaceId: "ns1", edgeUrl: "https://e.example" },
    }),
    "glidepath:releases": plain({ wix: { stable: { version: "v1", source: "apps/wix/v1" } } }),
    "glidepath:weights": plain({ wix: 0 }),
    "glidepath:cloudflareToken": { secret: true },
  } satisfies Record<string, HistoryConfigValue>;

  it("is compatible when only what a rollback restores differs (releases, weights, flags, generation)", () => {
    const now = {
      ...base,
      "glidepath:releases": plain({ wix: { stable: { version: "v2", source: "apps/wix/v2" } } }),
      "glidepath:weights": plain({ wix: 25 }),
      "glidepath:generation": plain("7"),
    };
    expect(incompatibleFields(base, now)).toEqual([]);
  });

  it("lists each changed target id, removed or added app, changed environment and removed secret", () => {
    const now: Record<string, HistoryConfigValue> = {
      ...base,
      "glidepath:environment": plain("staging"),
      "glidepath:apps": plain({ wix: { target: "local" }, panel: { target: "local" } }),
      "glidepath:targets": plain({
        cloudflare: { accountId: "acc1", namespaceId: "ns2", edgeUrl: "https://e.example" },
      }),
    };
    delete now["glidepath:cloudflareToken"];
    expect(incompatibleFields(base, now)).toEqual([
      "glidepath:apps.gamma: in the tag, removed since",
      "glidepath:apps.panel: added since the tag (a rollback would retire its releases)",
      'glidepath:apps.wix.target: "cloudflare" → "local"',
      "glidepath:cloudflareToken: a secret in the tag, absent today",
      'glidepath:environment: "production" → "staging"',
      'glidepath:targets.cloudflare.namespaceId: "ns1" → "ns2"',
    ]);
  });
});

let seq = 0;
const entry = (kind: AuditEntry["kind"], data: Record<string, unknown>): AuditEntry => ({
  seq: ++seq,
  prev: "0".repeat(64),
  time: "2026-12-02T10:00:00.000Z",
  kind,
  data: { stack: "production", ...data },
});

describe("what the audit log says a build earned", () => {
  const pass = (buildId: string, updateVersion: number) =>
    entry("verify-live", {
      result: "PASS",
      buildId,
      updateVersion,
      releases: [],
      consecutive: 3,
      rolledBack: false,
    });

  it("a build earns a tag with a verify-live PASS for it after its last deploy, and not otherwise", () => {
    expect(whyNotEarned([], "production", "b1")).toMatch(/no verify-live entry/);
    const deployed = [entry("deploy", { result: "succeeded", buildId: "b1" })];
    expect(whyNotEarned(deployed, "production", "b1", 4)).toMatch(
      /newest entry after the last deploy is a deploy/,
    );
    expect(whyNotEarned([...deployed, pass("b1", 4)], "production", "b1", 4)).toBeUndefined();
    // A PASS of another build, of an older update, a FAIL, or a deploy after the PASS: not earned.
    expect(whyNotEarned([pass("b0", 4)], "production", "b1", 4)).toMatch(
      /for build b0, the stack deploys build b1/,
    );
    expect(whyNotEarned([pass("b1", 3)], "production", "b1", 4)).toMatch(
      /verified update 3, the stack is on update 4/,
    );
    expect(
      whyNotEarned(
        [pass("b1", 4), entry("verify-live", { result: "FAIL", buildId: "b1" })],
        "production",
        "b1",
        4,
      ),
    ).toMatch(/is a FAIL/);
    expect(whyNotEarned([pass("b1", 4), ...deployed], "production", "b1", 4)).toMatch(/is a deploy/);
    expect(
      whyNotEarned(
        [entry("deploy", { result: "failed", buildId: "b1" }), pass("b1", 4)],
        "production",
        "b1",
        4,
      ),
    ).toMatch(/deploy of build b1 .* is failed/);
    // Another stack's entries never count.
    expect(
      whyNotEarned(
        [{ ...pass("b1", 4), data: { ...pass("b1", 4).data, stack: "staging" } }],
        "production",
        "b1",
        4,
      ),
    ).toMatch(/no verify-live entry/);
  });

  it("last-good is the newest tag not quarantined; unknown and quarantined tags are refused by code", () => {
    const log = [
      entry("golden", {
        tag: "prod-2026-12-01",
        action: "create",
        buildId: "b1",
        archiveDigest: "a".repeat(64),
      }),
      entry("golden", {
        tag: "prod-2026-12-02",
        action: "create",
        buildId: "b2",
        archiveDigest: "b".repeat(64),
      }),
      entry("golden", { tag: "prod-2026-12-02", action: "quarantine", buildId: "b2" }),
      // A quarantine of a tag never created makes nothing golden.
      entry("golden", { tag: "prod-2026-12-03", action: "quarantine", buildId: "b3" }),
    ];
    const tags = goldenTags(log, "production");
    expect(tags.map((t) => [t.tag, t.quarantined])).toEqual([
      ["prod-2026-12-01", false],
      ["prod-2026-12-02", true],
    ]);
    expect(lastGood(tags)?.tag).toBe("prod-2026-12-01");
    expect(resolveGolden(tags, "production", "last-good").tag).toBe("prod-2026-12-01");
    const code = (to: string) => {
      try {
        resolveGolden(tags, "production", to);
        return "resolved";
      } catch (e) {
        return (e as { code: string; exitCode: number }).code + (e as { exitCode: number }).exitCode;
      }
    };
    expect(code("prod-2026-12-02")).toBe("GP_GOLDEN_QUARANTINED2");
    expect(code("prod-2026-12-03")).toBe("GP_GOLDEN_UNKNOWN2");
    expect(code("prod-2026-11-30")).toBe("GP_GOLDEN_UNKNOWN2");
    const allQuarantined = goldenTags(
      [...log, entry("golden", { tag: "prod-2026-12-01", action: "quarantine", buildId: "b1" })],
      "production",
    );
    expect(() => resolveGolden(allQuarantined, "production", "last-good")).toThrow(
      /no golden tag that is not quarantined/,
    );
  });
});

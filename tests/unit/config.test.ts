import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configPath, parseStackConfig } from "../../infra/config";

const base = {
  "glidepath:environment": "local",
  "glidepath:apps": JSON.stringify({ wix: { target: "local" }, gamma: { target: "local" } }),
  "glidepath:flags": JSON.stringify({ wix: { CanaryEnabled: false }, gamma: { CanaryEnabled: true } }),
};

function issuesOf(raw: Record<string, string>) {
  const r = parseStackConfig(raw);
  if (r.ok) throw new Error("expected the config to be rejected");
  return r.issues;
}

describe("parseStackConfig", () => {
  it("accepts the local stack's config and ignores other namespaces", () => {
    const r = parseStackConfig({ ...base, "aws:region": "us-east-1" });
    expect(r).toEqual({
      ok: true,
      config: {
        environment: "local",
        apps: { wix: { target: "local" }, gamma: { target: "local" } },
        flags: { wix: { CanaryEnabled: false }, gamma: { CanaryEnabled: true } },
      },
    });
  });

  it("defaults flags to none", () => {
    const { "glidepath:flags": _, ...noFlags } = base;
    const r = parseStackConfig(noFlags);
    expect(r.ok && r.config.flags).toEqual({});
  });

  it("fails if a known flag has the wrong type, naming the path and the expected form", () => {
    const issues = issuesOf({
      ...base,
      "glidepath:flags": JSON.stringify({ wix: { CanaryEnabled: "yes" } }),
    });
    expect(issues).toEqual([
      { path: "glidepath:flags.wix.CanaryEnabled", message: 'expected a boolean, got "yes" (string)' },
    ]);
  });

  it("fails if flags name an app that is not declared", () => {
    const issues = issuesOf({ ...base, "glidepath:flags": JSON.stringify({ shop: { X: 1 } }) });
    expect(issues).toEqual([
      { path: "glidepath:flags.shop", message: 'unknown app "shop"; declared apps: gamma, wix' },
    ]);
  });

  it("fails if a flag value is an object", () => {
    const issues = issuesOf({ ...base, "glidepath:flags": JSON.stringify({ wix: { Mode: { a: 1 } } }) });
    expect(issues.map((i) => i.path)).toEqual(["glidepath:flags.wix.Mode"]);
    expect(issues[0]?.message).toMatch(/expected a boolean, a finite number or a string/);
  });

  it("fails if the environment is missing or unknown, listing the allowed values", () => {
    const { "glidepath:environment": _, ...noEnv } = base;
    expect(issuesOf(noEnv)[0]).toEqual({
      path: "glidepath:environment",
      message: "expected one of: local, staging, production",
    });
    expect(issuesOf({ ...base, "glidepath:environment": "prod" })[0]?.message).toBe(
      "expected one of: local, staging, production",
    );
  });

  it("fails if an app names an unknown target or a bad name", () => {
    const issues = issuesOf({
      ...base,
      "glidepath:apps": JSON.stringify({ wix: { target: "s3" }, Bad_Name: { target: "local" } }),
    });
    expect(issues.map((i) => i.path).sort()).toEqual([
      "glidepath:apps.Bad_Name",
      "glidepath:apps.wix.target",
    ]);
  });

  it("fails if a key is misspelled", () => {
    const issues = issuesOf({ ...base, "glidepath:flag": "{}" });
    expect(issues[0]?.message).toBe('unknown key(s) "flag"; remove them or check the spelling');
  });

  it("accepts any well-formed flag map (property)", () => {
    const key = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,20}$/).filter((k) => k !== "CanaryEnabled");
    const value = fc.oneof(fc.boolean(), fc.integer(), fc.string({ maxLength: 50 }));
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 8 }), (flags) => {
        const r = parseStackConfig({ ...base, "glidepath:flags": JSON.stringify({ wix: flags }) });
        return r.ok && JSON.stringify(r.config.flags.wix) === JSON.stringify(flags);
      }),
    );
  });
});

describe("configPath", () => {
  it("renders nested and indexed paths as pulumi config --path takes them", () => {
    expect(configPath(["flags", "wix", "CanaryEnabled"])).toBe("glidepath:flags.wix.CanaryEnabled");
    expect(configPath(["steps", 2])).toBe("glidepath:steps[2]");
    expect(configPath([])).toBe("glidepath");
  });
});

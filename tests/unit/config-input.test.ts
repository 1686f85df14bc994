/**
 * Config errors name the value found (never a secret's), a namespace close to `glidepath:` is
 * refused while others warn, and a stack file's YAML errors carry their line (probe C1, C3,
 * C6, C7, D13).
 */
import { describe, expect, it } from "vitest";
import { yamlSyntaxIssue } from "../../automation/lib/stack-file-syntax";
import { parseStackConfig } from "../../infra/config";
import { editDistance, namespaceFindings } from "../../infra/config-namespaces";

const base = {
  "glidepath:environment": "local",
  "glidepath:apps": JSON.stringify({ wix: { target: "local" } }),
};

function lines(raw: Record<string, string>, secretKeys?: ReadonlySet<string>): string[] {
  const r = parseStackConfig(raw, secretKeys);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe("config errors show the value found", () => {
  it("an environment, a weight, a source outside the project, a duration", () => {
    expect(lines({ ...base, "glidepath:environment": "5" })).toEqual([
      "glidepath:environment: expected one of: local, staging, production, got 5",
    ]);
    expect(
      lines({
        ...base,
        "glidepath:releases": JSON.stringify({
          wix: {
            stable: { version: "v1", source: "../../etc" },
            canary: { version: "v2", source: "apps/wix/v2" },
          },
        }),
        "glidepath:weights": JSON.stringify({ wix: 150 }),
        "glidepath:rollout": JSON.stringify({ window: "10 minutes" }),
      }),
    ).toEqual([
      `glidepath:releases.wix.stable.source: expected a path inside the project (relative, no '..'), got "../../etc"`,
      "glidepath:weights.wix: expected an integer from 0 to 100, got 150",
      `glidepath:rollout.window: expected a duration such as 30s, 10m or 1h, got "10 minutes"`,
    ]);
  });

  it("never the value of a secret key", () => {
    const out = lines({ ...base, "glidepath:adminKey": "short-Secr3t" }, new Set(["glidepath:adminKey"]));
    expect(out).toEqual(["glidepath:adminKey: expected at least 16 characters"]);
  });
});

describe("config namespaces", () => {
  it("refuses a namespace within two edits of glidepath, naming the key and the likely one", () => {
    expect(lines({ ...base, "glidpath:weights": '{"wix":50}', "Glide-Path:flags": "{}" })).toEqual([
      'glidpath:weights: unknown namespace "glidpath": no program reads this key; did you mean "glidepath:weights"? rename it, or remove it',
      'Glide-Path:flags: unknown namespace "Glide-Path": no program reads this key; did you mean "glidepath:flags"? rename it, or remove it',
    ]);
  });

  it("warns about other namespaces and lets Pulumi's and the providers' pass", () => {
    const r = parseStackConfig({ ...base, "aws:region": "us-east-1", "pulumi:tags": "{}", "command:x": "1" });
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => w.path)).toEqual(["aws:region"]);
    expect(namespaceFindings(["pulumi:template", "cloudflare:apiToken", "glidepath:x"], "glidepath")).toEqual(
      [],
    );
  });

  it("measures edits", () => {
    expect(editDistance("glidpath", "glidepath")).toBe(1);
    expect(editDistance("gildepath", "glidepath")).toBe(2);
    expect(editDistance("command", "glidepath")).toBeGreaterThan(2);
  });
});

describe("yamlSyntaxIssue", () => {
  it("names the line of a tab indentation and of an unclosed quote; valid YAML has none", () => {
    expect(yamlSyntaxIssue("config:\n  a: 1\n\tb: 2\n")).toEqual({
      line: 3,
      col: 1,
      message: "Tabs are not allowed as indentation",
    });
    expect(yamlSyntaxIssue('config:\n  a: "open\n  b: 2\n')?.message).toBe('Missing closing "quote');
    expect(yamlSyntaxIssue("config:\n  a: 1\n")).toBeUndefined();
  });
});

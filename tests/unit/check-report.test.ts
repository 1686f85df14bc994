/**
 * `glidepath check` against a fake stack (previews answer a fixed change summary): the planned
 * ramp's warnings reach the report and its human rendering.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { StackContext } from "../../automation/lib/context";
import { renderCheckReport, runCheck } from "../../automation/lib/driver/check";
import { parseStackConfig, type StackConfig } from "../../infra/config";

const projectDir = path.resolve(__dirname, "../..");

function config(rollout: Record<string, unknown>): StackConfig {
  const parsed = parseStackConfig(
    {
      "glidepath:environment": "local",
      "glidepath:apps": JSON.stringify({ wix: { target: "local" } }),
      "glidepath:releases": JSON.stringify({ wix: { stable: { version: "v1", source: "apps/wix/v1" } } }),
      "glidepath:rollout": JSON.stringify(rollout),
      // A secret, as an SLO URL with a token must be (`--secret --path glidepath:rollout.slo.url`).
    },
    new Set(["glidepath:rollout"]),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}

const ctx = {
  projectDir,
  stack: { name: "local", preview: async () => ({ changeSummary: { same: 3 } }) },
} as unknown as StackContext;

describe("runCheck", () => {
  it("reports the planned ramp's warnings (an HTTP source may disable the traffic guard) and prints them", async () => {
    const cfg = config({ slo: { source: "http", url: "http://127.0.0.1:1/slo?token=abc" } });
    const report = await runCheck(ctx, cfg, {}, new Set(), { version: "v2", overrides: {} });
    expect(report.ramp?.warnings).toHaveLength(1);
    expect(report.ramp?.warnings[0]).toMatch(/glidepath:rollout\.slo.*traffic: unknown/);
    expect(report.ramp?.warnings[0]).not.toContain("abc");
    const text = renderCheckReport(report);
    expect(text).toContain(`  warning: ${report.ramp?.warnings[0]}`);
  });

  it("plans with the badge URL from the environment, as rollout does", async () => {
    const report = await runCheck(
      ctx,
      config({}),
      { NOTION_SLO_BADGE_URL: "http://127.0.0.1:1/b" },
      new Set(),
      {
        version: "v2",
        overrides: {},
      },
    );
    expect(report.ramp?.warnings[0]).toMatch(/NOTION_SLO_BADGE_URL/);
    const edge = await runCheck(ctx, config({}), {}, new Set(), { version: "v2", overrides: {} });
    expect(edge.ramp?.warnings).toEqual([]);
    expect(renderCheckReport(edge)).not.toContain("warning");
  });
});

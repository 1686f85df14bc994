import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEMO_ROLLOUT } from "../../automation/lib/demo/project";
import {
  cleanWindowChance,
  DEFAULT_MAX_MISS_RATIO,
  DEFAULT_MIN_REQUESTS,
} from "../../automation/lib/slo/defaults";
import { configPath, durationMs, parseStackConfig, rolloutSchema } from "../../infra/config";

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
      // A namespace nothing here reads is a warning, not an issue (see config-input.test.ts).
      warnings: [
        { path: "aws:region", message: expect.stringContaining('namespace "aws" is read by nothing') },
      ],
      config: {
        environment: "local",
        apps: { wix: { target: "local" }, gamma: { target: "local" } },
        flags: { wix: { CanaryEnabled: false }, gamma: { CanaryEnabled: true } },
        releases: {},
        weights: {},
        targets: {},
        content: { notion: {} },
        wasm: {},
        wasmSigning: { required: false, signers: [] },
        gate: { ttlSeconds: 3600 },
        generation: 0,
        // The rollout defaults are the rollout schema's own (one source; see "rollout defaults").
        rollout: rolloutSchema.parse({}),
      },
    });
  });

  it("takes the runbook's secrets only as secrets, and refuses a ramp over undeclared apps", () => {
    const plain = parseStackConfig({ ...base, "glidepath:WIX_API_KEY": "k" });
    expect(plain.ok ? [] : plain.issues.map((i) => i.path)).toEqual(["glidepath:WIX_API_KEY"]);
    const secret = parseStackConfig(
      { ...base, "glidepath:WIX_API_KEY": "k" },
      new Set(["glidepath:WIX_API_KEY"]),
    );
    expect(secret.ok).toBe(true);
    const ramp = parseStackConfig({
      ...base,
      "glidepath:ramp": JSON.stringify({
        id: "v2@t",
        version: "v2",
        apps: ["blog"],
        step: 0,
        weight: 5,
        startedAt: "2026-11-22T07:00:00.000Z",
      }),
    });
    expect(ramp.ok ? [] : ramp.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'glidepath:ramp.apps[0]: unknown app "blog"; declared apps: gamma, wix',
    ]);
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
      'expected one of: local, staging, production, got "prod"',
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

describe("releases, weights and rollout", () => {
  const releases = JSON.stringify({
    wix: {
      stable: { version: "v1", source: "apps/wix/v1" },
      canary: { version: "v2", source: "apps/wix/v2" },
    },
    gamma: { stable: { version: "v1", source: "apps/gamma/v1" } },
  });

  it("accepts a canary at a weight", () => {
    const r = parseStackConfig({
      ...base,
      "glidepath:releases": releases,
      "glidepath:weights": '{"wix":25}',
    });
    expect(r.ok && r.config.weights).toEqual({ wix: 25 });
    expect(r.ok && r.config.releases.wix?.canary).toEqual({ version: "v2", source: "apps/wix/v2" });
  });

  it("fails if a weight is above 100 or not an integer", () => {
    const issues = issuesOf({ ...base, "glidepath:releases": releases, "glidepath:weights": '{"wix":101}' });
    expect(issues).toEqual([
      { path: "glidepath:weights.wix", message: "expected an integer from 0 to 100, got 101" },
    ]);
    expect(
      issuesOf({ ...base, "glidepath:releases": releases, "glidepath:weights": '{"wix":2.5}' })[0]?.message,
    ).toBe("expected an integer from 0 to 100, got 2.5");
  });

  it("fails if a weight is above 0 without a canary release", () => {
    const issues = issuesOf({ ...base, "glidepath:releases": releases, "glidepath:weights": '{"gamma":5}' });
    expect(issues).toEqual([
      {
        path: "glidepath:weights.gamma",
        message: "expected 0: weight 5 needs a canary release under glidepath:releases.gamma.canary",
      },
    ]);
  });

  it("fails if releases or weights name an unknown app", () => {
    const issues = issuesOf({
      ...base,
      "glidepath:releases": JSON.stringify({ shop: { stable: { version: "v1", source: "x" } } }),
      "glidepath:weights": '{"blog":0}',
    });
    expect(issues.map((i) => i.path).sort()).toEqual(["glidepath:releases.shop", "glidepath:weights.blog"]);
  });

  it("fails if the canary has the stable version or a source leaves the project", () => {
    const issues = issuesOf({
      ...base,
      "glidepath:releases": JSON.stringify({
        wix: { stable: { version: "v1", source: "../elsewhere" }, canary: { version: "v1", source: "b" } },
      }),
    });
    expect(issues.map((i) => i.path).sort()).toEqual([
      "glidepath:releases.wix.canary.version",
      "glidepath:releases.wix.stable.source",
    ]);
  });

  it("fails if steps do not increase, exceed 100 or do not end at 100", () => {
    const issues = issuesOf({ ...base, "glidepath:rollout": JSON.stringify({ steps: [5, 50, 25, 101] }) });
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "glidepath:rollout.steps[3]: expected an integer weight from 1 to 100, got 101",
      "glidepath:rollout.steps[2]: expected weights to increase: 50 then 25",
      "glidepath:rollout.steps: expected the last step to be 100",
    ]);
    const more = issuesOf({ ...base, "glidepath:rollout": JSON.stringify({ steps: [5, 50, 25] }) });
    expect(more.map((i) => `${i.path}: ${i.message}`)).toEqual([
      "glidepath:rollout.steps[2]: expected weights to increase: 50 then 25",
      "glidepath:rollout.steps: expected the last step to be 100",
    ]);
  });

  it("fails if a duration is malformed or the SLO URL is missing", () => {
    const issues = issuesOf({
      ...base,
      "glidepath:rollout": JSON.stringify({ window: "10 minutes", slo: { source: "http" } }),
    });
    expect(issues.map((i) => i.path).sort()).toEqual([
      "glidepath:rollout.slo.url",
      "glidepath:rollout.window",
    ]);
    expect(issues.find((i) => i.path === "glidepath:rollout.window")?.message).toBe(
      'expected a duration such as 30s, 10m or 1h, got "10 minutes"',
    );
  });
});

describe("rollout timing", () => {
  it("fails if a duration is zero or the interval does not fit in a window", () => {
    const issues = issuesOf({
      ...base,
      "glidepath:rollout": JSON.stringify({ window: "0s", finalWindow: "1m", interval: "2m" }),
    });
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'glidepath:rollout.window: expected a duration such as 30s, 10m or 1h, got "0s"',
      "glidepath:rollout.interval: expected the sampling interval (2m) to fit in the window of the last step (1m)",
    ]);
  });
});

describe("rollout defaults", () => {
  it("fills a missing or empty glidepath:rollout with every default, the gate's figures from one module", () => {
    const absent = parseStackConfig(base);
    const empty = parseStackConfig({ ...base, "glidepath:rollout": "{}" });
    const emptyBurn = parseStackConfig({ ...base, "glidepath:rollout": '{"burn":{}}' });
    expect(absent.ok && empty.ok && emptyBurn.ok).toBe(true);
    const r = absent.ok ? absent.config.rollout : undefined;
    expect(empty.ok && empty.config.rollout).toEqual(r);
    expect(emptyBurn.ok && emptyBurn.config.rollout).toEqual(r);
    expect(r).toMatchObject({
      steps: [5, 25, 50, 100],
      window: "10m",
      finalWindow: "15m",
      interval: "30s",
      minSlo: 99,
      maxMisses: 3,
      maxMissRatio: DEFAULT_MAX_MISS_RATIO,
      minRequests: DEFAULT_MIN_REQUESTS,
      maxHolds: 1,
      slo: { source: "edge" },
    });
    expect(DEFAULT_MIN_REQUESTS).toBeGreaterThan(0);
  });

  it("keeps the default minimum's figures: a canary at 5× minSlo 99.0's budget passes a clean window < 1% of the time", () => {
    expect(cleanWindowChance(0.05, 20)).toBeCloseTo(0.358, 3);
    expect(cleanWindowChance(0.05, 60)).toBeCloseTo(0.046, 3);
    expect(cleanWindowChance(0.05, DEFAULT_MIN_REQUESTS)).toBeLessThan(0.01);
  });

  it("takes the demo's rollout settings (windows of seconds, an explicit minimum of 10)", () => {
    const demo = rolloutSchema.safeParse(DEMO_ROLLOUT);
    expect(demo.success && demo.data).toMatchObject({ minRequests: 10, interval: "1s" });
  });
});

describe("duration bounds", () => {
  const rolloutIssues = (rollout: Record<string, unknown>) =>
    issuesOf({ ...base, "glidepath:rollout": JSON.stringify(rollout) }).map((i) => `${i.path}: ${i.message}`);

  it("refuses a window, final window or interval past 24h, naming the bound", () => {
    expect(rolloutIssues({ window: "25h", finalWindow: "86400001ms" })).toEqual([
      'glidepath:rollout.window: expected at most 24h, got "25h"',
      'glidepath:rollout.finalWindow: expected at most 24h, got "86400001ms"',
    ]);
    expect(rolloutIssues({ window: "24h", finalWindow: "24h", interval: "999h" })).toEqual([
      'glidepath:rollout.interval: expected at most 24h, got "999h"',
    ]);
  });

  it("refuses an interval below 100ms, which would flood the source", () => {
    expect(rolloutIssues({ interval: "99ms" })).toEqual([
      'glidepath:rollout.interval: expected at least 100ms between samples (less floods the source), got "99ms"',
    ]);
  });

  it("accepts the bounds themselves", () => {
    const r = parseStackConfig({
      ...base,
      "glidepath:rollout": JSON.stringify({
        window: "24h",
        finalWindow: "1440m",
        interval: "100ms",
        burn: { longWindow: "720h", shortWindow: "5m" },
      }),
    });
    expect(r.ok).toBe(true);
  });

  it("refuses burn windows past 720h (30 days) and durations too long to count in milliseconds", () => {
    expect(rolloutIssues({ burn: { longWindow: "721h", shortWindow: "99999999999999999999h" } })).toEqual([
      'glidepath:rollout.burn.longWindow: expected at most 720h (30 days), got "721h"',
      'glidepath:rollout.burn.shortWindow: expected at most 720h (30 days), got "99999999999999999999h"',
    ]);
  });
});

describe("durationMs", () => {
  it("converts each unit", () => {
    expect([durationMs("500ms"), durationMs("30s"), durationMs("10m"), durationMs("1h")]).toEqual([
      500, 30_000, 600_000, 3_600_000,
    ]);
  });
});

describe("secrecy", () => {
  it("fails if a published key such as the flags is a secret, before anything is deployed", () => {
    const r = parseStackConfig(base, new Set(["glidepath:flags"]));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues).toEqual([
      {
        path: "glidepath:flags",
        message:
          "expected a plain value: it is published in clear (target files, update messages); keep secrets out of it",
      },
    ]);
  });

  it("fails if the admin key is not a secret", () => {
    const r = parseStackConfig({ ...base, "glidepath:adminKey": "0123456789abcdef0123" });
    expect(!r.ok && r.issues[0]).toEqual({
      path: "glidepath:adminKey",
      message: "expected a secret; set it with `pulumi config set --secret glidepath:adminKey <value>`",
    });
  });

  it("accepts the admin key as a secret and ignores other namespaces' secrets", () => {
    const raw = { ...base, "glidepath:adminKey": "0123456789abcdef0123", "aws:token": "x" };
    expect(parseStackConfig(raw, new Set(["glidepath:adminKey", "aws:token"])).ok).toBe(true);
  });
});

describe("release sources", () => {
  it("fails if a source is absolute", () => {
    const issues = issuesOf({
      ...base,
      "glidepath:releases": JSON.stringify({ wix: { stable: { version: "v1", source: "/etc" } } }),
    });
    expect(issues).toEqual([
      {
        path: "glidepath:releases.wix.stable.source",
        message: `expected a path inside the project (relative, no '..'), got "/etc"`,
      },
    ]);
  });

  it("fails if the SLO URL is not http(s)", () => {
    const issues = issuesOf({
      ...base,
      "glidepath:rollout": JSON.stringify({ slo: { source: "http", url: "file:///etc/passwd" } }),
    });
    expect(issues).toEqual([{ path: "glidepath:rollout.slo.url", message: "expected an http(s) URL" }]);
  });
});

describe("wasm deliverables", () => {
  it("defaults the runtime profile and refuses unknown ones", () => {
    const ok = parseStackConfig({
      ...base,
      "glidepath:wasm": JSON.stringify({ edge: { module: "dist/edge.wasm" } }),
    });
    expect(ok.ok && ok.config.wasm).toEqual({
      edge: { module: "dist/edge.wasm", runtimeProfile: "wasm_wasi", allowNonCompliant: false },
    });
    const badId = issuesOf({ ...base, "glidepath:wasm": JSON.stringify({ Edge: { module: "e.wasm" } }) });
    expect(badId.map((i) => i.path)).toEqual(["glidepath:wasm.Edge"]);
    const bad = issuesOf({
      ...base,
      "glidepath:wasm": JSON.stringify({ edge: { module: "/abs.wasm", runtimeProfile: "wasi_p1" } }),
    });
    expect(bad.map((i) => `${i.path}: ${i.message}`).sort()).toEqual([
      `glidepath:wasm.edge.module: expected a path inside the project (relative, no '..'), got "/abs.wasm"`,
      'glidepath:wasm.edge.runtimeProfile: expected one of: wasm_wasi, channel_automation_wasi, got "wasi_p1"',
    ]);
  });

  it("takes a .wasm binary or a .wat source, nothing else", () => {
    const wat = parseStackConfig({
      ...base,
      "glidepath:wasm": JSON.stringify({ edge: { module: "apps/edge-wasm/handler.wat" } }),
    });
    expect(wat.ok).toBe(true);
    const js = issuesOf({ ...base, "glidepath:wasm": JSON.stringify({ edge: { module: "edge.js" } }) });
    expect(js).toEqual([
      {
        path: "glidepath:wasm.edge.module",
        message: 'expected a .wasm binary or a .wat source, got "edge.js"',
      },
    ]);
  });
});

/**
 * The driver's config writing: the phases a ramp goes through, the stack file edit that keeps
 * everything else, and the planning of a rollout from flags and config.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { configEdits, rampOwns } from "../../automation/lib/driver/config-edits";
import { planRollout } from "../../automation/lib/driver/plan";
import { promotionConfig, stepConfig } from "../../automation/lib/driver/ramp-config";
import { writeStackKeys } from "../../automation/lib/driver/stack-file";
import { DEFAULT_MAX_MISS_RATIO, DEFAULT_MIN_REQUESTS } from "../../automation/lib/slo/defaults";
import { judgeGate } from "../../automation/lib/slo/gate";
import { parseStackConfig, type StackConfig } from "../../infra/config";

function config(extra: Record<string, unknown> = {}): StackConfig {
  const raw = {
    "glidepath:environment": "local",
    "glidepath:apps": JSON.stringify({
      wix: { target: "local" },
      gamma: { target: "local" },
      blog: { target: "local" },
    }),
    "glidepath:flags": JSON.stringify({ wix: { CanaryEnabled: false, Theme: "neon" } }),
    "glidepath:releases": JSON.stringify({
      wix: { stable: { version: "v1", source: "apps/wix/v1" } },
      gamma: { stable: { version: "v1", source: "apps/gamma/v1" } },
    }),
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`glidepath:${k}`, JSON.stringify(v)])),
  };
  const parsed = parseStackConfig(raw);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.config;
}
const ramp = {
  id: "v2@t",
  version: "v2",
  apps: ["gamma", "wix"],
  step: 1,
  weight: 25,
  startedAt: "2026-11-22T07:00:00.000Z",
};

describe("config edits during a ramp", () => {
  const apps = ["gamma", "wix"];
  const onStep = () => ({ ...config(), ...stepConfig(config(), ramp) });
  /** The config as the stack file gives it back after the driver wrote `c`. */
  const readBack = (c: StackConfig) => {
    const back = parseStackConfig(
      Object.fromEntries(Object.entries(c).map(([k, v]) => [`glidepath:${k}`, JSON.stringify(v)])),
    );
    if (!back.ok) throw new Error(JSON.stringify(back.issues));
    return back.config;
  };

  it("finds none when the file holds what the driver wrote (no false edit after a step or the promotion)", () => {
    expect(configEdits(onStep(), readBack(onStep()), apps)).toEqual({ kept: [], conflicts: [] });
    const last = { ...config(), ...stepConfig(config(), { ...ramp, weight: 100 }) };
    const promoted = { ...last, ...promotionConfig(last, last.ramp as typeof ramp) };
    expect(configEdits(promoted, readBack(promoted), apps)).toEqual({ kept: [], conflicts: [] });
  });

  it("keeps edits of keys the ramp does not own, by full path", () => {
    const edited = readBack(onStep());
    edited.flags.wix = { ...edited.flags.wix, EditedDuringBake: true, Theme: "calm" };
    edited.weights.blog = 10;
    edited.flags.blog = { Banner: "hi" };
    expect(configEdits(onStep(), edited, apps)).toEqual({
      kept: [
        "glidepath:flags.blog",
        "glidepath:flags.wix.EditedDuringBake",
        "glidepath:flags.wix.Theme",
        "glidepath:weights.blog",
      ],
      conflicts: [],
    });
  });

  it("reports edits of the ramp's own keys as conflicts: weight, release, CanaryEnabled, the pointer", () => {
    const edited = readBack(onStep());
    edited.weights.wix = 50;
    edited.flags.gamma = { CanaryEnabled: false };
    (edited.releases.wix as { stable: { version: string } }).stable.version = "v0";
    edited.ramp = { ...ramp, step: 0 };
    expect(configEdits(onStep(), edited, apps).conflicts).toEqual([
      "glidepath:flags.gamma.CanaryEnabled",
      "glidepath:ramp.step",
      "glidepath:releases.wix.stable.version",
      "glidepath:weights.wix",
    ]);
  });

  it("owns whole maps that contain a ramped app's keys, and nothing of other apps", () => {
    expect(rampOwns(["releases"], apps)).toBe(true);
    expect(rampOwns(["flags"], apps)).toBe(true);
    expect(rampOwns(["flags", "wix"], apps)).toBe(true);
    expect(rampOwns(["flags", "wix", "Theme"], apps)).toBe(false);
    expect(rampOwns(["releases", "blog", "stable"], apps)).toBe(false);
    expect(rampOwns(["rollout", "minSlo"], apps)).toBe(false);
  });
});

describe("ramp phases", () => {
  it("a step adds the canary beside the stable release, at the weight, with CanaryEnabled", () => {
    const c = stepConfig(config(), ramp);
    expect(c.releases.wix).toEqual({
      stable: { version: "v1", source: "apps/wix/v1" },
      canary: { version: "v2", source: "apps/wix/v2" },
    });
    expect(c.weights).toEqual({ gamma: 25, wix: 25 });
    expect(c.flags).toEqual({ wix: { CanaryEnabled: true, Theme: "neon" }, gamma: { CanaryEnabled: true } });
    expect(c.ramp).toEqual(ramp);
    // The result is valid config: the schema accepts it.
    const back = parseStackConfig({
      "glidepath:environment": "local",
      "glidepath:apps": JSON.stringify(config().apps),
      ...Object.fromEntries(Object.entries(c).map(([k, v]) => [`glidepath:${k}`, JSON.stringify(v)])),
    });
    expect(back.ok).toBe(true);
  });

  it("the promotion makes the canary stable at weight 0, CanaryEnabled=false, and drops the ramp", () => {
    const onLast = { ...config(), ...stepConfig(config(), { ...ramp, step: 3, weight: 100 }) };
    const c = promotionConfig(onLast, onLast.ramp as typeof ramp);
    expect(c.releases.wix).toEqual({ stable: { version: "v2", source: "apps/wix/v2" } });
    expect(c.weights).toEqual({ gamma: 0, wix: 0 });
    expect(c.flags.wix).toEqual({ CanaryEnabled: false, Theme: "neon" });
    expect(c.ramp).toBeUndefined();
  });
});

describe("writeStackKeys", () => {
  it("sets and removes glidepath keys, keeping comments, the salt and secure values; times stay strings", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-stackfile-"));
    const file = path.join(dir, "Pulumi.local.yaml");
    await fs.writeFile(
      file,
      "# the local stack\nencryptionsalt: v1:abc\nconfig:\n  glidepath:adminKey:\n    secure: v1:xyz\n  glidepath:weights:\n    wix: 0\n  glidepath:ramp:\n    step: 0\n",
    );
    await writeStackKeys(dir, "local", {
      weights: { wix: 25 },
      ramp: undefined,
      extra: { at: "2026-11-22T07:00:00.000Z" },
    });
    const text = await fs.readFile(file, "utf8");
    expect(text).toContain("# the local stack");
    expect(text).toContain("encryptionsalt: v1:abc");
    expect(text).toContain("secure: v1:xyz");
    expect(text).not.toContain("glidepath:ramp");
    expect(text).toContain("wix: 25");
    expect(text).toContain('at: "2026-11-22T07:00:00.000Z"');
  });
});

describe("planRollout", () => {
  const projectDir = path.resolve(__dirname, "../..");
  it("plans every app with a release by default, with the config's rollout settings", () => {
    const p = planRollout("local", config(), "v2", undefined, {}, projectDir);
    expect(p).toMatchObject({
      version: "v2",
      apps: ["gamma", "wix"],
      steps: [5, 25, 50, 100],
      windowMs: 600_000,
      finalWindowMs: 900_000,
      intervalMs: 30_000,
      gate: {
        minSlo: 99,
        maxMisses: 3,
        maxMissRatio: DEFAULT_MAX_MISS_RATIO,
        mode: "threshold",
        minRequests: DEFAULT_MIN_REQUESTS,
      },
      slo: { source: "edge" },
    });
  });
  it("takes flags over config", () => {
    const p = planRollout(
      "local",
      config(),
      "v2",
      ["wix"],
      { steps: [10, 100], window: "5s", interval: "1s", min: 98.5, sloUrl: "http://127.0.0.1:1/slo" },
      projectDir,
    );
    expect(p).toMatchObject({
      apps: ["wix"],
      steps: [10, 100],
      windowMs: 5000,
      gate: { minSlo: 98.5 },
      slo: { source: "http" },
    });
  });
  it("names every bad flag with its value (exit 2)", () => {
    let err: unknown;
    try {
      planRollout(
        "local",
        config(),
        "v2",
        ["wix", "blog"],
        { steps: [50, 25], interval: "1 minute" },
        projectDir,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "GP_ARG_INVALID", exitCode: 2 });
    const m = (err as Error).message;
    expect(m).toContain('--apps="blog": unknown app or no stable release; apps with releases: gamma, wix');
    expect(m).toContain("--steps=[50,25]: expected weights to increase: 50 then 25");
    expect(m).toContain("--steps=[50,25]: expected the last step to be 100");
    expect(m).toContain('--interval="1 minute": expected a duration such as 30s, 10m or 1h');
  });
  it("refuses a different ramp while one is in progress, and resumes the same one", () => {
    const cfg = config({
      ramp,
      releases: stepConfig(config(), ramp).releases,
      weights: { wix: 25, gamma: 25 },
    });
    expect(() => planRollout("local", cfg, "v2", ["wix"], {}, projectDir)).toThrow(
      /in the middle of a ramp of gamma, wix to v2/,
    );
    expect(() => planRollout("local", cfg, "v2", undefined, { steps: [10, 100] }, projectDir)).toThrow(
      /which this rollout does not continue/,
    );
    expect(planRollout("local", cfg, "v2", undefined, {}, projectDir).apps).toEqual(["gamma", "wix"]);
  });

  it("holds a window without requests under the default config (no promotion on no evidence)", () => {
    const p = planRollout("local", config(), "v2", undefined, {}, projectDir);
    const noTraffic = [{ ok: true as const, at: 0, score: 100, good: 0, total: 0 }];
    expect(judgeGate(p.gate, noTraffic, { startedAt: 0, endsAt: 1, now: 1 })).toMatchObject({
      status: "insufficient_traffic",
      requests: 0,
    });
  });
  it("warns at plan time that an HTTP source answering only a score disables the minimum-traffic guard", () => {
    const edge = planRollout("local", config(), "v2", undefined, {}, projectDir);
    expect(edge.warnings).toEqual([]);
    const http = planRollout(
      "local",
      config(),
      "v2",
      undefined,
      { sloUrl: "http://127.0.0.1:1/slo" },
      projectDir,
    );
    expect(http.warnings).toHaveLength(1);
    expect(http.warnings[0]).toMatch(
      /--slo-url.*score without good\/total counts.*minRequests.*traffic: unknown/,
    );
    const badge = planRollout(
      "local",
      config(),
      "v2",
      undefined,
      { badgeUrl: "http://127.0.0.1:1/b" },
      projectDir,
    );
    expect(badge.warnings[0]).toMatch(/NOTION_SLO_BADGE_URL/);
    const off = planRollout(
      "local",
      config({ rollout: { minRequests: 0 } }),
      "v2",
      undefined,
      { sloUrl: "http://127.0.0.1:1/slo" },
      projectDir,
    );
    expect(off.warnings).toEqual([]);
  });

  it("refuses an empty --window, --final-window, --interval, --steps or --slo-url instead of falling back to the default, and names out-of-range numbers", () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ window: "" }, '--window="": expected a duration such as 30s, got an empty value'],
      [{ finalWindow: "" }, '--final-window="": expected a duration such as 30s, got an empty value'],
      [{ interval: "" }, '--interval="": expected a duration such as 30s, got an empty value'],
      [{ steps: [] }, "--steps=[]: expected at least one weight"],
      [{ sloUrl: "" }, '--slo-url="": expected an http(s) URL'],
      [{ min: -1 }, "--min=-1: expected a percentage from 0 to 100 such as 99.5"],
      [{ maxMisses: 0 }, "--max-misses=0: expected a whole number from 1 to 100 such as 3"],
    ];
    for (const [over, message] of cases) {
      expect(() => planRollout("local", config(), "v2", undefined, over, projectDir)).toThrow(message);
    }
  });
});

/**
 * Desired state lives in the backend: a stack file behind the newest update (a fresh or stale
 * checkout) takes the deployed releases, weights, ramp pointer, CanaryEnabled flags and
 * generation, and keeps every other edit; a route asked for by a stale file is refused unless
 * it asks for exactly what is deployed.
 */
import { describe, expect, it } from "vitest";
import { adoptionOf } from "../../automation/lib/desired-state";
import { judgeGeneration } from "../../providers/desired-generation";

const plain = (v: unknown) => ({ value: typeof v === "string" ? v : JSON.stringify(v), secret: false });

describe("adoptionOf", () => {
  const deployed = {
    version: 12,
    config: {
      "glidepath:generation": plain("7"),
      "glidepath:releases": plain({ wix: { stable: { version: "v2", source: "apps/wix/v2" } } }),
      "glidepath:weights": plain({ wix: 0 }),
      "glidepath:flags": plain({ wix: { CanaryEnabled: false, Banner: "old" } }),
      "glidepath:GAMMA_TOKEN": { value: "[secret]", secret: true },
    },
  };

  it("takes the deployed releases, weights, ramp and CanaryEnabled into a stale file, keeping other edits and new apps", () => {
    const file = {
      "glidepath:releases": {
        wix: { stable: { version: "v1", source: "apps/wix/v1" } },
        blog: { stable: { version: "b1", source: "apps/blog/b1" } },
      },
      "glidepath:weights": { wix: 0, blog: 0 },
      "glidepath:flags": { wix: { CanaryEnabled: true, Banner: "edited" } },
      "glidepath:ramp": { version: "v2", step: 1 },
      "glidepath:rollout": { steps: [5, 100] },
    };
    expect(adoptionOf(file, deployed)).toEqual({
      from: 0,
      to: 7,
      entries: {
        "glidepath:releases": {
          wix: { stable: { version: "v2", source: "apps/wix/v2" } },
          blog: { stable: { version: "b1", source: "apps/blog/b1" } },
        },
        "glidepath:weights": { wix: 0, blog: 0 },
        "glidepath:flags": { wix: { CanaryEnabled: false, Banner: "edited" } },
        "glidepath:ramp": undefined,
        "glidepath:generation": 7,
      },
      changes: ["wix: stable v1 → stable v2", "ramp: v2 step 1 → none"],
    });
  });

  it("leaves a current file alone (same or newer generation): its edits are the user's", () => {
    const file = { "glidepath:generation": 7, "glidepath:releases": { wix: { stable: { version: "v9" } } } };
    expect(adoptionOf(file, deployed)).toBeUndefined();
    expect(adoptionOf({ ...file, "glidepath:generation": "8" }, deployed)).toBeUndefined();
  });

  it("takes the ramp pointer of a ramp another checkout left mid-way", () => {
    const ramp = { rampId: "v3@t", version: "v3", apps: ["wix"], step: 1, weight: 25 };
    const mid = {
      version: 14,
      config: { ...deployed.config, "glidepath:generation": plain("9"), "glidepath:ramp": plain(ramp) },
    };
    expect(adoptionOf({ "glidepath:generation": 7 }, mid)?.entries["glidepath:ramp"]).toEqual(ramp);
  });
});

describe("judgeGeneration", () => {
  const olds = { app: "wix", stable: "v2", weight: 0, generation: 7 };

  it("refuses a stale file that would move the release backwards, naming the app, both versions and the way out", () => {
    const r = judgeGeneration(olds, { app: "wix", stable: "v1", weight: 0, generation: 3 });
    expect(r.ok).toBe(false);
    const reason = r.ok ? "" : r.reason;
    expect(reason).toContain(
      "wix: the stack runs stable v2 (generation 7); the stack file asks for stable v1 at generation 3",
    );
    expect(reason).toContain("`glidepath up`");
    expect(reason).toContain("`pulumi config set glidepath:generation 8`");
  });

  it("refuses a stale file that would drop a live canary", () => {
    const live = { app: "wix", stable: "v2", canary: "v3", weight: 25, generation: 9 };
    expect(judgeGeneration(live, { app: "wix", stable: "v2", weight: 0, generation: 7 }).ok).toBe(false);
  });

  it("lets a stale file that asks for what is deployed through, keeping the deployed generation", () => {
    expect(judgeGeneration(olds, { app: "wix", stable: "v2", weight: 0, generation: 3 })).toEqual({
      ok: true,
      generation: 7,
    });
  });

  it("accepts a current or newer file, a new route, and routes deployed before generations", () => {
    expect(judgeGeneration(olds, { app: "wix", stable: "v1", weight: 0, generation: 7 })).toEqual({
      ok: true,
      generation: 7,
    });
    expect(judgeGeneration(olds, { app: "wix", stable: "v3", weight: 0, generation: 8 })).toEqual({
      ok: true,
      generation: 8,
    });
    expect(judgeGeneration(undefined, { app: "wix", stable: "v1", weight: 0 })).toEqual({
      ok: true,
      generation: 0,
    });
    expect(
      judgeGeneration({ app: "wix", stable: "v2", weight: 0 }, { app: "wix", stable: "v1", weight: 0 }).ok,
    ).toBe(true);
  });
});

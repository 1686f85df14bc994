/**
 * verify-live's decisions, pure: one probe per side the route serves (during a ramp the previous
 * release, the stable side, is probed too), the identity an answer must carry, and the run's
 * outcome round by round: N consecutive passes, waiting while the edge still serves an older
 * route, failing on N bad rounds in a row once the deployed identity was served, and failing
 * closed at the bound.
 */
import { describe, expect, it } from "vitest";
import {
  advance,
  type DeployedApp,
  judgeProbe,
  type Observation,
  type ProbeResult,
  probesOf,
  START,
  type VerifyState,
} from "../../automation/lib/verify-live/decide";
import { deployedApps } from "../../automation/lib/verify-live/probe";
import { bucketOf } from "../../edge/worker/bucket";

const wix: DeployedApp = {
  app: "wix",
  stable: { version: "v1", digest: "a".repeat(64) },
  canary: null,
  weight: 0,
  revision: "r1",
};

const answer = (o: Partial<Observation>): Observation => ({
  status: 200,
  release: "wix@v1",
  side: "stable",
  revision: "r1",
  ...o,
});

describe("the probes of an app", () => {
  it("is one stable visitor without a canary; with a canary at 25% also one canary visitor, each landing on its side", () => {
    expect(probesOf(wix).map((p) => [p.side, p.release, p.revision])).toEqual([["stable", "wix@v1", "r1"]]);
    const ramp = { ...wix, canary: { version: "v2", digest: "b".repeat(64) }, weight: 25 };
    const probes = probesOf(ramp);
    expect(probes.map((p) => [p.side, p.release])).toEqual([
      ["stable", "wix@v1"],
      ["canary", "wix@v2"],
    ]);
    expect(bucketOf("wix", probes[0]?.visitor ?? "")).toBeGreaterThanOrEqual(25);
    expect(bucketOf("wix", probes[1]?.visitor ?? "")).toBeLessThan(25);
    // A disabled canary, or one at 100%, is served to nobody / everybody.
    expect(probesOf({ ...ramp, canaryEnabled: false }).map((p) => p.side)).toEqual(["stable"]);
    expect(probesOf({ ...ramp, weight: 100 }).map((p) => p.side)).toEqual(["canary"]);
  });

  it("reads the apps from the stack's outputs", () => {
    const out = {
      releases: {
        value: { wix: { stable: { version: "v1", digest: "a".repeat(64), path: "/x" }, canary: null } },
      },
      weights: { value: { wix: 0 } },
      routeRevisions: { value: { wix: "r1" } },
      flags: { value: { wix: { CanaryEnabled: false } } },
    };
    expect(deployedApps(out)).toEqual([{ ...wix, canaryEnabled: false }]);
  });
});

describe("an answer", () => {
  const [p] = probesOf(wix);
  const probe = p as NonNullable<typeof p>;
  it("passes with HTTP 200 from the expected release, side and route revision", () => {
    expect(judgeProbe(probe, answer({}))).toEqual({
      ok: true,
      identity: true,
      detail: "wix stable: HTTP 200 from wix@v1 (route r1)",
    });
  });
  it("names the identity it saw when it is another release or route (the edge is stale)", () => {
    expect(judgeProbe(probe, answer({ release: "wix@v0", revision: "r0" }))).toEqual({
      ok: false,
      identity: false,
      detail: "wix stable: served wix@v0 (route r0), expected wix@v1 (route r1)",
    });
  });
  it("fails with the right identity and another status, or no answer", () => {
    expect(judgeProbe(probe, answer({ status: 404 }))).toMatchObject({
      ok: false,
      identity: true,
      detail: "wix stable: HTTP 404 from wix@v1 (route r1)",
    });
    expect(
      judgeProbe(probe, { status: null, release: null, side: null, revision: null, error: "ECONNREFUSED" }),
    ).toMatchObject({
      ok: false,
      identity: false,
    });
  });
});

describe("a run, round by round", () => {
  const good: ProbeResult = { ok: true, identity: true, detail: "ok" };
  const stale: ProbeResult = { ok: false, identity: false, detail: "served wix@v0" };
  const broken: ProbeResult = { ok: false, identity: true, detail: "HTTP 500 from wix@v1" };
  const policy = { consecutive: 3, timeoutMs: 10_000 };
  const run = (rounds: ProbeResult[][], at: (i: number) => number = (i) => i * 1000) => {
    let s: VerifyState = START;
    const verdicts: string[] = [];
    rounds.forEach((r, i) => {
      const step = advance(s, r, at(i), policy);
      s = step.state;
      verdicts.push(step.verdict.status === "FAIL" ? `FAIL:${step.verdict.reason}` : step.verdict.status);
    });
    return { verdicts, state: s };
  };

  it("passes after N consecutive good rounds, waiting (not failing) while the edge still serves the older route", () => {
    expect(run([[stale], [stale], [stale], [stale], [good], [good], [good]]).verdicts).toEqual([
      "continue",
      "continue",
      "continue",
      "continue",
      "continue",
      "continue",
      "PASS",
    ]);
  });

  it("restarts the count after one bad round and still passes with N in a row", () => {
    expect(run([[good], [good], [broken], [good], [good], [good]]).verdicts).toEqual([
      "continue",
      "continue",
      "continue",
      "continue",
      "continue",
      "PASS",
    ]);
  });

  it("fails after N bad rounds in a row once the deployed identity was served", () => {
    const r = run([[broken], [broken], [broken]]);
    expect(r.verdicts).toEqual(["continue", "continue", "FAIL:failing"]);
    expect(r.state.last).toEqual(["HTTP 500 from wix@v1"]);
  });

  it("a round passes only when every probe does", () => {
    expect(
      run([
        [good, broken],
        [good, good],
        [good, good],
        [good, good],
      ]).verdicts.at(-1),
    ).toBe("PASS");
    expect(run([[]]).verdicts).toEqual(["continue"]);
  });

  it("fails closed at the bound: stale when the deployed identity was never served, else timeout", () => {
    expect(run([[stale], [stale]], (i) => i * 10_000).verdicts).toEqual(["continue", "FAIL:stale"]);
    expect(run([[good], [stale]], (i) => i * 10_000).verdicts).toEqual(["continue", "FAIL:timeout"]);
  });
});

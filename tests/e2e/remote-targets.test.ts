/**
 * A stack configured like staging — both apps behind the edge Worker on Cloudflare (Workers KV),
 * the wix app's releases in the Wix site's CMS, the gamma app's as Gamma generations — through
 * the real engine against loopback fakes of the three APIs, with the edge Worker on workerd
 * reading a KV binding that the Cloudflare fake fills after a visibility delay. The fakes'
 * contents are asserted after every step; staging credentials cannot touch production.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { rolloutArgs } from "../../bench/helpers/ramp";
import { type RemoteWorld, SCOPES, startRemoteWorld } from "../../bench/helpers/remote-world";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { routeRecordId } from "../../providers/targets/wix-records";
import { approveForTest } from "../helpers/approval";
import { type SloServer, startSloServer } from "../helpers/slo-server";
import { waitFor } from "./helpers/edge";
import { addVersion } from "./helpers/rollout";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
type Stack = "staging" | "production";
const NS = SCOPES.staging.namespaceId;
const SITE = SCOPES.staging.siteId;

describe.skipIf(binDir === undefined)("staging-shaped targets: Cloudflare KV, Wix CMS, Gamma", () => {
  let world: RemoteWorld;
  let p: ScratchProject;
  let slo: SloServer;
  let healthy = true;

  const kvJson = (key: string) => {
    const v = world.cf.kv(NS).get(key);
    return v === undefined ? undefined : JSON.parse(v.toString("utf8"));
  };
  /** Runs a command of `stack` with the credentials issued for `creds`. */
  const withCreds = async <T>(stack: Stack, creds: Stack, run: () => Promise<T>): Promise<T> => {
    const env = p.env;
    p.env = { ...env, ...world.env(stack, creds) };
    try {
      return await run();
    } finally {
      p.env = env;
    }
  };
  const as = (stack: Stack, creds: Stack, args: string[]) => withCreds(stack, creds, () => p.glidepath(args));
  const pulumiAs = (stack: Stack, creds: Stack, args: string[]) =>
    withCreds(stack, creds, () => p.pulumi(args));
  const ok = async (args: string[]) => {
    const r = await as("staging", "staging", args);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  };
  /** Creates a stack with its own passphrase and writes its config for the fakes. */
  const initStack = async (stack: "staging" | "production") => {
    expect((await pulumiAs(stack, stack, ["stack", "init", stack])).code).toBe(0);
    const file = path.join(p.dir, `Pulumi.${stack}.yaml`);
    const doc = (parse(await fs.readFile(file, "utf8")) ?? {}) as Record<string, unknown>;
    await fs.writeFile(file, stringify({ ...doc, config: world.stackConfig(stack) }));
  };
  const rollout = (version: string, extra: string[] = []) =>
    rolloutArgs(version, slo.url, extra, "1s", "250ms", "staging");
  const exported = async () => {
    const r = await pulumiAs("staging", "staging", ["stack", "export", "--stack", "staging"]);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout).deployment.resources ?? []) as {
      urn: string;
      type: string;
      outputs?: Record<string, unknown>;
    }[];
  };
  const byName = async (name: string) => (await exported()).find((r) => r.urn.endsWith(`::${name}`));
  const wixRecords = (collection: string) => world.wix.items(SITE, collection);
  const writesNow = () => world.cf.writes.length + world.wix.writes.length + world.gamma.writes.length;

  beforeAll(async () => {
    world = await startRemoteWorld();
    slo = await startSloServer(() =>
      healthy
        ? {
            kind: "json",
            body: { apps: { wix: { good: 1000, total: 1000 }, gamma: { good: 1000, total: 1000 } } },
          }
        : {
            kind: "json",
            body: { apps: { wix: { good: 500, total: 1000 }, gamma: { good: 500, total: 1000 } } },
          },
    );
    p = await makeProject(binDir as string);
    for (const v of ["v2", "v3", "v4"]) await addVersion(p.dir, v);
    await initStack("staging");
    await initStack("production");
  });

  afterAll(async () => {
    await slo?.close();
    await world?.close();
  });

  it("up publishes the routes and flags to KV, the wix release to the CMS and the gamma release as a generation", async () => {
    await ok(["up", "--stack", "staging"]);
    const wixRoute = kvJson("routes/wix.json");
    expect(wixRoute).toMatchObject({
      app: "wix",
      stable: { version: "v1", origin: `${world.wix.url}/site/${SITE}` },
      canary: null,
      weight: 0,
    });
    expect(wixRoute.revision).toMatch(/^[0-9a-f]{16}$/);
    const gammaRoute = kvJson("routes/gamma.json");
    const [generated] = world.gamma.gammas();
    expect(world.gamma.gammas()).toHaveLength(1);
    expect(generated).toMatchObject({ folderId: SCOPES.staging.folderId, archived: false });
    expect(gammaRoute).toMatchObject({
      stable: { version: "v1", origin: `${world.gamma.url}/docs/${generated?.gammaId}` },
    });
    expect(kvJson("flags/wix/CanaryEnabled.json")).toEqual({
      app: "wix",
      key: "CanaryEnabled",
      value: false,
    });
    expect(
      [...world.cf.kv(NS).keys()].some((k) => /^wasm\/edge\/[0-9a-f]{64}\.manifest\.json$/.test(k)),
    ).toBe(true);
    const releases = wixRecords("GlidepathReleases");
    expect(releases.map((r) => [r._id, r.version])).toEqual([
      [expect.stringMatching(/^rel-[0-9a-f]{24}$/), "v1"],
    ]);
    expect(wixRecords("GlidepathRoutes").map((r) => r._id)).toEqual([await routeRecordId("wix")]);
    expect(world.wix.publishes(SITE)).toBe(1);
    // A second look changes nothing: every output the routes read (origins, revisions) is known.
    const again = await pulumiAs("staging", "staging", [
      "preview",
      "--expect-no-changes",
      "--stack",
      "staging",
    ]);
    expect(again.code, again.stdout).toBe(0);
    // Every write was staging's, into staging's scope.
    for (const w of [...world.cf.writes, ...world.wix.writes, ...world.gamma.writes]) {
      expect(w).toMatchObject({ credentialScope: "staging", applied: true });
    }
    // State keeps the credentials encrypted; no command output carries them.
    const state = (await pulumiAs("staging", "staging", ["stack", "export", "--stack", "staging"])).stdout;
    expect(state).toContain("ciphertext");
    for (const s of [SCOPES.staging.cfToken, SCOPES.staging.wixKey, SCOPES.staging.gammaKey]) {
      expect(state).not.toContain(s);
      expect(p.transcript()).not.toContain(s);
    }
  });

  it("refresh sees a hand edit in each target, and up repairs all three", async () => {
    const route = kvJson("routes/gamma.json");
    await world.cf.editKv(NS, "routes/gamma.json", JSON.stringify({ ...route, weight: 42 }));
    const [record] = wixRecords("GlidepathReleases");
    world.wix.editItem(SITE, "GlidepathReleases", String(record?._id), {
      ...record,
      index: { ...(record?.index as Record<string, string>), "index.html": "0".repeat(64) },
    });
    const gone = world.gamma.gammas()[0]?.gammaId as string;
    world.gamma.deleteByHand(gone);
    const r = await pulumiAs("staging", "staging", [
      "refresh",
      "--yes",
      "--skip-preview",
      "--stack",
      "staging",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect((await byName("gamma-weight"))?.outputs?.weight).toBe(42);
    const wixV1 = await byName("wix@v1");
    expect(wixV1?.outputs?.digest).not.toBe(record?.digest);
    expect(await byName("gamma@v1")).toBeUndefined();

    await ok(["up", "--stack", "staging"]);
    expect(kvJson("routes/gamma.json")).toMatchObject({ weight: 0, stable: { version: "v1" } });
    expect(wixRecords("GlidepathReleases")[0]?.index).toEqual(record?.index);
    const live = world.gamma.gammas().filter((g) => !g.archived);
    expect(live).toHaveLength(1);
    expect(live[0]?.gammaId).not.toBe(gone);
    expect(kvJson("routes/gamma.json").stable.origin).toBe(`${world.gamma.url}/docs/${live[0]?.gammaId}`);
  });

  it("ramps both apps 5 → 100 and promotes: each step's route reached the edge before its bake, a 429 is waited out", async () => {
    const before = world.edgeHistory("routes/wix.json").length;
    const publishes = world.wix.publishes(SITE);
    const routePut = /\/values\/routes(%2F|\/)wix\.json$/;
    const putsBefore = world.cf.requests.filter((q: { path: string }) => routePut.test(q.path)).length;
    world.cf.fault({
      method: "PUT",
      path: routePut,
      fault: { kind: "throttle", retryAfterSeconds: 1 },
      times: 1,
    });
    const r = await ok(rollout("v2"));
    // The driver waited for the edge (KV takes 1.5 s to reach it here) at every step.
    expect(`${r.stdout}${r.stderr}`.match(/the edge serves the new route/g)).toHaveLength(4);
    // The driver waits for the edge at each step, not after the promotion: the edge serves the
    // same bytes either way (canary v2 at 100% or stable v2), so the promotion's route reaches
    // the edge in its own time (1.5 s here).
    const seen = await waitFor("the promotion's route at the edge", async () => {
      const h = world.edgeHistory("routes/wix.json").slice(before);
      return h.length >= 5 ? h : undefined;
    });
    const weights = seen.map((t) => (t === null ? null : JSON.parse(t).weight));
    expect(weights).toEqual([5, 25, 50, 100, 0]);
    expect(kvJson("routes/wix.json")).toMatchObject({ stable: { version: "v2" }, canary: null, weight: 0 });
    expect(kvJson("routes/gamma.json")).toMatchObject({ stable: { version: "v2" }, canary: null, weight: 0 });
    // Step 1's route write was throttled once, waited out its Retry-After, then went through.
    const puts = world.cf.requests.filter((q: { path: string }) => routePut.test(q.path)).slice(putsBefore);
    expect(puts.map((q: { status: number }) => q.status).slice(0, 2)).toEqual([429, 200]);
    // Wix: only v2's record is left; the promotion published the site once.
    expect(wixRecords("GlidepathReleases").map((x) => x.version)).toEqual(["v2"]);
    expect(wixRecords("GlidepathRoutes")[0]).toMatchObject({ stable: { version: "v2" }, canary: null });
    expect(world.wix.publishes(SITE)).toBe(publishes + 1);
    // Gamma: v1's page archived, v2's live.
    const live = world.gamma.gammas().filter((g) => !g.archived);
    expect(live.map((g) => g.inputText.split("\n")[0])).toEqual(["# gamma v2"]);
    // No KV release manifest of v1 is left, and no file only v1 used.
    expect([...world.cf.kv(NS).keys()].filter((k) => k.startsWith("releases/wix/v1@"))).toEqual([]);
  });

  it("rolls a breach back: routes on stable at weight 0, the canary's Gamma page archived, no canary record left", async () => {
    healthy = false;
    try {
      const r = await as("staging", "staging", rollout("v3", ["--steps", "5,100"]));
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    } finally {
      healthy = true;
    }
    for (const app of ["wix", "gamma"]) {
      expect(kvJson(`routes/${app}.json`)).toMatchObject({
        stable: { version: "v2" },
        canary: null,
        weight: 0,
      });
    }
    const v3 = world.gamma.gammas().filter((g) => g.inputText.startsWith("# gamma v3"));
    expect(v3.length).toBeGreaterThan(0);
    expect(v3.every((g) => g.archived)).toBe(true);
    expect(wixRecords("GlidepathReleases").map((x) => x.version)).toEqual(["v2"]);
    expect(wixRecords("GlidepathRoutes")[0]).toMatchObject({
      stable: { version: "v2" },
      canary: null,
      weight: 0,
    });
    expect([...world.cf.kv(NS).keys()].filter((k) => /^releases\/(wix|gamma)\/v3@/.test(k))).toEqual([]);
  });

  it("a target that keeps failing mid-up fails the step, and the driver rolls back to the last green state", async () => {
    // Every attempt of the wix release's first save fails: the step's update fails.
    world.wix.fault({
      method: "POST",
      path: "/wix-data/v2/items/save",
      fault: { kind: "fail", status: 500 },
      times: 5,
    });
    const r = await as("staging", "staging", rollout("v4", ["--steps", "5,100"]));
    world.wix.clearFaults();
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
    const report = JSON.parse(
      await fs.readFile(path.join(p.dir, "artifacts", "rollout-report.json"), "utf8"),
    );
    expect(report.steps[0].reason).toMatch(/wix: .*failed after 5 attempts \(last: HTTP 500\)/);
    for (const app of ["wix", "gamma"]) {
      expect(kvJson(`routes/${app}.json`)).toMatchObject({
        stable: { version: "v2" },
        canary: null,
        weight: 0,
      });
    }
    expect(wixRecords("GlidepathReleases").map((x) => x.version)).toEqual(["v2"]);
    expect(
      world.gamma
        .gammas()
        .filter((g) => g.inputText.startsWith("# gamma v4"))
        .every((g) => g.archived),
    ).toBe(true);
  });

  it("refuses staging's credentials on the production stack (exit 2, GP_CREDENTIAL_SCOPE) and writes nothing", async () => {
    // Approved by the release manager: what stops these updates is the credentials' scope.
    await approveForTest(p.dir, "production", p.env.PULUMI_BACKEND_URL as string);
    const writes = writesNow();
    // The scope the credentials were issued for is named and differs from production's ids.
    const env = p.env;
    p.env = { ...env, CLOUDFLARE_ACCOUNT_ID: SCOPES.staging.accountId };
    const named = await as("production", "staging", ["up", "--stack", "production"]).finally(() => {
      p.env = env;
    });
    expect(named.code, named.stderr).toBe(2);
    expect(named.stderr).toContain("error[GP_CREDENTIAL_SCOPE]");
    expect(named.stderr).toContain("CLOUDFLARE_ACCOUNT_ID=acct-staging");
    // Without the ids, the APIs themselves refuse staging's credentials for production's scope.
    const r = await as("production", "staging", ["up", "--stack", "production"]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(2);
    expect(r.stderr).toContain("error[GP_CREDENTIAL_SCOPE]");
    expect(r.stderr).toMatch(/acct-production|ns-production|site-production|folder-production/);
    // A raw `pulumi up` bypasses glidepath: the providers check the scope before their first write.
    const raw = await pulumiAs("production", "staging", [
      "up",
      "--yes",
      "--skip-preview",
      "--stack",
      "production",
    ]);
    expect(raw.code).not.toBe(0);
    expect(`${raw.stdout}${raw.stderr}`).toContain("GP_CREDENTIAL_SCOPE");
    expect(writesNow()).toBe(writes);
    expect(
      [...world.cf.writes, ...world.wix.writes, ...world.gamma.writes].filter((w) =>
        w.targetScope.includes("production"),
      ),
    ).toEqual([]);
    for (const s of [SCOPES.staging.cfToken, SCOPES.staging.wixKey, SCOPES.staging.gammaKey]) {
      expect(`${r.stdout}${r.stderr}${named.stderr}${raw.stdout}${raw.stderr}`).not.toContain(s);
    }
  });

  it("production's secrets need production's passphrase: staging's cannot decrypt them", async () => {
    const set = await pulumiAs("production", "production", [
      "config",
      "set",
      "--secret",
      "glidepath:WIX_API_KEY",
      SCOPES.production.wixKey,
      "--stack",
      "production",
    ]);
    expect(set.code, set.stderr).toBe(0);
    const file = await fs.readFile(path.join(p.dir, "Pulumi.production.yaml"), "utf8");
    expect(file).not.toContain(SCOPES.production.wixKey);
    const env = p.env;
    p.env = { ...env, PULUMI_CONFIG_PASSPHRASE: world.env("staging").PULUMI_CONFIG_PASSPHRASE as string };
    try {
      const get = await p.pulumi(["config", "get", "glidepath:WIX_API_KEY", "--stack", "production"], true);
      expect(get.code).not.toBe(0);
      expect(`${get.stdout}${get.stderr}`).not.toContain(SCOPES.production.wixKey);
      expect(`${get.stdout}${get.stderr}`).toMatch(/passphrase|decrypt/i);
    } finally {
      p.env = env;
    }
  });
});

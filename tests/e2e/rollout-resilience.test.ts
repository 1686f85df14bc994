/**
 * The driver when things go wrong around it, through the real engine: killed during a bake
 * window and re-run; two drivers at once; bad input; the preflight and check; and no secret
 * value anywhere the driver writes.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { checkReportSchema } from "../../automation/lib/driver/check";
import { preflightSummarySchema } from "../../automation/lib/driver/preflight";
import { ROOT, type ScratchProject } from "../../bench/helpers/scratch-project";
import { filledTargets } from "../helpers/filled-targets";
import { filesUnder, scanTexts } from "../helpers/secret-scan";
import { type SloServer, startSloServer } from "../helpers/slo-server";
import { addVersion, greenProject, readEvents, readRoute, rolloutArgs, until } from "./helpers/rollout";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
const SECRET = "adm1n-key-0f-the-edge-8cd2e1";
/** The credentials of the secret `glidepath:rollout.slo.url` and of NOTION_SLO_BADGE_URL. */
const CFG_PASSWORD = "cfg-passw0rd-of-the-slo-91ab";
const CFG_TOKEN = "cfg-t0ken-of-the-slo-77c2de";
const BADGE_PASSWORD = "badge-passw0rd-5e0f17";
const BADGE_TOKEN = "badge-t0ken-3a9b44c1";
const SECRETS = [SECRET, CFG_PASSWORD, CFG_TOKEN, BADGE_PASSWORD, BADGE_TOKEN];

describe.skipIf(binDir === undefined)("driver resilience through the real engine", () => {
  let p: ScratchProject;
  let slo: SloServer;
  const history = () => p.history();
  const lockFile = () => path.join(p.dir, "state/.glidepath-locks/local.lock.json");

  beforeAll(async () => {
    slo = await startSloServer(() => ({
      kind: "json",
      body: { apps: { wix: { score: 99.8 }, gamma: { good: 1000, total: 1000 } } },
    }));
    p = await greenProject(binDir as string, { key: "glidepath:adminKey", value: SECRET }, [
      "v3",
      "v4",
      "v5",
    ]);
  });

  afterAll(async () => {
    await slo?.close();
  });

  it("refuses bad input with exit 2 before any update, history unchanged", async () => {
    const before = (await history()).length;
    const cases: [string[], string, string?][] = [
      [["--steps", "5,50,25,100"], "--steps=[5,50,25,100]: expected weights to increase: 50 then 25"],
      [["--steps", "5,150"], "--steps=[5,150]: expected an integer weight from 1 to 100"],
      [["--apps", "wix,blog"], '--apps="blog": unknown app or no stable release'],
      [[], '--window="10 minutes": expected a duration such as 30s, 10m or 1h', "10 minutes"],
      [["--min", "120"], "--min=120"],
    ];
    for (const [extra, message, window] of cases) {
      const r = await p.glidepath(rolloutArgs("v2", slo.url, extra, window));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("error[GP_ARG_INVALID]");
      expect(r.stderr).toContain(message);
    }
    const noBundle = await p.glidepath(rolloutArgs("v9", slo.url));
    expect(noBundle.code).toBe(2);
    expect(noBundle.stderr).toContain("no bundle for gamma; expected the directory apps/gamma/v9");
    expect((await history()).length).toBe(before);
  });

  it("preflight of the local stack needs no secret; check previews the ramp without applying it", async () => {
    const pre = await p.glidepath([
      "preflight",
      "--stack",
      "local",
      "--json-output",
      "artifacts/orchestrator-summary.json",
    ]);
    expect(pre.code, pre.stderr).toBe(0);
    const summary = preflightSummarySchema.parse(
      JSON.parse(await fs.readFile(path.join(p.dir, "artifacts/orchestrator-summary.json"), "utf8")),
    );
    expect(summary).toMatchObject({ ok: true, secrets: {}, missing: [] });
    expect(summary.inventory.apps.wix).toMatchObject({
      target: "local",
      stable: "v1",
      canary: null,
      weight: 0,
    });
    const before = (await history()).length;
    const config = await fs.readFile(path.join(p.dir, "Pulumi.local.yaml"), "utf8");
    const check = await p.glidepath([
      "check",
      "--stack",
      "local",
      "--version",
      "v2",
      "--json-output",
      "artifacts/orchestrator-check.json",
    ]);
    expect(check.code, check.stderr).toBe(0);
    const report = checkReportSchema.parse(
      JSON.parse(await fs.readFile(path.join(p.dir, "artifacts/orchestrator-check.json"), "utf8")),
    );
    expect(Object.keys(report.current)).toEqual(["same"]);
    // The first step adds two builds and two releases and changes routes and flags.
    expect(report.ramp?.firstStep.create).toBe(4);
    expect(report.ramp?.steps.map((s) => s.weight)).toEqual([5, 25, 50, 100]);
    expect((await history()).length).toBe(before);
    expect(await fs.readFile(path.join(p.dir, "Pulumi.local.yaml"), "utf8")).toBe(config);
  });

  it("lists each missing secret of a staging stack by name and the target that needs it (exit 1), never a value", async () => {
    // The committed staging file with its placeholders filled in (a placeholder is refused first).
    const staging = parse(await fs.readFile(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
    staging.config["glidepath:targets"] = filledTargets("1");
    await fs.writeFile(path.join(p.dir, "Pulumi.staging.yaml"), stringify(staging));
    expect((await p.pulumi(["stack", "init", "staging"])).code).toBe(0);
    expect(
      (
        await p.pulumi([
          "config",
          "set",
          "--secret",
          "glidepath:GAMMA_TOKEN",
          "gamma-tok-51e2",
          "--stack",
          "staging",
        ])
      ).code,
    ).toBe(0);
    const env = p.env;
    p.env = { ...env, WIX_API_KEY: "wix-key-77a9" };
    try {
      const r = await p.glidepath(["preflight", "--stack", "staging", "--json"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("error[GP_SECRETS_MISSING]");
      expect(r.stderr).toContain("CLOUDFLARE_API_TOKEN (cloudflare target)");
      const s = preflightSummarySchema.parse(JSON.parse(r.stdout));
      expect(s.secrets).toMatchObject({ WIX_API_KEY: "env", GAMMA_TOKEN: "config", WIX_SITE_ID: "missing" });
      expect(s.missing).toEqual([
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_ACCOUNT_ID",
        "WIX_SITE_ID",
        "GAMMA_SPACE_ID",
      ]);
      expect(s.neededBy).toEqual({
        CLOUDFLARE_API_TOKEN: "cloudflare",
        CLOUDFLARE_ACCOUNT_ID: "cloudflare",
        WIX_API_KEY: "wix",
        WIX_SITE_ID: "wix",
        GAMMA_TOKEN: "gamma",
        GAMMA_SPACE_ID: "gamma",
      });
      expect(r.stdout + r.stderr).not.toContain("wix-key-77a9");
      expect(r.stdout + r.stderr).not.toContain("gamma-tok-51e2");
    } finally {
      p.env = env;
    }
  });

  it("a driver killed (SIGKILL) during a bake window is resumed by the next run: no orphan lock, no unjudged canary", async () => {
    const killed = p.start(rolloutArgs("v2", slo.url, [], "60s"));
    await until(() => killed.output().includes("baking"), 90_000, "the first bake window");
    killed.child.kill("SIGKILL");
    await killed.done;
    // The ramp is left at 5%, unjudged, and the dead driver's lock is still there.
    expect(await readRoute(p.dir, "wix")).toMatchObject({ canary: { version: "v2" }, weight: 5 });
    expect(JSON.parse(await fs.readFile(lockFile(), "utf8")).pid).toBe(killed.child.pid);
    const status = JSON.parse((await p.glidepath(["status", "--stack", "local", "--json"])).stdout);
    expect(status.ramp).toMatchObject({ version: "v2", step: 1, weight: 5 });
    // Another version is refused while that ramp is unfinished.
    const other = await p.glidepath(rolloutArgs("v3", slo.url));
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("error[GP_RAMP_CONFLICT]");
    const before = (await history()).length;
    const r = await p.glidepath(rolloutArgs("v2", slo.url, ["--json"]));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("resuming a ramp left by an earlier driver (step applied: judging it again)");
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ outcome: "promoted", resumed: true });
    expect(report.steps.map((s: { weight: number }) => s.weight)).toEqual([5, 25, 50, 100]);
    // Step 5% was judged again, not redeployed: three more steps and the promotion.
    expect((await history()).slice(0, (await history()).length - before).map((h) => h.message)).toEqual([
      "glidepath promote gamma@v2 wix@v2",
      "glidepath canary:100 gamma@v2 wix@v2",
      "glidepath canary:50 gamma@v2 wix@v2",
      "glidepath canary:25 gamma@v2 wix@v2",
    ]);
    await expect(fs.stat(lockFile())).rejects.toThrow();
    const runtime = (await fs.readFile(path.join(p.dir, "artifacts/runtime-events.jsonl"), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l).code);
    expect(runtime).toContain("stale_lock_cleared");
    expect(runtime).toContain("ramp_resumed");
  });

  it("a driver killed during an update: the next run lets its pulumi finish, then resumes or rolls back", async () => {
    const args = (extra: string[]) => rolloutArgs("v4", slo.url, ["--steps", "5,100", ...extra], "2s");
    const killed = p.start(args([]));
    await until(() => killed.output().includes("pulumi up: glidepath canary:5"), 90_000, "the first update");
    // The step's config is written just before its update starts: kill inside the update.
    await until(
      async () =>
        (await fs.readFile(path.join(p.dir, "Pulumi.local.yaml"), "utf8")).includes("glidepath:ramp"),
      20_000,
      "the step's config",
    );
    killed.child.kill("SIGKILL");
    await killed.done;
    const r = await p.glidepath(args(["--json"]));
    expect([0, 1], r.stderr).toContain(r.code);
    const report = JSON.parse(r.stdout);
    expect(report.resumed).toBe(true);
    // Either way nothing is left at an unjudged weight, and no lock is left behind.
    const route = (await readRoute(p.dir, "wix")) as { stable: { version: string } };
    expect(route).toMatchObject({ canary: null, weight: 0 });
    expect(route.stable.version).toBe(report.outcome === "promoted" ? "v4" : "v2");
    await expect(fs.stat(lockFile())).rejects.toThrow();
    const backendLocks = await fs.readdir(path.join(p.dir, "state/.pulumi/locks"), { recursive: true });
    expect(backendLocks.filter((f) => f.endsWith(".json"))).toEqual([]);
    expect((await history())[0]?.result).toBe("succeeded");
  });

  it("a driver killed while rolling back: the next run finishes the rollback (exit 1), nothing left live", async () => {
    const healthy = () => ({
      kind: "json" as const,
      body: { apps: { wix: { score: 99.8 }, gamma: { good: 1000, total: 1000 } } },
    });
    const closingTag = () => p.pulumi(["stack", "tag", "get", "glidepath:closing", "--stack", "local"]);
    slo.setBehavior(() => ({ kind: "json", body: { score: 97 } }));
    try {
      const killed = p.start(rolloutArgs("v5", slo.url, ["--steps", "5,100"]));
      await until(
        () => killed.output().includes("rolling back to the last green state"),
        90_000,
        "the rollback",
      );
      await until(async () => (await closingTag()).code === 0, 20_000, "the closing mark");
      killed.child.kill("SIGKILL");
      await killed.done;
      slo.setBehavior(healthy);
      const r = await p.glidepath(rolloutArgs("v5", slo.url, ["--json", "--steps", "5,100"]));
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain("finishing the rollback of v5 that an earlier driver left unfinished");
      expect(JSON.parse(r.stdout)).toMatchObject({ outcome: "rolled_back", resumed: true });
      expect(await readRoute(p.dir, "wix")).toMatchObject({ canary: null, weight: 0 });
      expect((await closingTag()).code).not.toBe(0);
      expect((await readEvents(p.dir)).at(-1)).toMatchObject({ phase: "rollback:triggered", version: "v5" });
      expect((await history())[0]?.result).toBe("succeeded");
    } finally {
      slo.setBehavior(healthy);
    }
  });

  it("refuses a second driver on the same stack while the first runs; the first finishes", async () => {
    const first = p.start(rolloutArgs("v3", slo.url, ["--steps", "5,100"], "3s"));
    await until(() => first.output().includes("baking"), 90_000, "the first driver's bake");
    const second = await p.glidepath(rolloutArgs("v3", slo.url, ["--steps", "5,100"]));
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("error[GP_STACK_LOCKED]");
    expect(second.stderr).toContain(`rollout v3 (pid ${first.child.pid}`);
    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    expect(await readRoute(p.dir, "wix")).toMatchObject({
      stable: { version: "v3" },
      canary: null,
      weight: 0,
    });
  });

  it("samples the secret glidepath:rollout.slo.url (decrypted in memory only), then NOTION_SLO_BADGE_URL when the config names none", async () => {
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    const seen = new Set<string>();
    slo.setBehavior((req) => {
      const ok =
        (req.token === CFG_TOKEN && req.authorization === basic("cfg", CFG_PASSWORD)) ||
        (req.token === BADGE_TOKEN && req.authorization === basic("badge", BADGE_PASSWORD));
      if (ok) seen.add(req.token as string);
      return ok ? { kind: "json", body: { score: 99.9 } } : { kind: "status", code: 401 };
    });
    const at = new URL(slo.url);
    const withCredentials = (user: string, password: string, token: string) =>
      `http://${user}:${password}@${at.host}${at.pathname}?token=${token}`;
    const set = async (args: string[]) => {
      const r = await p.pulumi(["config", ...args, "--stack", "local"], true);
      expect(r.code, r.stderr).toBe(0);
    };
    await set(["set", "--path", "glidepath:rollout.slo.source", "http"]);
    await set([
      "set",
      "--secret",
      "--path",
      "glidepath:rollout.slo.url",
      withCredentials("cfg", CFG_PASSWORD, CFG_TOKEN),
    ]);
    p.env = { ...p.env, NOTION_SLO_BADGE_URL: withCredentials("badge", BADGE_PASSWORD, BADGE_TOKEN) };
    await addVersion(p.dir, "v6");
    await addVersion(p.dir, "v7");
    const ramp = (version: string, extra: string[] = []) => [
      ...["rollout", "--stack", "local", "--version", version, "--steps", "5,100"],
      ...["--window", "2s", "--final-window", "2s", "--interval", "500ms", ...extra],
    ];
    const fromConfig = await p.glidepath(ramp("v6", ["--json"]));
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    expect([...seen]).toEqual([CFG_TOKEN]);
    await set(["rm", "--path", "glidepath:rollout.slo"]);
    const fromBadge = await p.glidepath(ramp("v7"));
    expect(fromBadge.code, fromBadge.stderr).toBe(0);
    expect([...seen]).toEqual([CFG_TOKEN, BADGE_TOKEN]);
    for (const args of [["history"], ["history", "--json"], ["status"], ["status", "--json"]]) {
      const r = await p.glidepath([...args, "--stack", "local"]);
      expect(r.code, r.stderr).toBe(0);
    }
  });

  it("keeps every secret (admin key, SLO URL and badge credentials) out of state (base64 too), histories, events, artifacts and every output", async () => {
    const texts: Record<string, string> = {
      "pulumi stack export": (await p.pulumi(["stack", "export", "--stack", "local"])).stdout,
      "pulumi stack history --json": (await p.pulumi(["stack", "history", "--json", "--stack", "local"]))
        .stdout,
      "glidepath history --json": (await p.glidepath(["history", "--stack", "local", "--json"])).stdout,
      "Pulumi.local.yaml": await fs.readFile(path.join(p.dir, "Pulumi.local.yaml"), "utf8"),
      ...(await filesUnder(path.join(p.dir, "state"))),
      ...(await filesUnder(path.join(p.dir, "artifacts"))),
      ...(await filesUnder(path.join(p.dir, ".glidepath"))),
      transcript: p.transcript(),
    };
    expect(Object.keys(texts).some((f) => f.endsWith("swarm-events.jsonl"))).toBe(true);
    expect((await readEvents(p.dir)).length).toBeGreaterThan(0);
    expect(scanTexts(texts, SECRETS)).toEqual([]);
    // The scan finds a leak: a copy of the events with the badge token in it.
    const events = Object.entries(texts).find(([f]) => f.endsWith("swarm-events.jsonl"))?.[1] ?? "";
    const leaked = { "leaked events": `${events}{"url":"?token=${BADGE_TOKEN}"}\n` };
    expect(scanTexts(leaked, SECRETS)).toEqual([
      { where: "leaked events", secret: BADGE_TOKEN, as: "plain" },
    ]);
  });
});

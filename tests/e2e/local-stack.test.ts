/**
 * The local stack through the real Pulumi engine on the file backend: successive `up`s,
 * history, refresh with drift, rollback with secrets, refusal of bad config, destroy.
 * The steps build on each other and run in order.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { edgeFiles } from "../../edge/host/discovery";
import { filesUnder, scanTexts } from "../helpers/secret-scan";
import { until } from "./helpers/rollout";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
/** Resources of the local stack's edge WASM deliverable: its component, build and package. */
const EDGE_WASM = 3;

const FIRST_KEY = "first-admin-key-0001-abcdef";
const SECOND_KEY = "second-admin-key-0002-ghijkl";
/** The SLO URL's credentials (the probe's tokenised URL): a password and a query token. */
const SLO_PASSWORD = "Pr0beTok3nCfg";
const SLO_TOKEN = "Qv4lueCfg77";
const SLO_URL = `http://u:${SLO_PASSWORD}@127.0.0.1:18100/slo?token=${SLO_TOKEN}`;
const SECRETS = [FIRST_KEY, SECOND_KEY, SLO_PASSWORD, SLO_TOKEN];

describe.skipIf(binDir === undefined)("local stack through the real engine", () => {
  let p: ScratchProject;
  const flagFile = (app: string) =>
    path.join(p.dir, ".glidepath/targets/local/flags", app, "CanaryEnabled.json");
  const flagValue = async (app: string) => JSON.parse(await fs.readFile(flagFile(app), "utf8")).value;
  const history = () => p.history();
  const ok = async (args: string[], tool: "glidepath" | "pulumi" = "glidepath") => {
    const r = await p[tool](args);
    expect(r.code, `${tool} ${args.join(" ")}\n${r.stderr}`).toBe(0);
    return r;
  };

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    await ok(["stack", "init", "local"], "pulumi");
    await ok(["config", "set", "--secret", "glidepath:adminKey", FIRST_KEY, "--stack", "local"], "pulumi");
  });

  it("up creates the flag files (and publishes the stable releases)", async () => {
    const r = await ok(["up", "--stack", "local", "--json"]);
    expect(JSON.parse(r.stdout).message).toBe(
      "glidepath up local: gamma@v1 wix@v1 gamma.CanaryEnabled=false wix.CanaryEnabled=false",
    );
    expect(await flagValue("wix")).toBe(false);
    expect(await flagValue("gamma")).toBe(false);
  });

  it("a second up with a changed value updates the file; history lists both updates with their messages", async () => {
    await ok(
      ["config", "set", "--path", "glidepath:flags.wix.CanaryEnabled", "true", "--stack", "local"],
      "pulumi",
    );
    await ok(["config", "set", "--secret", "glidepath:adminKey", SECOND_KEY, "--stack", "local"], "pulumi");
    const r = await ok(["up", "--stack", "local", "--json"]);
    expect(JSON.parse(r.stdout).changes).toEqual({ update: 1, same: 12 + EDGE_WASM });
    expect(await flagValue("wix")).toBe(true);
    expect((await history()).map((h) => [h.kind, h.result, h.message])).toEqual([
      [
        "update",
        "succeeded",
        "glidepath up local: gamma@v1 wix@v1 gamma.CanaryEnabled=false wix.CanaryEnabled=true",
      ],
      [
        "update",
        "succeeded",
        "glidepath up local: gamma@v1 wix@v1 gamma.CanaryEnabled=false wix.CanaryEnabled=false",
      ],
    ]);
  });

  it("an up with nothing changed changes nothing", async () => {
    const r = await ok(["up", "--stack", "local", "--json"]);
    expect(JSON.parse(r.stdout).changes).toEqual({ same: 13 + EDGE_WASM });
  });

  it("refresh reports a hand edit as drift, and the next up repairs the file", async () => {
    await fs.writeFile(flagFile("wix"), JSON.stringify({ app: "wix", key: "CanaryEnabled", value: false }));
    const refresh = await ok(["refresh", "--yes", "--stack", "local", "--skip-preview"], "pulumi");
    expect(refresh.stdout).toMatch(/~\s*1 updated/);
    const state = JSON.parse((await ok(["stack", "export", "--stack", "local"], "pulumi")).stdout);
    const wix = state.deployment.resources.find((r: { urn: string }) =>
      r.urn.endsWith("::wix.CanaryEnabled"),
    );
    expect(wix.outputs.value).toBe(false);
    await ok(["up", "--stack", "local"]);
    expect(await flagValue("wix")).toBe(true);
  });

  it("fails if a flag value has the wrong type: exit 2, path and expected form, history unchanged", async () => {
    const before = await history();
    await ok(
      ["config", "set", "--path", "glidepath:flags.wix.CanaryEnabled", "yes", "--stack", "local"],
      "pulumi",
    );
    const r = await p.glidepath(["up", "--stack", "local"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[GP_CONFIG_INVALID]");
    expect(r.stderr).toContain('glidepath:flags.wix.CanaryEnabled: expected a boolean, got "yes" (string)');
    expect(await history()).toEqual(before);
    await ok(
      ["config", "set", "--path", "glidepath:flags.wix.CanaryEnabled", "true", "--stack", "local"],
      "pulumi",
    );
  });

  it("fails if flags name an unknown app: exit 2, path and declared apps, history unchanged", async () => {
    const before = await history();
    await ok(["config", "set", "--path", "glidepath:flags.shop.Mode", "on", "--stack", "local"], "pulumi");
    const r = await p.glidepath(["up", "--stack", "local"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('glidepath:flags.shop: unknown app "shop"; declared apps: gamma, wix');
    expect(await history()).toEqual(before);
    await ok(["config", "rm", "--path", "glidepath:flags.shop", "--stack", "local"], "pulumi");
  });

  it("fails if the rollback target is not a successful update: exit 2, nothing changed", async () => {
    const before = await history();
    const r = await p.glidepath(["rollback", "--stack", "local", "--to", "99"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[GP_HISTORY_NO_MATCH]: stack history has no successful update 99");
    const bad = await p.glidepath(["rollback", "--stack", "local", "--to", "../1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--to="../1": expected an update number from `glidepath history`, a version tag such as v2, a golden tag such as prod-2026-12-02, or last-good',
    );
    const tag = await p.glidepath(["rollback", "--stack", "local", "--to", "v9"]);
    expect(tag.code).toBe(2);
    expect(tag.stderr).toContain("no successful update with every app's stable release at v9");
    expect(await history()).toEqual(before);
  });

  it("rollback to the first update restores its values and keeps today's secret (a rotated key stays rotated); history shows the rollback", async () => {
    const before = await history();
    const r = await ok(["rollback", "--stack", "local", "--to", "1", "--json"]);
    const result = JSON.parse(r.stdout);
    expect(result.restored.version).toBe(1);
    expect(result.changedKeys).toEqual(["glidepath:flags"]);
    expect(result.keptSecrets).toEqual(["glidepath:adminKey"]);
    expect(await flagValue("wix")).toBe(false);
    const after = await history();
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]).toMatchObject({
      kind: "update",
      result: "succeeded",
      message:
        "glidepath rollback local to update 1 (glidepath up local: gamma@v1 wix@v1 gamma.CanaryEnabled=false wix.CanaryEnabled=false)",
    });
    const key = await p.pulumi(["config", "get", "glidepath:adminKey", "--stack", "local"], true);
    expect(key.stdout.trim()).toBe(SECOND_KEY);
    const yaml = await fs.readFile(path.join(p.dir, "Pulumi.local.yaml"), "utf8");
    expect(yaml).toMatch(/glidepath:adminKey:\s*\n\s*secure: v1:/);
  });

  it("rollback without --to returns to the last green update before the current one, dropping keys it lacked", async () => {
    // Now on the rollback to update 1 (wix=false); the green update before it repaired wix=true.
    await ok(["config", "set", "--path", "glidepath:rollout.minSlo", "98", "--stack", "local"], "pulumi");
    const r = await ok(["rollback", "--stack", "local", "--json"]);
    const result = JSON.parse(r.stdout);
    expect(result.changedKeys).toContain("glidepath:rollout");
    expect(await flagValue("wix")).toBe(true);
    const config = JSON.parse((await ok(["config", "--json", "--stack", "local"], "pulumi")).stdout);
    expect(Object.keys(config).sort()).toEqual([
      "glidepath:adminKey",
      "glidepath:apps",
      "glidepath:environment",
      "glidepath:flags",
      // A rollback writes the desired state anew: one generation up.
      "glidepath:generation",
      "glidepath:releases",
      "glidepath:wasm",
    ]);
    expect(config["glidepath:adminKey"].secret).toBe(true);
  });

  it("fails if an SLO URL with credentials is plain config: exit 2, the key named, the URL not quoted, history unchanged", async () => {
    const before = await history();
    await ok(
      ["config", "set", "--path", "glidepath:rollout.slo.source", "http", "--stack", "local"],
      "pulumi",
    );
    await ok(["config", "set", "--path", "glidepath:rollout.slo.url", SLO_URL, "--stack", "local"], "pulumi");
    const r = await p.glidepath(["up", "--stack", "local"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("error[GP_CONFIG_INVALID]");
    expect(r.stderr).toContain(
      "glidepath:rollout.slo.url: expected a secret: the URL carries credentials (userinfo or query values)",
    );
    expect(r.stderr).toContain("pulumi config set --secret --path glidepath:rollout.slo.url <url>");
    expect(await history()).toEqual(before);
  });

  it("takes the SLO URL as a secret (--secret --path): up, check, status and history work and show no credential", async () => {
    await ok(
      ["config", "set", "--secret", "--path", "glidepath:rollout.slo.url", SLO_URL, "--stack", "local"],
      "pulumi",
    );
    const yaml = await fs.readFile(path.join(p.dir, "Pulumi.local.yaml"), "utf8");
    expect(yaml).toMatch(/url:\s*\n\s*secure: v1:/);
    await ok(["up", "--stack", "local"]);
    const hist = JSON.parse((await ok(["history", "--stack", "local", "--json"])).stdout);
    expect(hist.history[0].config["glidepath:rollout"]).toEqual({ secret: true });
    await ok(["history", "--stack", "local"]);
    await ok(["status", "--stack", "local"]);
    await ok(["status", "--stack", "local", "--json"]);
    const check = JSON.parse((await ok(["check", "--stack", "local", "--version", "v2", "--json"])).stdout);
    expect(check.ramp.steps.map((s: { weight: number }) => s.weight)).toEqual([5, 25, 50, 100]);
    await ok(["check", "--stack", "local", "--version", "v2"]);
  });

  it("fails if a part of glidepath:rollout other than the SLO URL is a secret: exit 2, the part named", async () => {
    await ok(
      ["config", "set", "--secret", "--path", "glidepath:rollout.minSlo", "98", "--stack", "local"],
      "pulumi",
    );
    const before = await history();
    const r = await p.glidepath(["up", "--stack", "local"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      "glidepath:rollout.minSlo: expected a plain value: only glidepath:rollout.slo.url may be a secret in glidepath:rollout",
    );
    expect(await history()).toEqual(before);
    await ok(["config", "set", "--path", "glidepath:rollout.minSlo", "98", "--stack", "local"], "pulumi");
  });

  it("serves the edge with the stack's glidepath:adminKey when WIREDCHAOS_KEY is unset", async () => {
    const { WIREDCHAOS_KEY: _, ...env } = p.env;
    p.env = env;
    const edge = p.start(["edge", "--stack", "local", "--port", "0"]);
    const keyFile = edgeFiles(p.dir, "local").key;
    try {
      await until(
        async () =>
          edge.child.exitCode !== null || (await fs.readFile(keyFile, "utf8").catch(() => "")) !== "",
        60_000,
        "the edge's key file",
      );
      expect(edge.child.exitCode, edge.output()).toBeNull();
      expect(await fs.readFile(keyFile, "utf8")).toBe(SECOND_KEY);
      expect((await fs.stat(keyFile)).mode & 0o777).toBe(0o600);
    } finally {
      edge.child.kill("SIGTERM");
      await edge.done;
    }
    await expect(fs.access(keyFile)).rejects.toThrow();
  });

  it("keeps secrets out of history, state (base64 too), config files, artifacts and every command's output", async () => {
    const texts: Record<string, string> = {
      "pulumi stack export": (await ok(["stack", "export", "--stack", "local"], "pulumi")).stdout,
      "pulumi stack history --json": (await ok(["stack", "history", "--json", "--stack", "local"], "pulumi"))
        .stdout,
      "glidepath history --json": (await ok(["history", "--stack", "local", "--json"])).stdout,
      "Pulumi.local.yaml": await fs.readFile(path.join(p.dir, "Pulumi.local.yaml"), "utf8"),
      ...(await filesUnder(path.join(p.dir, "state"))),
      ...(await filesUnder(path.join(p.dir, "artifacts"))),
      ...(await filesUnder(path.join(p.dir, ".glidepath"))),
      transcript: p.transcript(),
    };
    expect(Object.keys(texts).length).toBeGreaterThan(10);
    expect(scanTexts(texts, SECRETS)).toEqual([]);
    // The scan finds a leak: the same texts with one deliberately leaked copy of the state.
    const copy = `${texts["pulumi stack export"]}{"leaked":"${Buffer.from(`x${SLO_TOKEN}`).toString("base64")}"}`;
    const leaked = { ...texts, "leaked copy": copy };
    expect(scanTexts(leaked, SECRETS)).toEqual([{ where: "leaked copy", secret: SLO_TOKEN, as: "base64" }]);
  });

  it("destroy removes the files", async () => {
    await ok(["destroy", "--yes", "--stack", "local", "--skip-preview"], "pulumi");
    await expect(fs.access(flagFile("wix"))).rejects.toThrow();
    await expect(fs.access(flagFile("gamma"))).rejects.toThrow();
  });
});

describe.skipIf(binDir === undefined)("stacks with real secrets", () => {
  it("fails if staging runs without PULUMI_CONFIG_PASSPHRASE: exit 2, no stack created", async () => {
    const p = await makeProject(binDir as string);
    const { PULUMI_CONFIG_PASSPHRASE: _, ...env } = p.env;
    p.env = env;
    const r = await p.glidepath(["up", "--stack", "staging"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'error[GP_PASSPHRASE_MISSING]: stack "staging" needs PULUMI_CONFIG_PASSPHRASE',
    );
    expect(await fs.readdir(path.join(p.dir, "state"))).toEqual([]);
  });
});

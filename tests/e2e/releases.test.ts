/**
 * Releases and canary weights through the real engine on the local target: stable only, a
 * canary at 5, weight 25, promotion, a second canary dropped by rollback, content addressing
 * (identical sources change nothing), and drift of a hand-edited route. After every step the
 * target's files equal what the config says.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { buildReportSchema } from "../../infra/build-report";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
/** Resources of the local stack's edge WASM deliverable: its component, build and package. */
const EDGE_WASM = 3;

interface Route {
  app: string;
  stable: { version: string; digest: string };
  canary: { version: string; digest: string } | null;
  weight: number;
}

describe.skipIf(binDir === undefined)("releases and canary weights through the real engine", () => {
  let p: ScratchProject;
  const target = () => path.join(p.dir, ".glidepath/targets/local");
  const route = async (app: string): Promise<Route> =>
    JSON.parse(await fs.readFile(path.join(target(), "routes", `${app}.json`), "utf8"));
  const releaseDirs = async (app: string) => (await fs.readdir(path.join(target(), "releases", app))).sort();
  const cfg = async (...pairs: [string, string][]) => {
    for (const [key, value] of pairs) {
      const r = await p.pulumi(["config", "set", "--path", key, value, "--stack", "local"]);
      expect(r.code, r.stderr).toBe(0);
    }
  };
  const up = async () => {
    const r = await p.glidepath(["up", "--stack", "local", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { message: string; changes: Record<string, number> };
  };

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    // a third version of the site for the second canary
    await fs.cp(path.join(p.dir, "apps/wix/v2"), path.join(p.dir, "apps/wix/v3"), { recursive: true });
    await fs.appendFile(path.join(p.dir, "apps/wix/v3/index.html"), "<!-- v3 -->\n");
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
  });

  it("up with stable releases only publishes them and routes all traffic to them", async () => {
    await up();
    const wix = await route("wix");
    expect(wix).toMatchObject({ app: "wix", stable: { version: "v1" }, canary: null, weight: 0 });
    expect(await releaseDirs("wix")).toEqual([`v1@${wix.stable.digest.slice(0, 16)}`]);
    const report = buildReportSchema.parse(
      JSON.parse(await fs.readFile(path.join(p.dir, "artifacts/wix-build.json"), "utf8")),
    );
    expect(report).toMatchObject({ app: "wix", version: "v1", bundleDigest: wix.stable.digest });
    const published = path.join(target(), "releases/wix", `v1@${wix.stable.digest.slice(0, 16)}`);
    expect(await fs.readFile(path.join(published, "index.html"), "utf8")).toBe(
      await fs.readFile(path.join(p.dir, "apps/wix/v1/index.html"), "utf8"),
    );
  });

  it("a canary at 5 publishes it beside the stable release and routes 5% to it", async () => {
    await cfg(
      ["glidepath:releases.wix.canary.version", "v2"],
      ["glidepath:releases.wix.canary.source", "apps/wix/v2"],
    );
    await cfg(["glidepath:weights.wix", "5"]);
    const r = await up();
    expect(r.message).toBe(
      "glidepath up local: gamma@v1 wix@v1>v2:5% gamma.CanaryEnabled=false wix.CanaryEnabled=false",
    );
    expect(r.changes).toEqual({ create: 2, update: 1, same: 12 + EDGE_WASM }); // the canary's build and release, the route
    expect(await route("wix")).toMatchObject({
      stable: { version: "v1" },
      canary: { version: "v2" },
      weight: 5,
    });
    expect((await releaseDirs("wix")).map((d) => d.split("@")[0])).toEqual(["v1", "v2"]);
  });

  it("weight 25 only rewrites the route; a second up changes nothing", async () => {
    await cfg(["glidepath:weights.wix", "25"]);
    expect((await up()).changes).toEqual({ update: 1, same: 14 + EDGE_WASM });
    expect((await route("wix")).weight).toBe(25);
    expect((await up()).changes).toEqual({ same: 15 + EDGE_WASM });
  });

  it("promotion makes the canary stable and retires the old stable release", async () => {
    await cfg(
      ["glidepath:releases.wix.stable.version", "v2"],
      ["glidepath:releases.wix.stable.source", "apps/wix/v2"],
    );
    expect(
      (await p.pulumi(["config", "rm", "--path", "glidepath:releases.wix.canary", "-s", "local"])).code,
    ).toBe(0);
    await cfg(["glidepath:weights.wix", "0"]);
    const r = await up();
    // v2 keeps its build and release (it only changes role); v1's are deleted after the route moved.
    expect(r.changes).toEqual({ update: 1, delete: 2, same: 12 + EDGE_WASM });
    expect(await route("wix")).toMatchObject({ stable: { version: "v2" }, canary: null, weight: 0 });
    expect((await releaseDirs("wix")).map((d) => d.split("@")[0])).toEqual(["v2"]);
  });

  it("rebuilding identical sources changes nothing: the release is its content", async () => {
    await fs.cp(path.join(p.dir, "apps/wix/v2"), path.join(p.dir, "apps/wix/v2-rebuilt"), {
      recursive: true,
    });
    await cfg(["glidepath:releases.wix.stable.source", "apps/wix/v2-rebuilt"]);
    const r = await up();
    expect(r.changes.create ?? 0).toBe(0);
    expect(r.changes.replace ?? 0).toBe(0);
    expect((await releaseDirs("wix")).map((d) => d.split("@")[0])).toEqual(["v2"]);
  });

  it("a second canary is dropped by rolling back to the promoted state", async () => {
    const promoted = JSON.parse((await p.glidepath(["history", "--stack", "local", "--json"])).stdout)
      .history[0].version as number;
    await cfg(
      ["glidepath:releases.wix.canary.version", "v3"],
      ["glidepath:releases.wix.canary.source", "apps/wix/v3"],
    );
    await cfg(["glidepath:weights.wix", "5"]);
    await up();
    expect(await route("wix")).toMatchObject({ canary: { version: "v3" }, weight: 5 });
    const rb = await p.glidepath(["rollback", "--stack", "local", "--to", String(promoted), "--json"]);
    expect(rb.code, rb.stderr).toBe(0);
    expect(await route("wix")).toMatchObject({ stable: { version: "v2" }, canary: null, weight: 0 });
    expect((await releaseDirs("wix")).map((d) => d.split("@")[0])).toEqual(["v2"]);
  });

  it("refresh detects a hand-edited route, and the next up repairs it", async () => {
    const file = path.join(target(), "routes/wix.json");
    const doc = await route("wix");
    await fs.writeFile(file, JSON.stringify({ ...doc, weight: 50 }));
    const refresh = await p.pulumi(["refresh", "--yes", "--skip-preview", "--stack", "local"]);
    expect(refresh.code, refresh.stderr).toBe(0);
    expect(refresh.stdout).toMatch(/~\s*1 updated/);
    expect((await up()).changes).toEqual({ update: 1, same: 12 + EDGE_WASM });
    expect((await route("wix")).weight).toBe(0);
  });

  it("fails if a release source is missing: exit 2 naming the key and the path, nothing deployed", async () => {
    await cfg(["glidepath:releases.gamma.stable.source", "apps/gamma/nope"]);
    const r = await p.glidepath(["up", "--stack", "local"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "glidepath:releases.gamma.stable.source: expected a directory with the bundle of gamma@v1",
    );
    await cfg(["glidepath:releases.gamma.stable.source", "apps/gamma/v1"]);
  });
});

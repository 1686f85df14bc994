/**
 * The runbook's drift repair through the real engine: a published release and a packaged WASM
 * artifact are tampered with on the target, `pulumi refresh` records the drift, and the next
 * `glidepath up` republishes both in place — the release directory is there with its digest,
 * the edge serves it, and a second `refresh` finds nothing to record.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Background, makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { type EdgeRecord, readEdgeRecord } from "../../edge/host/discovery";
import { digestDir } from "../../providers/targets/bundle";
import { readRoute, until } from "./helpers/rollout";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();

describe.skipIf(binDir === undefined)("drift repair: tamper, refresh, up", () => {
  let p: ScratchProject;
  let edgeProc: Background | undefined;
  const target = () => path.join(p.dir, ".glidepath/targets/local");
  const up = async () => {
    const r = await p.glidepath(["up", "--stack", "local", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { changes: Record<string, number> }).changes;
  };
  const refresh = async () => {
    const r = await p.pulumi(["refresh", "--yes", "--skip-preview", "--stack", "local"]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  /** The published directory of wix's stable release, and its digest from the route. */
  const wixRelease = async () => {
    const route = (await readRoute(p.dir, "wix")) as { stable: { version: string; digest: string } };
    const { version, digest } = route.stable;
    return { dir: path.join(target(), "releases/wix", `${version}@${digest.slice(0, 16)}`), digest };
  };
  /** The packaged artifact of the `edge` blueprint. */
  const edgeArtifact = async () => {
    const dir = path.join(target(), "wasm/edge");
    const name = (await fs.readdir(dir)).find((f) => f.endsWith(".wasm"));
    if (name === undefined) throw new Error(`no artifact in ${dir}`);
    return path.join(dir, name);
  };

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
    await up();
  });

  afterAll(async () => {
    edgeProc?.child.kill("SIGTERM");
    await edgeProc?.done;
  });

  it("republishes a tampered release and artifact in place: the release is there with its digest, nothing else changes", async () => {
    const release = await wixRelease();
    const artifact = await edgeArtifact();
    const artifactBytes = await fs.readFile(artifact);
    await fs.writeFile(path.join(release.dir, "index.html"), "defaced\n");
    await fs.writeFile(artifact, "swapped");
    // refresh records both drifts: the release's digest and the artifact's sha as read back.
    expect(await refresh()).toMatch(/~\s*2 updated/);
    const changes = await up();
    expect(changes).toEqual({ update: 2, same: expect.any(Number) });
    expect((await digestDir(release.dir, [".release.json"])).digest).toBe(release.digest);
    expect(await fs.readFile(path.join(release.dir, "index.html"), "utf8")).toBe(
      await fs.readFile(path.join(p.dir, "apps/wix/v1/index.html"), "utf8"),
    );
    expect(await fs.readFile(artifact)).toEqual(artifactBytes);
    expect(await fs.readFile(path.join(release.dir, ".release.json"), "utf8")).toContain(release.digest);
  });

  it("serves the repaired release at the edge", async () => {
    edgeProc = p.start(["edge", "--stack", "local", "--port", "0"]);
    await until(
      async () => (await readEdgeRecord(p.dir, "local")) !== undefined,
      30_000,
      "the edge's discovery record",
    );
    const edge = (await readEdgeRecord(p.dir, "local")) as EdgeRecord;
    const res = await fetch(new URL("/wix/index.html", edge.url));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-glidepath-release")).toBe("wix@v1");
    expect(await res.text()).toBe(await fs.readFile(path.join(p.dir, "apps/wix/v1/index.html"), "utf8"));
  });

  it("finds no drift afterwards: refresh records nothing and the next up changes nothing", async () => {
    const out = await refresh();
    expect(out).not.toMatch(/updated|deleted/);
    const changes = await up();
    expect(Object.keys(changes)).toEqual(["same"]);
  });
});

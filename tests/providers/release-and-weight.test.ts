import { createHash } from "node:crypto";
/**
 * Release and CanaryWeight providers called directly against the local target.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { type CanaryWeightInputs, canaryWeightProvider as cw } from "../../providers/canary-weight";
import { type ReleaseInputs, releaseDir, releaseProvider as rp } from "../../providers/release";
import { digestDir } from "../../providers/targets/bundle";

let root: string;
let source: string;

beforeEach(async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-rel-"));
  root = path.join(dir, "target");
  source = path.join(dir, "bundle");
  await fs.mkdir(path.join(source, "assets"), { recursive: true });
  await fs.writeFile(path.join(source, "index.html"), "<h1>v1</h1>\n");
  await fs.writeFile(path.join(source, "assets/app.js"), "console.log(1)\n");
});

async function inputs(version = "v1"): Promise<ReleaseInputs> {
  return { app: "wix", version, digest: (await digestDir(source)).digest, source, root };
}

describe("bundle digest", () => {
  it("depends on names and contents, not on timestamps", async () => {
    const a = await digestDir(source);
    await fs.utimes(path.join(source, "index.html"), new Date(0), new Date(0));
    expect(await digestDir(source)).toEqual(a);
    await fs.writeFile(path.join(source, "index.html"), "<h1>v2</h1>\n");
    expect((await digestDir(source)).digest).not.toBe(a.digest);
    expect(a.files).toBe(2);
  });
});

describe("Release provider", () => {
  it("create publishes a copy of the bundle with its manifest under a content-addressed path", async () => {
    const i = await inputs();
    const r = await rp.create(i);
    const dir = releaseDir(root, "wix", "v1", i.digest);
    const owner = r.outs?.owner;
    expect(owner).toMatch(/^[0-9a-f-]{36}$/);
    expect(r).toEqual({ id: `wix@v1@${i.digest.slice(0, 16)}`, outs: { ...i, path: dir, files: 2, owner } });
    expect(await fs.readFile(path.join(dir, "assets/app.js"), "utf8")).toBe("console.log(1)\n");
    expect(JSON.parse(await fs.readFile(path.join(dir, ".release.json"), "utf8"))).toEqual({
      app: "wix",
      version: "v1",
      digest: i.digest,
      files: 2,
      owner,
    });
  });

  it("fails if the bundle changed after its digest was computed", async () => {
    const i = await inputs();
    await fs.writeFile(path.join(source, "index.html"), "changed\n");
    await expect(rp.create(i)).rejects.toThrow(/changed after the program read it/);
  });

  it("diff: a new source with the same content is no change; a new digest or version replaces", async () => {
    const i = await inputs();
    const { outs } = await rp.create(i);
    if (!outs) throw new Error("no outputs");
    expect(await rp.diff?.("id", outs, { ...i, source: "/elsewhere" })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect((await rp.diff?.("id", outs, { ...i, digest: "f".repeat(64) }))?.replaces).toEqual(["digest"]);
    expect((await rp.diff?.("id", outs, { ...i, version: "v2" }))?.replaces).toEqual(["version"]);
  });

  it("read reports tampering as a different digest and a removed release as gone", async () => {
    const i = await inputs();
    const { id, outs } = await rp.create(i);
    if (!outs) throw new Error("no outputs");
    expect((await rp.read?.(id, outs))?.props?.digest).toBe(i.digest);
    await fs.writeFile(path.join(outs.path, "index.html"), "defaced\n");
    expect((await rp.read?.(id, outs))?.props?.digest).not.toBe(i.digest);
    await fs.rm(outs.path, { recursive: true });
    expect(await rp.read?.(id, outs)).toEqual({ id: "", props: undefined });
  });

  it("delete removes the release directory", async () => {
    const { id, outs } = await rp.create(await inputs());
    if (!outs) throw new Error("no outputs");
    await rp.delete?.(id, outs);
    await expect(fs.access(outs.path)).rejects.toThrow();
  });

  it("fails check with property paths for a bad digest and a relative root", async () => {
    const r = await rp.check?.({} as ReleaseInputs, { ...(await inputs()), digest: "abc", root: "rel" });
    expect(r?.failures?.map((f) => f.property).sort()).toEqual(["digest", "root"]);
  });
});

const d1 = "a".repeat(64);
const d2 = "b".repeat(64);

describe("CanaryWeight provider", () => {
  const base = (): CanaryWeightInputs => ({ app: "wix", stable: "v1", stableDigest: d1, weight: 0, root });

  it("writes the route the edge reads", async () => {
    const r = await cw.create({ ...base(), canary: "v2", canaryDigest: d2, weight: 5 });
    expect(JSON.parse(await fs.readFile(path.join(root, "routes/wix.json"), "utf8"))).toEqual({
      app: "wix",
      stable: { version: "v1", digest: d1 },
      canary: { version: "v2", digest: d2 },
      weight: 5,
      // sha-256 of the document without it: the edge names it in x-glidepath-route-revision.
      revision: createHash("sha256")
        .update(
          JSON.stringify({
            app: "wix",
            stable: { version: "v1", digest: d1 },
            canary: { version: "v2", digest: d2 },
            weight: 5,
          }),
        )
        .digest("hex")
        .slice(0, 16),
    });
    expect(r.id).toBe("wix");
    expect(r.outs?.revision).toMatch(/^[0-9a-f]{16}$/);
  });

  it("fails check if a weight is above 0 without a canary, above 100, or the canary is the stable release", async () => {
    const fails = async (i: Partial<CanaryWeightInputs>) =>
      (await cw.check?.({} as CanaryWeightInputs, { ...base(), ...i } as CanaryWeightInputs))?.failures?.map(
        (f) => `${f.property}: ${f.reason}`,
      );
    expect(await fails({ weight: 5 })).toEqual(["weight: expected 0 without a canary release, got 5"]);
    expect(await fails({ canary: "v2", canaryDigest: d2, weight: 101 })).toEqual([
      "weight: Too big: expected number to be <=100",
    ]);
    expect(await fails({ canary: "v1", canaryDigest: d2, weight: 5 })).toEqual([
      "canary: expected the canary to differ from the stable release",
    ]);
  });

  it("diff sees a weight change as an update and an equal route as no change", async () => {
    const { outs } = await cw.create(base());
    if (!outs) throw new Error("no outputs");
    expect((await cw.diff?.("wix", outs, base()))?.changes).toBe(false);
    expect(await cw.diff?.("wix", outs, { ...base(), canary: "v2", canaryDigest: d2, weight: 25 })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("read reports a hand-edited weight, and a deleted route as gone", async () => {
    const { outs } = await cw.create({ ...base(), canary: "v2", canaryDigest: d2, weight: 5 });
    if (!outs) throw new Error("no outputs");
    const file = path.join(root, "routes/wix.json");
    const doc = JSON.parse(await fs.readFile(file, "utf8"));
    await fs.writeFile(file, JSON.stringify({ ...doc, weight: 60 }));
    expect((await cw.read?.("wix", outs))?.props?.weight).toBe(60);
    await fs.rm(file);
    expect(await cw.read?.("wix", outs)).toEqual({ id: "", props: undefined });
  });
});

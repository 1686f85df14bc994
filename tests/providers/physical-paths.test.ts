/**
 * Physical paths and who owns them, for every provider that writes to the local target: a
 * change that keeps the path is an update in place (never a replacement whose old copy's
 * delete would remove the new one), a delete removes only what that resource published, a
 * root that only gains a trailing slash is the same target, and a bundle's link that leaves
 * the bundle is refused.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { type CanaryWeightInputs, canaryWeightProvider as cw } from "../../providers/canary-weight";
import { type FeatureFlagInputs, featureFlagProvider as ff } from "../../providers/feature-flag";
import { type ReleaseInputs, releaseProvider as rp } from "../../providers/release";
import { digestDir } from "../../providers/targets/bundle";
import { wasmDeliverableProvider as wp } from "../../providers/wasm-deliverable";
import { deliverableFrom } from "../helpers/wasm";

let dir: string;
let root: string;
let source: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-paths-"));
  root = path.join(dir, "target");
  source = path.join(dir, "bundle");
  await fs.mkdir(path.join(source, "assets"), { recursive: true });
  await fs.writeFile(path.join(source, "index.html"), "<h1>v1</h1>\n");
  await fs.writeFile(path.join(source, "assets/app.js"), "console.log(1)\n");
});

const release = async (): Promise<ReleaseInputs> => ({
  app: "wix",
  version: "v1",
  digest: (await digestDir(source)).digest,
  source,
  root,
});

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false,
  );

describe("Release: the same directory is the same release", () => {
  it("republishes a tampered release in place: refresh's drifted digest diffs as an update, not a replace", async () => {
    const i = await release();
    const { id, outs } = await rp.create(i);
    if (!outs) throw new Error("no outputs");
    await fs.writeFile(path.join(outs.path, "index.html"), "defaced\n");
    const drifted = (await rp.read?.(id, outs))?.props;
    if (!drifted) throw new Error("no props");
    expect(drifted.digest).not.toBe(i.digest);
    expect(await rp.diff?.(id, drifted, i)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const updated = await rp.update?.(id, drifted, i);
    expect(updated?.outs).toEqual({ ...outs, digest: i.digest });
    expect(await fs.readFile(path.join(outs.path, "index.html"), "utf8")).toBe("<h1>v1</h1>\n");
    expect((await rp.read?.(id, outs))?.props?.digest).toBe(i.digest);
  });

  it("refuses to delete what it does not own: a copy another publication took over at the same path stays", async () => {
    const i = await release();
    const first = await rp.create(i);
    const second = await rp.create(i);
    if (!first.outs || !second.outs) throw new Error("no outputs");
    expect(second.outs.path).toBe(first.outs.path);
    expect(second.outs.owner).not.toBe(first.outs.owner);
    await rp.delete?.(first.id, first.outs);
    expect((await digestDir(second.outs.path, [".release.json"])).digest).toBe(i.digest);
    await rp.delete?.(second.id, second.outs);
    expect(await exists(second.outs.path)).toBe(false);
  });

  it("deletes a tampered release it owns, and leaves a directory without a readable manifest", async () => {
    const { id, outs } = await rp.create(await release());
    if (!outs) throw new Error("no outputs");
    await fs.writeFile(path.join(outs.path, "index.html"), "defaced\n");
    const drifted = (await rp.read?.(id, outs))?.props;
    if (!drifted) throw new Error("no props");
    await rp.delete?.(id, drifted);
    expect(await exists(outs.path)).toBe(false);
    const again = await rp.create(await release());
    if (!again.outs) throw new Error("no outputs");
    await fs.rm(path.join(again.outs.path, ".release.json"));
    await rp.delete?.(again.id, again.outs);
    expect(await exists(path.join(again.outs.path, "index.html"))).toBe(true);
  });

  it("sees a root that only gained a trailing slash as no change, and another root as a replacement", async () => {
    const i = await release();
    const { outs } = await rp.create(i);
    if (!outs) throw new Error("no outputs");
    expect((await rp.diff?.("id", outs, { ...i, root: `${root}/` }))?.changes).toBe(false);
    expect((await rp.diff?.("id", outs, { ...i, root: `${root}2` }))?.replaces).toEqual(["root"]);
  });

  it("refuses a bundle with a link that leaves it, naming the link and its target", async () => {
    await fs.symlink("/usr/share/doc", path.join(source, "docs"));
    await fs.symlink("../../outside.txt", path.join(source, "assets/up"));
    const i = await release();
    await expect(rp.create(i)).rejects.toThrow(
      /has links that leave it: assets\/up -> \.\.\/\.\.\/outside\.txt \(.*\/outside\.txt\), docs -> \/usr\/share\/doc/,
    );
    expect(await exists(path.join(root, "releases"))).toBe(false);
  });

  it("publishes a link that stays inside the bundle as a link, and counts it in the digest", async () => {
    const before = (await digestDir(source)).digest;
    await fs.symlink("index.html", path.join(source, "home.html"));
    const i = await release();
    expect(i.digest).not.toBe(before);
    const { outs } = await rp.create(i);
    if (!outs) throw new Error("no outputs");
    expect(await fs.readlink(path.join(outs.path, "home.html"))).toBe("index.html");
    expect(await fs.readFile(path.join(outs.path, "home.html"), "utf8")).toBe("<h1>v1</h1>\n");
  });
});

describe("WasmDeliverable: the same artifact path is the same deliverable", () => {
  const deliverable = () => deliverableFrom(dir, "handler.wat");

  it("re-packages a swapped artifact in place: its drifted sha diffs as an update, not a replace", async () => {
    const i = await deliverable();
    const { id, outs } = await wp.create(i);
    if (!outs) throw new Error("no outputs");
    await fs.writeFile(outs.artifactPath, "swapped");
    const drifted = (await wp.read?.(id, outs))?.props;
    if (!drifted) throw new Error("no props");
    expect(await wp.diff?.(id, drifted, i)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const updated = await wp.update?.(id, drifted, i);
    expect(updated?.outs).toEqual(outs);
    expect(await fs.readFile(outs.artifactPath)).toEqual(await fs.readFile(i.module));
  });

  it("updates a new runtime profile in place, and replaces a new module sha", async () => {
    const i = await deliverable();
    const { outs } = await wp.create(i);
    if (!outs) throw new Error("no outputs");
    expect(await wp.diff?.("id", outs, { ...i, runtimeProfile: "channel_automation_wasi" })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect((await wp.diff?.("id", outs, { ...i, sha256: "f".repeat(64) }))?.replaces).toEqual(["sha256"]);
    expect((await wp.diff?.("id", outs, { ...i, root: `${root}/` }))?.changes).toBe(false);
  });

  it("refuses to delete what it does not own: an artifact packaged again at the same path stays", async () => {
    const i = await deliverable();
    const first = await wp.create(i);
    const second = await wp.create(i);
    if (!first.outs || !second.outs) throw new Error("no outputs");
    await wp.delete?.(first.id, first.outs);
    expect(await exists(second.outs.artifactPath)).toBe(true);
    expect(await exists(second.outs.manifestPath)).toBe(true);
    await wp.delete?.(second.id, second.outs);
    expect(await exists(second.outs.artifactPath)).toBe(false);
    expect(await exists(path.dirname(second.outs.artifactPath))).toBe(false);
  });
});

describe("FeatureFlag and CanaryWeight: a root with a trailing slash is the same target", () => {
  it("sees no change in a flag whose root only gained a trailing slash", async () => {
    const i: FeatureFlagInputs = { app: "wix", key: "CanaryEnabled", value: true, root };
    const { outs } = await ff.create(i);
    if (!outs) throw new Error("no outputs");
    expect(await ff.diff?.("id", outs, { ...i, root: `${root}/` })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("sees no change in a route whose root only gained a trailing slash", async () => {
    const i: CanaryWeightInputs = { app: "wix", stable: "v1", stableDigest: "a".repeat(64), weight: 0, root };
    const { outs } = await cw.create(i);
    if (!outs) throw new Error("no outputs");
    expect((await cw.diff?.("wix", outs, { ...i, root: `${root}//` }))?.changes).toBe(false);
  });
});

/**
 * The FeatureFlag provider called directly against the local target.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { type FeatureFlagInputs, featureFlagProvider as p } from "../../providers/feature-flag";

let root: string;
let inputs: FeatureFlagInputs;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), "gp-flag-"));
  inputs = { app: "wix", key: "CanaryEnabled", value: false, root };
});

async function create(i: FeatureFlagInputs) {
  const r = await p.create(i);
  if (r.outs === undefined) throw new Error("create returned no outputs");
  return { id: r.id, outs: r.outs };
}

const fileOf = () => path.join(root, "flags/wix/CanaryEnabled.json");
const readFlag = async () => JSON.parse(await fs.readFile(fileOf(), "utf8"));

describe("FeatureFlag provider", () => {
  it("check passes valid inputs through without the serialized provider", async () => {
    const r = await p.check?.(
      {} as FeatureFlagInputs,
      { ...inputs, __provider: "code" } as FeatureFlagInputs,
    );
    expect(r).toEqual({ inputs });
  });

  it("fails if inputs are invalid, with one failure per property path", async () => {
    const r = await p.check?.(
      {} as FeatureFlagInputs,
      {
        app: "Wix!",
        key: "9lives",
        value: { nested: true },
        root: "relative/dir",
        extra: 1,
      } as unknown as FeatureFlagInputs,
    );
    expect(r?.failures?.map((f) => f.property).sort()).toEqual(["(inputs)", "app", "key", "root", "value"]);
    expect(r?.failures?.find((f) => f.property === "root")?.reason).toBe("expected an absolute path");
  });

  it("create writes the flag file and returns full outputs", async () => {
    const r = await p.create(inputs);
    expect(r).toEqual({ id: "wix/CanaryEnabled", outs: { ...inputs, path: fileOf() } });
    expect(await readFlag()).toEqual({ app: "wix", key: "CanaryEnabled", value: false });
  });

  it("diff reports no change for equal inputs, an update for a value, a replace for identity", async () => {
    const { outs } = await create(inputs);
    expect(await p.diff?.("id", outs, inputs)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await p.diff?.("id", outs, { ...inputs, value: true })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect((await p.diff?.("id", outs, { ...inputs, key: "Other" }))?.replaces).toEqual(["key"]);
  });

  it("read reports a hand edit, a corrupt file and a deleted file", async () => {
    const { id, outs } = await create(inputs);
    await fs.writeFile(fileOf(), JSON.stringify({ app: "wix", key: "CanaryEnabled", value: true }));
    expect(await p.read?.(id, outs)).toEqual({ id, props: { ...outs, value: true } });
    await fs.writeFile(fileOf(), "{not json");
    expect((await p.read?.(id, outs))?.props?.value).toBeNull();
    await fs.rm(fileOf());
    expect(await p.read?.(id, outs)).toEqual({ id: "", props: undefined });
  });

  it("update rewrites the file and returns every output", async () => {
    const { id, outs } = await create(inputs);
    const r = await p.update?.(id, outs, { ...inputs, value: "on" });
    expect(r).toEqual({ outs: { ...inputs, value: "on", path: fileOf() } });
    expect((await readFlag()).value).toBe("on");
  });

  it("delete removes the file and its empty directory, and tolerates a missing file", async () => {
    const { id, outs } = await create(inputs);
    await p.delete?.(id, outs);
    await expect(fs.access(fileOf())).rejects.toThrow();
    await expect(fs.access(path.dirname(fileOf()))).rejects.toThrow();
    await p.delete?.(id, outs);
  });

  it("leaves no temp files behind after create and update", async () => {
    await p.create(inputs);
    await p.update?.("id", { ...inputs, path: fileOf() }, { ...inputs, value: 3 });
    expect(await fs.readdir(path.dirname(fileOf()))).toEqual(["CanaryEnabled.json"]);
  });
});

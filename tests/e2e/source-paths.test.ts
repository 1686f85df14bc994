/**
 * "A path inside the project" is checked on real paths: a release source or a WASM module that
 * is a link under `apps/` to a directory outside the project is refused before anything is
 * deployed (exit 2, GP_CONFIG_INVALID, the key and where the link leads), and so is a link
 * inside a release source that leaves the source.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();

describe.skipIf(binDir === undefined)("sources that leave the project through a link", () => {
  let p: ScratchProject;
  const cfg = async (key: string, value: string) => {
    const r = await p.pulumi(["config", "set", "--path", key, value, "--stack", "local"]);
    expect(r.code, r.stderr).toBe(0);
  };

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
  });

  it("refuses a release source linked to /usr/share/doc: exit 2 naming the key and the resolved target, nothing deployed", async () => {
    await fs.symlink("/usr/share/doc", path.join(p.dir, "apps/wix/vsym"));
    await cfg("glidepath:releases.wix.stable.source", "apps/wix/vsym");
    const r = await p.glidepath(["up", "--stack", "local"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("GP_CONFIG_INVALID");
    expect(r.stderr).toContain(
      "glidepath:releases.wix.stable.source: expected a path inside the project " +
        `${p.dir}; apps/wix/vsym resolves to ${await fs.realpath("/usr/share/doc")}, outside it`,
    );
    expect(await p.history()).toEqual([]);
    await cfg("glidepath:releases.wix.stable.source", "apps/wix/v1");
  });

  it("refuses a link inside a release source that leaves it: exit 2 before any update, naming the link", async () => {
    await fs.cp(path.join(p.dir, "apps/wix/v1"), path.join(p.dir, "apps/wix/vlink"), { recursive: true });
    await fs.symlink("/usr/share/doc", path.join(p.dir, "apps/wix/vlink/docs"));
    await cfg("glidepath:releases.wix.stable.source", "apps/wix/vlink");
    for (const command of [["check"], ["up"]]) {
      const r = await p.glidepath([...command, "--stack", "local"]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain("GP_CONFIG_INVALID");
      expect(r.stderr).toContain(
        "glidepath:releases.wix.stable.source: expected a bundle whose links stay inside it; " +
          `apps/wix/vlink has 1 that leave it: docs -> /usr/share/doc (resolves to ${await fs.realpath("/usr/share/doc")})`,
      );
    }
    expect(await p.history()).toEqual([]);
    await cfg("glidepath:releases.wix.stable.source", "apps/wix/v1");
  });

  it("refuses a WASM module linked outside the project the same way", async () => {
    const outside = path.join(path.dirname(p.dir), `${path.basename(p.dir)}-outside.wat`);
    await fs.copyFile(path.join(p.dir, "apps/edge-wasm/handler.wat"), outside);
    await fs.symlink(outside, path.join(p.dir, "apps/edge-wasm/linked.wat"));
    await cfg("glidepath:wasm.edge.module", "apps/edge-wasm/linked.wat");
    const r = await p.glidepath(["up", "--stack", "local"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `glidepath:wasm.edge.module: expected a path inside the project ${p.dir}; apps/edge-wasm/linked.wat resolves to ${outside}, outside it`,
    );
    expect(await p.history()).toEqual([]);
  });
});

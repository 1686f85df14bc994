import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { GlidepathError } from "../../automation/lib/errors";
import { ensureToolchain, goBinaries, missingBinaries } from "../../automation/lib/toolchain";
import { ROOT } from "../helpers/dist";

async function fakeInstall(
  version: string,
  files = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"],
) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "gp-tc-"));
  await fs.mkdir(path.join(root, "bin"));
  for (const f of files) {
    await fs.writeFile(path.join(root, "bin", f), `#!/bin/sh\necho v${version}\n`, { mode: 0o755 });
  }
  return root;
}

describe("ensureToolchain", () => {
  it("uses a complete install of the pinned version without building anything", async () => {
    const root = await fakeInstall("3.259.0");
    const lines: string[] = [];
    const tc = await ensureToolchain({
      root,
      tryInstaller: false,
      goSearchPath: [],
      pathDirs: [],
      progress: (l) => lines.push(l),
    });
    expect(tc).toMatchObject({
      version: "3.259.0",
      root,
      binDir: path.join(root, "bin"),
      source: "existing",
    });
    expect(tc.command.version?.version).toBe("3.259.0");
    expect(lines).toEqual([]);
  });

  it("fails if nothing is installed, the installer is skipped and there is no Go, naming what is missing", async () => {
    const root = await fakeInstall("3.1.0");
    let error: unknown;
    try {
      await ensureToolchain({ root, projectDir: ROOT, tryInstaller: false, goSearchPath: [], pathDirs: [] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GlidepathError);
    expect((error as GlidepathError).code).toBe("GP_TOOLCHAIN_MISSING");
    expect((error as GlidepathError).message).toBe(
      "Pulumi 3.259.0 is not installed, the official installer is out of reach, and there is no Go toolchain to build it",
    );
    expect((error as GlidepathError).remedy).toMatch(/install Go 1\.26\+/);
  });

  it("a read-only command (provision: false) refuses a missing toolchain naming `glidepath toolchain`, and starts no install", async () => {
    const root = await fakeInstall("3.1.0");
    const lines: string[] = [];
    const error = await ensureToolchain({
      root,
      projectDir: ROOT,
      provision: false,
      pathDirs: [],
      progress: (l) => lines.push(l),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GlidepathError);
    expect((error as GlidepathError).code).toBe("GP_TOOLCHAIN_MISSING");
    expect((error as GlidepathError).message).toContain(
      "this command reads the stack and does not install it",
    );
    expect((error as GlidepathError).remedy).toContain("`glidepath toolchain`");
    expect(lines).toEqual([]);
  });

  it("announces an install before starting it", async () => {
    const root = await fakeInstall("3.1.0");
    const lines: string[] = [];
    await ensureToolchain({
      root,
      projectDir: ROOT,
      tryInstaller: false,
      goSearchPath: [],
      pathDirs: [],
      progress: (l) => lines.push(l),
    }).catch(() => undefined);
    expect(lines[0]).toMatch(
      /^Pulumi 3\.259\.0 is not installed in .*: installing it before the command runs/,
    );
  });

  it("lists the files an install lacks", async () => {
    const root = await fakeInstall("3.259.0", ["pulumi"]);
    expect(await missingBinaries(path.join(root, "bin"))).toEqual([
      "pulumi-language-nodejs",
      "pulumi-resource-pulumi-nodejs",
    ]);
  });
});

describe("goBinaries", () => {
  it("stamps the CLI with the pinned version and builds from the committed wrapper modules", async () => {
    const bins = goBinaries("3.259.0");
    expect(bins.map((b) => [b.name, b.stamp])).toEqual([
      ["pulumi", "v3.259.0"],
      ["pulumi-language-nodejs", "v3.68.0"],
    ]);
    for (const b of bins) {
      const gomod = await fs.readFile(path.join(ROOT, "scripts/toolchain", b.module, "go.mod"), "utf8");
      await fs.access(path.join(ROOT, "scripts/toolchain", b.module, "go.sum"));
      expect(gomod).toContain(
        b.module === "cli"
          ? "github.com/pulumi/pulumi/pkg/v3 v3.259.0"
          : "github.com/pulumi/pulumi/sdk/v3 v3.68.0",
      );
    }
  });
});

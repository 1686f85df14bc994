/**
 * Resolves the Pulumi toolchain the driver runs: the CLI, the nodejs language host and the
 * dynamic-provider plugin script, installed where the Automation API looks
 * (`~/.pulumi/versions/<version>/bin`, so `PulumiCommand.get({ root })` finds them).
 *
 * Resolution order: a matching install already there or on PATH; the official
 * installer when it answers within a short timeout; otherwise a build from the Go module proxy.
 * Idempotent: a second call with everything in place costs one `pulumi version`.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { GlidepathError } from "./errors";
import { findGo, type GoBinary, goBuild, installFile, type Progress, runStreaming } from "./toolchain-build";

/** The Pulumi release glidepath pins: CLI and `@pulumi/pulumi` are both on it. */
export const PULUMI_VERSION = "3.259.0";

/**
 * The nodejs language host, built from the newest `sdk/v3` release that still carries it
 * inside the sdk module (later releases moved it to a module the proxy does not serve).
 */
export const LANGUAGE_HOST_VERSION = "3.68.0";

/** The `@pulumi/command` release whose plugin the program would need. */
export const COMMAND_PLUGIN_VERSION = "1.2.1";

/** A resolved toolchain. */
export interface Toolchain {
  /** Pulumi version, e.g. `3.259.0`. */
  version: string;
  /** Install root: `<root>/bin/pulumi` is the CLI. */
  root: string;
  /** Directory holding `pulumi`, the language host and the provider script. */
  binDir: string;
  /** Where it came from. */
  source: "existing" | "installer" | "go-build";
  /** The Automation API's handle on the CLI (its `pulumi version` already ran). */
  command: PulumiCommand;
}

/** Options of {@link ensureToolchain}. */
export interface EnsureToolchainOptions {
  /** Pulumi version to resolve. @default - {@link PULUMI_VERSION} */
  version?: string;
  /** Install root. @default - `~/.pulumi/versions/<version>` */
  root?: string;
  /** Repository root, for `scripts/toolchain` and `node_modules`. @default - `process.cwd()` */
  projectDir?: string;
  /** Try the official installer before building. @default - true unless `GLIDEPATH_SKIP_INSTALLER=1` */
  tryInstaller?: boolean;
  /** How long the official installer may take before the Go build is tried. @default - 20000 ms */
  installerTimeoutMs?: number;
  /** Progress lines. @default - none */
  progress?: Progress;
  /** Directories searched for `go`. @default - PATH, then /usr/local/go/bin */
  goSearchPath?: readonly string[];
  /** Directories searched for an existing install (`<root>/bin`). @default - PATH */
  pathDirs?: readonly string[];
  /**
   * Install the toolchain when it is missing. When false, a missing toolchain is refused with
   * `GP_TOOLCHAIN_MISSING` naming `glidepath toolchain`, and nothing is downloaded or built.
   * @default true
   */
  provision?: boolean;
}

/** Default install root for a version. */
export function defaultRoot(version: string): string {
  return path.join(os.homedir(), ".pulumi", "versions", version);
}

/** Files a complete install has in its bin directory. */
export const REQUIRED_BINARIES = [
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-pulumi-nodejs",
] as const;

/** Lists which of {@link REQUIRED_BINARIES} are missing from `binDir`. */
export async function missingBinaries(binDir: string): Promise<string[]> {
  const missing: string[] = [];
  for (const name of REQUIRED_BINARIES) {
    try {
      await fs.access(path.join(binDir, name), fs.constants.X_OK);
    } catch {
      missing.push(name);
    }
  }
  return missing;
}

/** The CLI at `<root>/bin` when that install is complete and has `version`; undefined otherwise. */
async function commandAt(root: string, version: string): Promise<PulumiCommand | undefined> {
  if ((await missingBinaries(path.join(root, "bin"))).length > 0) return undefined;
  try {
    const command = await PulumiCommand.get({ root, skipVersionCheck: true });
    return command.version?.version === version ? command : undefined;
  } catch {
    return undefined;
  }
}

/** A complete install of `version` in one of `dirs` (a directory named `bin`), as its root. */
async function rootOnPath(version: string, dirs: readonly string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    if (!dir || path.basename(dir) !== "bin") continue;
    // The Automation API puts the CLI's directory first on PATH: a `node` there (often an
    // older system Node in /usr/bin) would run the language host instead of ours.
    const strayNode = await fs.access(path.join(dir, "node")).then(
      () => path.join(dir, "node") !== process.execPath,
      () => false,
    );
    if (!strayNode && (await commandAt(path.dirname(dir), version))) return path.dirname(dir);
  }
  return undefined;
}

async function tryOfficialInstaller(
  version: string,
  root: string,
  timeoutMs: number,
  projectDir: string,
): Promise<boolean> {
  const script =
    "const {PulumiCommand}=require('@pulumi/pulumi/automation');const semver=require('semver');" +
    "PulumiCommand.install({version:new semver.SemVer(process.argv[1]),root:process.argv[2]})" +
    ".then(()=>process.exit(0),(e)=>{console.error(String(e));process.exit(1)})";
  const result = await runStreaming(process.execPath, ["-e", script, version, root], {
    cwd: projectDir,
    timeoutMs,
  });
  return result.code === 0;
}

/** The Go-built binaries, by wrapper module. */
export function goBinaries(version: string): GoBinary[] {
  return [
    {
      name: "pulumi",
      module: "cli",
      pkg: "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi",
      stamp: `v${version}`,
    },
    {
      name: "pulumi-language-nodejs",
      module: "langhost",
      pkg: "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs",
      stamp: `v${LANGUAGE_HOST_VERSION}`,
    },
  ];
}

async function buildFromGo(
  version: string,
  root: string,
  projectDir: string,
  progress: Progress,
  goSearchPath: readonly string[] | undefined,
): Promise<void> {
  const go = await findGo(goSearchPath);
  if (go === undefined) {
    throw new GlidepathError(
      "GP_TOOLCHAIN_MISSING",
      `Pulumi ${version} is not installed, the official installer is out of reach, and there is no Go toolchain to build it`,
      "install Go 1.26+ (it must reach the Go module proxy), or install Pulumi " +
        `${version} and put its bin directory on PATH`,
    );
  }
  const scriptsDir = path.join(projectDir, "scripts", "toolchain");
  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), "glidepath-pulumi-build-"));
  progress(
    `building Pulumi ${version} from the Go module proxy (first time: about 6 minutes, ~3.5 GB of Go caches)`,
  );
  try {
    for (const bin of goBinaries(version)) {
      const built = await goBuild(go, scriptsDir, bin, outDir, progress);
      await installFile(built, path.join(root, "bin", bin.name));
    }
  } finally {
    await fs.rm(outDir, { recursive: true, force: true });
  }
}

async function installProviderScript(root: string, projectDir: string): Promise<void> {
  const script = path.join(projectDir, "node_modules", "@pulumi", "pulumi", "pulumi-resource-pulumi-nodejs");
  try {
    await fs.access(script);
  } catch {
    throw new GlidepathError(
      "GP_TOOLCHAIN_MISSING",
      `${script} is missing: the npm dependencies are not installed`,
      "run `npm ci` in the project directory (with Node 22 or newer)",
    );
  }
  await installFile(script, path.join(root, "bin", "pulumi-resource-pulumi-nodejs"));
}

/**
 * Makes sure the pinned Pulumi toolchain is installed and returns where it is.
 *
 * @param opts - see {@link EnsureToolchainOptions}
 * @throws GlidepathError `GP_TOOLCHAIN_MISSING` or `GP_TOOLCHAIN_BUILD_FAILED` naming what is missing
 */
export async function ensureToolchain(opts: EnsureToolchainOptions = {}): Promise<Toolchain> {
  const version = opts.version ?? PULUMI_VERSION;
  const root = opts.root ?? defaultRoot(version);
  const projectDir = opts.projectDir ?? process.cwd();
  const progress = opts.progress ?? (() => {});
  const binDir = path.join(root, "bin");

  const existing = await commandAt(root, version);
  if (existing) return { version, root, binDir, source: "existing", command: existing };
  const pathRoot = await rootOnPath(version, opts.pathDirs ?? (process.env.PATH ?? "").split(path.delimiter));
  const onPath = pathRoot === undefined ? undefined : await commandAt(pathRoot, version);
  if (pathRoot !== undefined && onPath !== undefined) {
    return {
      version,
      root: pathRoot,
      binDir: path.join(pathRoot, "bin"),
      source: "existing",
      command: onPath,
    };
  }

  if (opts.provision === false) {
    throw new GlidepathError(
      "GP_TOOLCHAIN_MISSING",
      `Pulumi ${version} is not installed (looked in ${binDir} and on PATH); this command reads the stack and does not install it`,
      "install it with `glidepath toolchain` (`npm run toolchain`; the installer, else a Go build of several minutes), then run the command again",
    );
  }
  let source: Toolchain["source"] = "go-build";
  const tryInstaller = opts.tryInstaller ?? process.env.GLIDEPATH_SKIP_INSTALLER !== "1";
  progress(
    `Pulumi ${version} is not installed in ${binDir}: installing it before the command runs (the official installer, else a Go build that can take several minutes)`,
  );
  if (tryInstaller) {
    progress("trying the official installer");
    if (await tryOfficialInstaller(version, root, opts.installerTimeoutMs ?? 20_000, projectDir)) {
      source = "installer";
    } else {
      progress("the official installer is out of reach; falling back to the Go build");
    }
  }
  if (source === "go-build") await buildFromGo(version, root, projectDir, progress, opts.goSearchPath);
  await installProviderScript(root, projectDir);

  // One `pulumi version`, through the Automation API, checks both that it runs and its version.
  const command = await commandAt(root, version);
  if (command === undefined) {
    const missing = await missingBinaries(binDir);
    throw new GlidepathError(
      "GP_TOOLCHAIN_MISSING",
      `the toolchain at ${binDir} is incomplete (missing: ${missing.join(", ") || "none"}; \`pulumi version\` does not print v${version})`,
      `remove ${root} and run \`npm run toolchain\` again`,
    );
  }
  progress(`Pulumi ${version} ready in ${binDir} (${source})`);
  return { version, root, binDir, source, command };
}

/**
 * `@pulumi/command`'s local.Command through the real engine and the project's command plugin
 * (Pulumi.yaml `plugins.providers`): which plugin ran (the launcher names it in
 * GLIDEPATH_COMMAND_PLUGIN), that nothing is written into the plugin cache, that an installed
 * upstream plugin is preferred, and the stand-in's behaviour: create, update on a changed
 * environment with the previous output in PULUMI_COMMAND_STDOUT (upstream's default), replace
 * (running `delete`, which sees the output too) on changed triggers, nothing on no change, and
 * a secret environment value kept secret in state.
 */

import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ensureCommandPlugin, STAND_IN_MARKER } from "../../automation/lib/command-plugin";
import { ROOT, type Run } from "../../bench/helpers/scratch-project";
import { toolchainBinDir } from "./helpers/toolchain";

const execFileP = promisify(execFile);
const binDir = toolchainBinDir();

/** A secret that goes through a resource input (the build's environment). */
const BUILD_TOKEN = "bu1ld-t0ken-through-env-5f3a9c";

const PROGRAM = `
const command = require("@pulumi/command");
const pulumi = require("@pulumi/pulumi");
const cfg = new pulumi.Config();
const log = (name) => JSON.stringify(__dirname + "/" + name);
const c = new command.local.Command("build", {
  create: "echo built $WHO",
  update: 'echo "rebuilt $WHO after [$PULUMI_COMMAND_STDOUT]"',
  delete: 'echo "deleted [$PULUMI_COMMAND_STDOUT]" >> ' + log("deletes.log"),
  environment: { WHO: cfg.get("who") || "nobody" },
  triggers: [cfg.get("sourceDigest") || "d1"],
});
const quiet = new command.local.Command("quiet", {
  create: "echo first",
  update: 'echo "after [$PULUMI_COMMAND_STDOUT]"',
  environment: { WHO: cfg.get("who") || "nobody" },
  addPreviousOutputInEnv: false,
});
const which = new command.local.Command("which", {
  create: 'echo "$GLIDEPATH_COMMAND_PLUGIN"',
  triggers: [cfg.get("round") || "r1"],
});
const secret = new command.local.Command("secret", {
  create: 'test -n "$TOKEN" && echo token-seen',
  environment: { TOKEN: cfg.requireSecret("buildToken") },
});
exports.stdout = c.stdout;
exports.quiet = quiet.stdout;
exports.plugin = which.stdout;
exports.secret = secret.stdout;
`;

describe.skipIf(binDir === undefined)("@pulumi/command local.Command through the real engine", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let pulumiHome: string;
  const pulumi = async (...args: string[]): Promise<Run> => {
    try {
      const { stdout, stderr } = await execFileP(path.join(binDir as string, "pulumi"), args, {
        cwd: dir,
        env,
      });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return { code: err.code ?? 1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
    }
  };
  const ok = async (...args: string[]): Promise<Run> => {
    const r = await pulumi(...args);
    expect(r.code, `pulumi ${args.join(" ")}\n${r.stdout}${r.stderr}`).toBe(0);
    return r;
  };
  /** Runs `up` and returns the stack outputs. */
  const up = async (): Promise<Record<string, string>> => {
    await ok("up", "--yes", "--skip-preview", "--stack", "dev");
    return JSON.parse((await ok("stack", "output", "--json", "--show-secrets", "--stack", "dev")).stdout);
  };
  /** The project's plugin directory, as the repository's Pulumi.yaml declares it. */
  const declaredPluginDir = async (): Promise<string> => {
    const project = parse(await fs.readFile(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
      plugins?: { providers?: { name: string; path: string }[] };
    };
    const entry = project.plugins?.providers?.find((p) => p.name === "command");
    expect(entry, "Pulumi.yaml declares a project plugin named command").toBeDefined();
    return path.resolve(ROOT, (entry as { path: string }).path);
  };
  const cachedPlugin = () =>
    path.join(pulumiHome, "plugins", "resource-command-v1.2.1", "pulumi-resource-command");

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-cmd-e2e-"));
    pulumiHome = path.join(dir, "pulumi-home");
    await fs.mkdir(path.join(dir, "state"));
    await fs.mkdir(pulumiHome);
    await fs.symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    await fs.writeFile(path.join(dir, "package.json"), '{ "name": "cmd-e2e", "private": true }\n');
    await fs.writeFile(
      path.join(dir, "Pulumi.yaml"),
      [
        "name: cmd-e2e",
        "runtime:",
        "  name: nodejs",
        "  options:",
        "    typescript: false",
        "main: index.js",
        "plugins:",
        "  providers:",
        "    - name: command",
        `      path: ${JSON.stringify(await declaredPluginDir())}`,
        "",
      ].join("\n"),
    );
    await fs.writeFile(path.join(dir, "index.js"), PROGRAM);
    // A plugin cache of its own: nothing may be installed into it, and the upstream case below
    // puts a plugin there without touching the machine's cache.
    env = {
      ...process.env,
      PULUMI_HOME: pulumiHome,
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "cmd-e2e",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PATH: [path.dirname(process.execPath), binDir, process.env.PATH].join(path.delimiter),
    };
    await ok("stack", "init", "dev");
    await ok("config", "set", "--secret", "buildToken", BUILD_TOKEN, "--stack", "dev");
  });

  it("runs the project's stand-in (marker), installs nothing into the plugin cache, and reports the choice", async () => {
    expect(await ensureCommandPlugin(ROOT, env)).toBe("stand-in");
    const out = await up();
    expect(out.plugin).toBe("stand-in");
    expect(out.secret).toBe("token-seen");
    const cache = await fs.readdir(path.join(pulumiHome, "plugins")).catch(() => []);
    expect(cache.filter((f) => f.startsWith("resource-command"))).toEqual([]);
  });

  it("creates, updates with the previous output in PULUMI_COMMAND_STDOUT (unless turned off), replaces on changed triggers, and is stable", async () => {
    await ok("config", "set", "who", "alice", "--stack", "dev");
    const updated = await up();
    expect(updated.stdout).toBe("rebuilt alice after [built nobody]");
    expect(updated.quiet).toBe("after []");
    await expect(fs.access(path.join(dir, "deletes.log"))).rejects.toThrow();
    await ok("config", "set", "sourceDigest", "d2", "--stack", "dev");
    expect((await up()).stdout).toBe("built alice");
    expect(await fs.readFile(path.join(dir, "deletes.log"), "utf8")).toBe(
      "deleted [rebuilt alice after [built nobody]]\n",
    );
    const preview = await ok("preview", "--json", "--stack", "dev");
    expect(JSON.parse(preview.stdout).changeSummary).toEqual({ same: 5 });
  });

  it("keeps a secret environment value secret in state", async () => {
    const state = (await ok("stack", "export", "--stack", "dev")).stdout;
    expect(state).not.toContain(BUILD_TOKEN);
    expect(Buffer.from(state).toString("base64")).not.toContain(Buffer.from(BUILD_TOKEN).toString("base64"));
    const files = await fs.readdir(path.join(dir, "state"), { recursive: true });
    for (const f of files) {
      const file = path.join(dir, "state", f);
      if (!(await fs.stat(file)).isFile()) continue;
      expect(await fs.readFile(file, "utf8"), f).not.toContain(BUILD_TOKEN);
    }
  });

  it("prefers an upstream plugin installed in the cache, and never takes an old cached stand-in for upstream", async () => {
    const cached = cachedPlugin();
    await fs.mkdir(path.dirname(cached), { recursive: true });
    // An old glidepath installed its stand-in there under upstream's name: still the stand-in.
    await fs.writeFile(cached, `#!/bin/sh\n${STAND_IN_MARKER}\nexit 1\n`, { mode: 0o755 });
    expect(await ensureCommandPlugin(ROOT, env)).toBe("stand-in");
    // A plugin without the marker counts as upstream (this one serves the same protocol).
    const main = path.join(ROOT, "dist/providers/command-plugin/main.js");
    await fs.writeFile(cached, `#!/bin/sh\nexec node ${JSON.stringify(main)} "$@"\n`, { mode: 0o755 });
    expect(await ensureCommandPlugin(ROOT, env)).toBe("upstream");
    await ok("config", "set", "round", "r2", "--stack", "dev");
    expect((await up()).plugin).toBe("upstream");
    await fs.rm(path.dirname(cached), { recursive: true });
    await ok("config", "set", "round", "r3", "--stack", "dev");
    expect((await up()).plugin).toBe("stand-in");
  });
});

/**
 * `@pulumi/command`'s local.Command through the real engine and the installed command
 * plugin (upstream where present, else glidepath's stand-in): create, update on a changed
 * environment, replace (running `delete`) on changed triggers, nothing on no change.
 */

import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, type Run } from "../../bench/helpers/scratch-project";
import { toolchainBinDir } from "./helpers/toolchain";

const execFileP = promisify(execFile);
const binDir = toolchainBinDir();

const PROGRAM = `
const command = require("@pulumi/command");
const pulumi = require("@pulumi/pulumi");
const cfg = new pulumi.Config();
const c = new command.local.Command("build", {
  create: "echo built $WHO",
  delete: "echo deleted >> " + JSON.stringify(__dirname + "/deletes.log"),
  environment: { WHO: cfg.get("who") || "nobody" },
  triggers: [cfg.get("sourceDigest") || "d1"],
});
exports.stdout = c.stdout;
`;

describe.skipIf(binDir === undefined)("@pulumi/command local.Command through the real engine", () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
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
  /** Runs `up` and returns the command's stdout as the stack output shows it. */
  const up = async (): Promise<string> => {
    const r = await pulumi("up", "--yes", "--skip-preview", "--stack", "dev");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return (await pulumi("stack", "output", "stdout", "--stack", "dev")).stdout.trim();
  };

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-cmd-e2e-"));
    await fs.mkdir(path.join(dir, "state"));
    await fs.symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    await fs.writeFile(path.join(dir, "package.json"), '{ "name": "cmd-e2e", "private": true }\n');
    await fs.writeFile(
      path.join(dir, "Pulumi.yaml"),
      "name: cmd-e2e\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
    );
    await fs.writeFile(path.join(dir, "index.js"), PROGRAM);
    env = {
      ...process.env,
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "cmd-e2e",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PATH: [path.dirname(process.execPath), binDir, process.env.PATH].join(path.delimiter),
    };
    expect((await pulumi("stack", "init", "dev")).code).toBe(0);
  });

  it("creates, updates on a changed environment, replaces on changed triggers, and is stable", async () => {
    expect(await up()).toBe("built nobody");
    await pulumi("config", "set", "who", "alice", "--stack", "dev");
    expect(await up()).toBe("built alice");
    await expect(fs.access(path.join(dir, "deletes.log"))).rejects.toThrow();
    await pulumi("config", "set", "sourceDigest", "d2", "--stack", "dev");
    expect(await up()).toBe("built alice");
    expect(await fs.readFile(path.join(dir, "deletes.log"), "utf8")).toBe("deleted\n");
    const preview = await pulumi("preview", "--json", "--stack", "dev");
    expect(JSON.parse(preview.stdout).changeSummary).toEqual({ same: 2 });
  });
});

/**
 * The stand-in command plugin's logic, called directly.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  commandEnv,
  diffInputs,
  localCommandProvider as p,
  runCommand,
  unsupportedInputs,
} from "../../providers/command-plugin/local-command";

describe("command plugin stand-in", () => {
  it("runs a command in its directory with its environment and stdin, trimming the last newline", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-cmd-"));
    const r = await runCommand('pwd; echo "$WHO"; cat; echo oops >&2', {
      dir,
      environment: { WHO: "alice" },
      stdin: "from stdin",
    });
    expect(r).toEqual({ stdout: `${await fs.realpath(dir)}\nalice\nfrom stdin`, stderr: "oops" });
  });

  it("fails if the command exits non-zero, with its exit code and stderr", async () => {
    await expect(runCommand("echo broken >&2; exit 3", {})).rejects.toThrow(
      /exited with code 3[\s\S]*broken/,
    );
  });

  it("replaces on changed triggers and updates on changed commands or environment", () => {
    expect(diffInputs({ create: "a", triggers: [1] }, { create: "a", triggers: [2] })).toEqual({
      changes: true,
      replaces: ["triggers"],
      deleteBeforeReplace: false,
    });
    expect(
      diffInputs({ create: "a", environment: { X: "1" } }, { create: "a", environment: { X: "2" } }),
    ).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(diffInputs({ create: "a", triggers: ["t"] }, { create: "a", triggers: ["t"] }).changes).toBe(
      false,
    );
  });

  it("fails check for inputs it does not implement, naming them", () => {
    expect(unsupportedInputs({ create: "x", assetPaths: ["*.js"], addPreviousOutputInEnv: true })).toEqual([
      {
        property: "assetPaths",
        reason:
          "assetPaths is not supported by glidepath's command plugin stand-in; install the upstream plugin to use it",
      },
    ]);
  });

  it("passes the previous output to update and delete by default, as upstream does, and not when turned off", async () => {
    const olds = { create: "echo 1", stdout: "one", stderr: "warn" };
    const show = 'echo "[$PULUMI_COMMAND_STDOUT|$PULUMI_COMMAND_STDERR]"';
    const u = await p.update?.("id", "urn", olds, { create: "echo 1", update: show });
    expect(u?.outs?.stdout).toBe("[one|warn]");
    const off = await p.update?.("id", "urn", olds, {
      create: "echo 1",
      update: show,
      addPreviousOutputInEnv: false,
    });
    expect(off?.outs?.stdout).toBe("[|]");
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-cmd-"));
    await p.delete?.("id", "urn", { ...olds, delete: `${show} > seen`, dir });
    expect(await fs.readFile(path.join(dir, "seen"), "utf8")).toBe("[one|warn]\n");
    // Empty outputs are not set at all (upstream sets them only when not empty).
    expect(commandEnv({}, { stdout: "", stderr: "" }, {})).toEqual({});
  });

  it("keeps the previous outputs on an update without a command, as upstream does", async () => {
    const u = await p.update?.("id", "urn", { stdout: "kept", stderr: "" }, { delete: "true" });
    expect(u?.outs).toMatchObject({ stdout: "kept", stderr: "" });
  });

  it("update runs `update`, or `create` when there is none, and returns stdout", async () => {
    const r = await p.update?.("id", "urn", { create: "echo 1" }, { create: "echo 2" });
    expect(r?.outs).toMatchObject({ create: "echo 2", stdout: "2", stderr: "" });
    const u = await p.update?.("id", "urn", { create: "echo 1" }, { create: "echo 2", update: "echo 3" });
    expect(u?.outs?.stdout).toBe("3");
  });
});

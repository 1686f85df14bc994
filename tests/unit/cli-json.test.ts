/**
 * With `--json`, stdout holds exactly one JSON document on every outcome, errors included
 * (probe J2); an unknown command is named as one (probe 42). In-process, through `main`.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main, wantsJson } from "../../automation/cli";
import { capture } from "../helpers/capture";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("wantsJson", () => {
  it("reads --json like yargs does: the last of --json / --no-json wins, --json-output is another flag", () => {
    expect(wantsJson(["status", "--json"])).toBe(true);
    expect(wantsJson(["status", "--json", "--no-json"])).toBe(false);
    expect(wantsJson(["status", "--json=false"])).toBe(false);
    expect(wantsJson(["preflight", "--json-output", "x.json"])).toBe(false);
  });
});

describe("main", () => {
  it("an unknown command: exit 2 naming it, and with --json one error document", async () => {
    const io = capture();
    const code = await main(["deploy", "--stack", "local", "--json"]);
    expect(code).toBe(2);
    expect(io.err()).toContain("error[GP_ARG_INVALID]: Unknown command: deploy");
    expect(JSON.parse(io.out())).toEqual({
      error: {
        code: "GP_ARG_INVALID",
        message: "Unknown command: deploy",
        fix: "see `glidepath --help`",
        exitCode: 2,
      },
    });
  });

  it("a bad argument with --json: the document names the flag and the value", async () => {
    const io = capture();
    expect(await main(["status", "--stack", "a b", "--json"])).toBe(2);
    const doc = JSON.parse(io.out());
    expect(doc.error.code).toBe("GP_ARG_INVALID");
    expect(doc.error.message).toContain('--stack="a b"');
  });

  it("without --json, stdout stays empty on an error", async () => {
    const io = capture();
    expect(await main(["status", "--verbose"])).toBe(2);
    expect(io.out()).toBe("");
    expect(io.err()).toContain("Unknown argument: verbose");
  });

  it("a missing --project-dir: exit 2 GP_ARG_INVALID naming the flag and the path", async () => {
    const missing = path.join(await fs.mkdtemp(path.join(os.tmpdir(), "gp-cli-")), "nonexistent");
    const io = capture();
    expect(await main(["status", "--project-dir", missing, "--json"])).toBe(2);
    expect(JSON.parse(io.out()).error).toMatchObject({
      code: "GP_ARG_INVALID",
      message: `--project-dir=${JSON.stringify(missing)}: ${missing} does not exist; nothing was changed`,
    });
    // Nothing was created there (an earlier version made the backend directory under it).
    await expect(fs.stat(missing)).rejects.toThrow();
  });
});

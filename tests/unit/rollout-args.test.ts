/**
 * `glidepath rollout`'s flags through yargs (the command's real builder) and its zod schema:
 * empty, blank and malformed values are refused with the flag and the value (exit 2), never
 * coerced to 0 or dropped for a default.
 */

import { describe, expect, it } from "vitest";
import yargs from "yargs";
import { parseArgs } from "../../automation/commands/common";
import { builder } from "../../automation/commands/rollout";
import { rolloutArgs } from "../../automation/commands/rollout-args";

/** Parses `rollout --version v2 <flags>` (without the version when the flags give one) as the CLI does, and validates the result. */
async function rollout(flags: string[]) {
  let argv: unknown;
  const version = flags.some((f) => f.startsWith("--version")) ? [] : ["--version", "v2"];
  await yargs(["rollout", ...version, ...flags])
    .version(false)
    .command({
      command: "rollout",
      describe: "test",
      builder,
      handler: (a) => {
        argv = a;
      },
    })
    .strict()
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseAsync();
  return parseArgs(rolloutArgs, argv);
}

/** The message of what `rollout(flags)` rejects with (GP_ARG_INVALID, exit 2). */
async function refusal(flags: string[]): Promise<string> {
  const e = await rollout(flags).then(
    () => new Error(`expected ${JSON.stringify(flags)} to be refused`),
    (e: unknown) => e,
  );
  expect(e).toMatchObject({ code: "GP_ARG_INVALID", exitCode: 2 });
  return (e as Error).message;
}

describe("rollout flags", () => {
  it("parses every flag", async () => {
    const a = await rollout([
      "--apps",
      "wix, gamma",
      "--steps",
      "10, 100",
      "--window",
      "5s",
      "--final-window=6s",
      "--min",
      "98.5",
      "--interval",
      "1s",
      "--slo-url",
      "http://127.0.0.1:1/slo",
      "--max-misses",
      "2",
    ]);
    expect(a).toMatchObject({
      version: "v2",
      apps: ["wix", "gamma"],
      steps: [10, 100],
      window: "5s",
      finalWindow: "6s",
      min: 98.5,
      interval: "1s",
      sloUrl: "http://127.0.0.1:1/slo",
      maxMisses: 2,
    });
    expect(await rollout([])).not.toHaveProperty("min", expect.anything());
  });

  it("refuses an empty --min (also --min= and a blank one) instead of reading it as 0", async () => {
    expect(await refusal(["--min", ""])).toContain(
      '--min="": expected a number such as 99.5, got an empty value',
    );
    expect(await refusal(["--min="])).toContain(
      '--min="": expected a number such as 99.5, got an empty value',
    );
    expect(await refusal(["--min", " "])).toContain(
      '--min=" ": expected a number such as 99.5, got an empty value',
    );
  });

  it("refuses a --min or --max-misses that is not a number, echoing it", async () => {
    expect(await refusal(["--min", "abc"])).toContain('--min="abc": expected a number such as 99.5');
    expect(await refusal(["--min", "99%"])).toContain('--min="99%": expected a number such as 99.5');
    expect(await refusal(["--max-misses", "1.5"])).toContain(
      '--max-misses="1.5": expected a whole number such as 3',
    );
    expect(await refusal(["--max-misses="])).toContain(
      '--max-misses="": expected a whole number such as 3, got an empty value',
    );
  });

  it.each([
    ["--window", "expected a duration such as 30s, got an empty value"],
    ["--final-window", "expected a duration such as 30s, got an empty value"],
    ["--interval", "expected a duration such as 30s, got an empty value"],
    ["--slo-url", "expected an http(s) URL, got an empty value"],
    ["--steps", "expected comma-separated integer weights such as 5,25,50,100, got an empty value"],
    ["--apps", "expected comma-separated app names such as wix,gamma, got an empty value"],
    ["--version", "expected a version tag such as v2, got an empty value"],
  ])("refuses an empty or blank %s", async (flag, message) => {
    expect(await refusal([`${flag}=`])).toContain(`${flag}="": ${message}`);
    expect(await refusal([flag, "  "])).toContain(`${flag}="  ": ${message}`);
  });

  it("refuses --apps naming no app", async () => {
    expect(await refusal(["--apps", ", ,"])).toContain(
      '--apps=", ,": expected comma-separated app names such as wix,gamma',
    );
  });

  it("takes a value that starts with a dash as the flag's value, and a missing value as a usage error", async () => {
    expect((await rollout(["--window", "-5s"])).window).toBe("-5s");
    await expect(rollout(["--window"])).rejects.toThrow("Not enough arguments following: window");
    await expect(rollout(["--min", "--window", "5s"])).rejects.toThrow("Not enough arguments following: min");
  });
});

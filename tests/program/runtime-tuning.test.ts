/**
 * The program's runtime tuning still takes hold on the pinned `@pulumi/pulumi`: its debug
 * messages are dropped, and only message-less stack captures skip source mapping.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { ROOT, requireDist } from "../helpers/dist";

const nodeRequire = createRequire(path.join(ROOT, "package.json"));
const log = nodeRequire("@pulumi/pulumi/log") as { debug: (...a: unknown[]) => Promise<void> };
const original = log.debug;

beforeAll(() => {
  // Stand in for the source-map hook `@pulumi/pulumi/cmd/run` installs before the program.
  Error.prepareStackTrace = (e: Error) => `mapped: ${e.message}`;
  delete process.env.GLIDEPATH_PULUMI_DEBUG_LOGS;
  requireDist("infra/runtime-tuning.js");
});

it("replaces the runtime's log.debug with a no-op", async () => {
  expect(log.debug).not.toBe(original);
  await expect(log.debug("message", undefined)).resolves.toBeUndefined();
});

it("maps stacks of errors with a message, and leaves message-less captures in V8's format", () => {
  expect(new Error("boom").stack).toBe("mapped: boom");
  expect(new Error().stack).toMatch(/^Error\n {4}at /);
});

/**
 * The program refuses invalid config, and a production stack without a valid approval, before
 * declaring any resource (so a raw `pulumi up` or `preview` changes nothing).
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, expect, it, vi } from "vitest";
import { requireDist } from "../helpers/dist";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Mocks the runtime with `config` on `stack`; returns the names of the resources declared. */
async function mockProgram(
  config: Record<string, string>,
  stack: string,
  preview: boolean,
): Promise<string[]> {
  const created: string[] = [];
  pulumi.runtime.setAllConfig(config);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        created.push(args.name);
        return { id: args.name, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "glidepath",
    stack,
    preview,
  );
  return created;
}

it("fails if a flag has the wrong type, before any resource is declared", async () => {
  const created = await mockProgram(
    {
      "glidepath:environment": "local",
      "glidepath:apps": JSON.stringify({ wix: { target: "local" } }),
      "glidepath:flags": JSON.stringify({ wix: { CanaryEnabled: "yes" } }),
    },
    "local",
    false,
  );
  expect(() => requireDist("infra/index.js")).toThrow(
    /GP_CONFIG_INVALID[\s\S]*glidepath:flags\.wix\.CanaryEnabled: expected a boolean, got "yes" \(string\)/,
  );
  expect(created).toEqual([]);
});

it("fails on a production stack without an approval (GP_APPROVAL_MISSING), before any resource is declared", async () => {
  const state = await fs.mkdtemp(path.join(os.tmpdir(), "gp-program-approval-"));
  vi.stubEnv("PULUMI_BACKEND_URL", `file://${state}`);
  vi.stubEnv("GLIDEPATH_APPROVAL_FILE", "");
  const created = await mockProgram(
    {
      "glidepath:environment": "production",
      "glidepath:apps": JSON.stringify({ wix: { target: "local" } }),
      "glidepath:releases": JSON.stringify({ wix: { stable: { version: "v1", source: "apps/wix/v1" } } }),
    },
    "production",
    true,
  );
  const file = path.join(state, ".glidepath-audit", "production", "approval.json");
  expect(() => requireDist("infra/index.js")).toThrow(
    new RegExp(
      `stack production refused: there is no approval at ${file}[\\s\\S]*GP_APPROVAL_MISSING[\\s\\S]*glidepath approve --stack production`,
    ),
  );
  expect(created).toEqual([]);
});

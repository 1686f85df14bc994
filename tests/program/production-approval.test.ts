/**
 * The program refuses a production stack without a valid approval before declaring any
 * resource (so a raw `pulumi up` or `preview` changes nothing); other stacks need none.
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

it("fails on a production stack without an approval (GP_APPROVAL_MISSING), before any resource is declared", async () => {
  const state = await fs.mkdtemp(path.join(os.tmpdir(), "gp-program-approval-"));
  vi.stubEnv("PULUMI_BACKEND_URL", `file://${state}`);
  vi.stubEnv("GLIDEPATH_APPROVAL_FILE", "");
  const created: string[] = [];
  pulumi.runtime.setAllConfig({
    "glidepath:environment": "production",
    "glidepath:apps": JSON.stringify({ wix: { target: "local" } }),
    "glidepath:releases": JSON.stringify({ wix: { stable: { version: "v1", source: "apps/wix/v1" } } }),
  });
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        created.push(args.name);
        return { id: args.name, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "glidepath",
    "production",
    true,
  );
  expect(() => requireDist("infra/index.js")).toThrow(
    new RegExp(
      `production update of stack production refused: there is no approval at ${path.join(state, ".glidepath-audit", "production", "approval.json")}[\\s\\S]*GP_APPROVAL_MISSING[\\s\\S]*glidepath approve --stack production`,
    ),
  );
  expect(created).toEqual([]);
});

/**
 * The program refuses invalid config before declaring any resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { expect, it } from "vitest";
import { requireDist } from "../helpers/dist";

it("fails if a flag has the wrong type, before any resource is declared", async () => {
  const created: string[] = [];
  pulumi.runtime.setAllConfig({
    "glidepath:environment": "local",
    "glidepath:apps": JSON.stringify({ wix: { target: "local" } }),
    "glidepath:flags": JSON.stringify({ wix: { CanaryEnabled: "yes" } }),
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
    "local",
    false,
  );
  expect(() => requireDist("infra/index.js")).toThrow(
    /GP_CONFIG_INVALID[\s\S]*glidepath:flags\.wix\.CanaryEnabled: expected a boolean, got "yes" \(string\)/,
  );
  expect(created).toEqual([]);
});

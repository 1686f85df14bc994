/**
 * The program under runtime mocks: for a given config, the exact resources and inputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { requireDist } from "../helpers/dist";
import { resolved } from "../helpers/outputs";

interface Created {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const created: Created[] = [];

describe("program (runtime mocks)", () => {
  let program: typeof import("../../infra/index");

  beforeAll(async () => {
    pulumi.runtime.setAllConfig({
      "glidepath:environment": "local",
      "glidepath:apps": JSON.stringify({ wix: { target: "local" }, gamma: { target: "local" } }),
      "glidepath:flags": JSON.stringify({ wix: { CanaryEnabled: true, Theme: "neon" }, gamma: {} }),
      "glidepath:localRoot": "/srv/glidepath/local",
    });
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          created.push({ type: args.type, name: args.name, inputs: args.inputs });
          // The provider computes `path` (its own tier tests the formula); the mock answers a
          // marker so this test shows the export comes from the resource's output.
          const outs = { ...args.inputs, path: `provider-output:${args.inputs.app}/${args.inputs.key}` };
          return { id: `${args.name}-id`, state: outs };
        },
        call: (args) => args.inputs,
      },
      "glidepath",
      "local",
      false,
    );
    program = requireDist<typeof import("../../infra/index")>("infra/index.js");
  });

  it("declares one AppFlags component per app and one FeatureFlag per flag, with exact inputs", async () => {
    // Resources register once their inputs resolve: wait for every output of every app.
    for (const app of ["wix", "gamma"]) {
      await resolved(program.flags[app] as pulumi.Output<unknown>);
      await resolved(program.flagFiles[app] as pulumi.Output<unknown>);
    }
    const flags = created
      .filter((c) => c.type === "pulumi-nodejs:dynamic/glidepath:FeatureFlag")
      .map(({ name, inputs }) => ({
        name,
        inputs: { app: inputs.app, key: inputs.key, value: inputs.value, root: inputs.root },
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(flags).toEqual([
      {
        name: "wix.CanaryEnabled",
        inputs: { app: "wix", key: "CanaryEnabled", value: true, root: "/srv/glidepath/local" },
      },
      {
        name: "wix.Theme",
        inputs: { app: "wix", key: "Theme", value: "neon", root: "/srv/glidepath/local" },
      },
    ]);
    expect(created.filter((c) => c.type === "glidepath:index:AppFlags").map((c) => c.name)).toEqual([
      "gamma",
      "wix",
    ]);
  });

  it("ships the provider's code with every FeatureFlag", () => {
    const flag = created.find((c) => c.name === "wix.CanaryEnabled");
    expect(typeof flag?.inputs.__provider).toBe("string");
    expect(String(flag?.inputs.__provider)).toContain("writeJsonAtomic");
  });

  it("exports flags per app, and each flag resource's path output as its file", async () => {
    expect(await resolved(program.flags.wix as pulumi.Output<unknown>)).toEqual({
      CanaryEnabled: true,
      Theme: "neon",
    });
    expect(await resolved(program.flags.gamma as pulumi.Output<unknown>)).toEqual({});
    expect(await resolved(program.flagFiles.wix as pulumi.Output<unknown>)).toEqual({
      CanaryEnabled: "provider-output:wix/CanaryEnabled",
      Theme: "provider-output:wix/Theme",
    });
    expect(program.localRoot).toBe("/srv/glidepath/local");
    expect(program.environment).toBe("local");
  });
});

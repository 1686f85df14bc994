/**
 * The program on a staging-shaped config under runtime mocks: every resource of an app on a
 * remote target gets that target (and no local root), as a secret, and the serialized provider
 * code carries the target clients but never a credential.
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
const TOKEN = "cf-token-never-in-provider-code-91ab";

describe("program on remote targets (runtime mocks)", () => {
  let program: typeof import("../../infra/index");
  let targets: typeof import("../../infra/program-targets");

  beforeAll(async () => {
    process.env.CLOUDFLARE_API_TOKEN = TOKEN;
    process.env.WIX_API_KEY = "wix-key-test";
    process.env.GAMMA_TOKEN = "gamma-key-test";
    pulumi.runtime.setAllConfig({
      "glidepath:environment": "staging",
      "glidepath:apps": JSON.stringify({ wix: { target: "wix" }, gamma: { target: "gamma" } }),
      "glidepath:targets": JSON.stringify({
        cloudflare: {
          accountId: "acct-1",
          namespaceId: "ns-1",
          manageWorker: false,
          edgeUrl: "https://edge.example.com",
        },
        wix: { siteId: "site-1", siteUrl: "https://www.example.com" },
        gamma: { folderId: "folder-1" },
      }),
      "glidepath:flags": JSON.stringify({ wix: { CanaryEnabled: false }, gamma: {} }),
      "glidepath:localRoot": "/srv/glidepath/staging",
    });
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          created.push({ type: args.type, name: args.name, inputs: args.inputs });
          return { id: `${args.name}-id`, state: { ...args.inputs, path: `out:${args.name}` } };
        },
        call: (args) => args.inputs,
      },
      "glidepath",
      "staging",
      false,
    );
    program = requireDist<typeof import("../../infra/index")>("infra/index.js");
    targets = requireDist<typeof import("../../infra/program-targets")>("infra/program-targets.js");
  });

  it("gives each FeatureFlag its app's target and no local root", async () => {
    await resolved(program.flags.wix as pulumi.Output<unknown>);
    const flag = created.find((c) => c.name === "wix.CanaryEnabled");
    expect(flag?.inputs.root).toBeUndefined();
    // The target reaches the engine as a secret (Pulumi's secret signature beside its value).
    const wrapped = flag?.inputs.target as Record<string, unknown>;
    expect(wrapped["4dabf18193072939515e22adb298388d"]).toBe("1b47061264138c4ac30d75fd1eb44270");
    expect(wrapped.value).toEqual({
      kind: "wix",
      cloudflare: {
        apiUrl: "https://api.cloudflare.com/client/v4",
        accountId: "acct-1",
        namespaceId: "ns-1",
        token: TOKEN,
      },
      siteUrl: "https://www.example.com",
      wix: {
        apiUrl: "https://www.wixapis.com",
        siteId: "site-1",
        apiKey: "wix-key-test",
        collections: { releases: "GlidepathReleases", routes: "GlidepathRoutes", flags: "GlidepathFlags" },
      },
    });
  });

  /** A gamma app behind the edge: the config shape `programTargets` reads. */
  const gammaOnly = {
    stack: "staging",
    environment: "staging",
    apps: { gamma: { target: "gamma" } },
    targets: {
      cloudflare: {
        accountId: "a",
        namespaceId: "n",
        manageWorker: false,
        scriptName: "glidepath-edge",
        edgeUrl: "https://e.example.com",
        propagationTimeoutSeconds: 90,
      },
      gamma: { folderId: "f", pollIntervalMs: 5000, pollTimeoutMs: 600000 },
    },
  } as never;

  it("hands the targets over as secrets", async () => {
    const out = targets.programTargets(gammaOnly, { CLOUDFLARE_API_TOKEN: "t", GAMMA_TOKEN: "g" });
    expect(await pulumi.isSecret(out.gamma as pulumi.Output<unknown>)).toBe(true);
  });

  it("refuses to declare anything when a credential is missing, naming it and its target", () => {
    expect(() => targets.programTargets(gammaOnly, { CLOUDFLARE_API_TOKEN: "t" })).toThrow(
      /GAMMA_TOKEN is needed by the gamma target/,
    );
  });

  it("ships the target clients in each provider's code, and no credential", () => {
    for (const name of ["wix.CanaryEnabled", "wix-weight", "wix@v1", "gamma@v1"]) {
      const r = created.find((c) => c.name === name);
      if (r === undefined) continue;
      const code = String(r.inputs.__provider);
      expect(code).toContain("fetchWithRetry");
      expect(code).not.toContain(TOKEN);
    }
    expect(created.some((c) => c.name === "wix.CanaryEnabled")).toBe(true);
  });
});

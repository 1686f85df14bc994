/**
 * The program's releases and routes under runtime mocks: exact resources and inputs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, expect, it } from "vitest";
import { digestDir } from "../../providers/targets/bundle";
import { requireDist } from "../helpers/dist";
import { type Created, mockBundleDigest, mocksWithBuilds } from "../helpers/mock-build";
import { resolved } from "../helpers/outputs";

const created: Created[] = [];
const project = fs.mkdtempSync(path.join(os.tmpdir(), "gp-prog-"));
const bundle = (rel: string, text: string) => {
  fs.mkdirSync(path.join(project, rel), { recursive: true });
  fs.writeFileSync(path.join(project, rel, "index.html"), text);
};

let program: typeof import("../../infra/index");

beforeAll(async () => {
  fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: glidepath\nruntime: nodejs\n");
  bundle("apps/wix/v1", "wix v1\n");
  bundle("apps/wix/v2", "wix v2\n");
  bundle("apps/gamma/v1", "gamma v1\n");
  process.chdir(project);
  pulumi.runtime.setAllConfig({
    "glidepath:environment": "local",
    "glidepath:generation": "7",
    "glidepath:apps": JSON.stringify({
      wix: { target: "local" },
      gamma: { target: "local" },
      blog: { target: "local" },
    }),
    "glidepath:releases": JSON.stringify({
      wix: {
        stable: { version: "v1", source: "apps/wix/v1" },
        canary: { version: "v2", source: "apps/wix/v2" },
      },
      gamma: { stable: { version: "v1", source: "apps/gamma/v1" } },
      blog: { stable: { version: "2026.11", source: "apps/wix/v1" } },
    }),
    "glidepath:weights": JSON.stringify({ wix: 5 }),
  });
  await pulumi.runtime.setMocks(
    mocksWithBuilds(created, (inputs, name) => ({ ...inputs, path: `/published/${name}`, files: 1 })),
    "glidepath",
    "local",
    false,
  );
  program = requireDist<typeof import("../../infra/index")>("infra/index.js");
  // Resources register once their inputs resolve: wait for every output of every app.
  for (const app of ["wix", "gamma", "blog"]) {
    await resolved(program.weights[app] as pulumi.Output<unknown>);
    const r = program.releases[app] as { stable: pulumi.Output<unknown>; canary: pulumi.Output<unknown> };
    await resolved(r.stable);
    await resolved(r.canary);
  }
});

it("publishes each release once, typed by app, with the bundle digest its build reported (not the source digest)", async () => {
  const root = path.join(project, ".glidepath/targets/local");
  const digest = async (rel: string) => (await digestDir(path.join(project, rel))).digest;
  const reported = async (rel: string) => mockBundleDigest(await digest(rel));
  const releases = created
    .filter((c) => /Release$/.test(c.type))
    .map((c) => ({
      type: c.type.split(":").pop(),
      name: c.name,
      inputs: { ...c.inputs, __provider: undefined },
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const out = async (app: string, version: string, src: string) =>
    path.join(root, "builds", app, `${version}-${(await digest(src)).slice(0, 16)}`);
  expect(releases).toEqual([
    {
      type: "Release",
      name: "blog@2026.11",
      inputs: {
        app: "blog",
        version: "2026.11",
        digest: await reported("apps/wix/v1"),
        source: await out("blog", "2026.11", "apps/wix/v1"),
        root,
        __provider: undefined,
      },
    },
    {
      type: "GammaRelease",
      name: "gamma@v1",
      inputs: {
        app: "gamma",
        version: "v1",
        digest: await reported("apps/gamma/v1"),
        source: await out("gamma", "v1", "apps/gamma/v1"),
        root,
        __provider: undefined,
      },
    },
    {
      type: "WixRelease",
      name: "wix@v1",
      inputs: {
        app: "wix",
        version: "v1",
        digest: await reported("apps/wix/v1"),
        source: await out("wix", "v1", "apps/wix/v1"),
        root,
        __provider: undefined,
      },
    },
    {
      type: "WixRelease",
      name: "wix@v2",
      inputs: {
        app: "wix",
        version: "v2",
        digest: await reported("apps/wix/v2"),
        source: await out("wix", "v2", "apps/wix/v2"),
        root,
        __provider: undefined,
      },
    },
  ]);
});

it("builds each release from its sources, re-run only when their digest changes", async () => {
  const builds = created
    .filter((c) => c.type === "command:local:Command")
    .map((c) => c.name)
    .sort();
  expect(builds).toEqual(["build:blog@2026.11", "build:gamma@v1", "build:wix@v1", "build:wix@v2"]);
  const wixV2 = created.find((c) => c.name === "build:wix@v2");
  const d = (await digestDir(path.join(project, "apps/wix/v2"))).digest;
  const out = path.join(project, ".glidepath/targets/local/builds/wix", `v2-${d.slice(0, 16)}`);
  expect(wixV2?.inputs).toMatchObject({
    create:
      'node "$GP_BUILD_SCRIPT" --app="$GP_BUILD_APP" --version="$GP_BUILD_VERSION" --source="$GP_BUILD_SOURCE" --out="$GP_BUILD_OUT" --report="$GP_BUILD_REPORT"',
    delete: 'rm -rf -- "$GP_BUILD_OUT"',
    environment: {
      GP_BUILD_SCRIPT: path.join(project, "dist/apps/build/static-bundle.js"),
      GP_BUILD_APP: "wix",
      GP_BUILD_VERSION: "v2",
      GP_BUILD_SOURCE: path.join(project, "apps/wix/v2"),
      GP_BUILD_OUT: out,
      GP_BUILD_REPORT: path.join(project, "artifacts/wix-build.json"),
    },
    triggers: [d],
  });
});

it("routes each app to the reported bundle digests: stable, canary, weight and the desired state's generation", async () => {
  const routes = created
    .filter((c) => c.type.endsWith(":CanaryWeight"))
    .map((c) => ({ name: c.name, inputs: { ...c.inputs, __provider: undefined, root: undefined } }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const d = async (rel: string) => mockBundleDigest((await digestDir(path.join(project, rel))).digest);
  expect(routes).toEqual([
    {
      name: "blog-weight",
      inputs: {
        app: "blog",
        stable: "2026.11",
        stableDigest: await d("apps/wix/v1"),
        weight: 0,
        generation: 7,
      },
    },
    {
      name: "gamma-weight",
      inputs: {
        app: "gamma",
        stable: "v1",
        stableDigest: await d("apps/gamma/v1"),
        weight: 0,
        generation: 7,
      },
    },
    {
      name: "wix-weight",
      inputs: {
        app: "wix",
        stable: "v1",
        stableDigest: await d("apps/wix/v1"),
        canary: "v2",
        canaryDigest: await d("apps/wix/v2"),
        weight: 5,
        generation: 7,
      },
    },
  ]);
});

it("exports the build id of each release", async () => {
  expect(await resolved(program.builds.wix as pulumi.Output<unknown>)).toEqual({
    v1: "build:wix@v1-id",
    v2: "build:wix@v2-id",
  });
});

it("exports releases and weights per app", async () => {
  expect(await resolved(program.weights.wix as pulumi.Output<unknown>)).toBe(5);
  expect(await resolved(program.weights.gamma as pulumi.Output<unknown>)).toBe(0);
  const wix = program.releases.wix as {
    stable: pulumi.Output<{ version: string }>;
    canary: pulumi.Output<unknown>;
  };
  expect((await resolved(wix.stable)).version).toBe("v1");
  expect(await resolved(wix.canary)).toMatchObject({ version: "v2", path: "/published/wix@v2" });
});

/**
 * `CloudflareEdge` under runtime mocks with the real `@pulumi/cloudflare` classes (its
 * provider plugin cannot be installed on these machines): the exact inputs of every child —
 * the KV namespace, the Worker, its version (every compiled module, the bindings, the admin
 * key as a secret), the deployment at 100 %, and the custom domain or route — and the outputs.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MIN_REQUESTS } from "../../automation/lib/slo/defaults";
import { EDGE_COMPATIBILITY_DATE } from "../../edge/host/compatibility";
import type * as edgeModule from "../../infra/cloudflare-edge";
import { ROOT, requireDist } from "../helpers/dist";
import { resolved } from "../helpers/outputs";

interface Created {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const created: Created[] = [];
let edge: typeof edgeModule;

/** A compiled Worker: two modules at the top, one nested, and a file that is not a module. */
const workerDir = fs.mkdtempSync(path.join(os.tmpdir(), "gp-cf-edge-"));
const files: Record<string, string> = {
  "index.js": 'import "./store.js"; export default {};\n',
  "store.js": "export const s = 1;\n",
  "lib/util.js": "export const u = 2;\n",
  "README.md": "not a module\n",
};
for (const [name, text] of Object.entries(files)) {
  fs.mkdirSync(path.dirname(path.join(workerDir, name)), { recursive: true });
  fs.writeFileSync(path.join(workerDir, name), text);
}
const sha = (t: string) => crypto.createHash("sha256").update(t).digest("hex");
const module = (name: string) => ({
  name,
  contentType: "application/javascript+module",
  contentFile: path.join(workerDir, name),
  contentSha256: sha(files[name] as string),
});

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        created.push({ type: args.type, name: args.name, inputs: args.inputs });
        const ids: Record<string, string> = {
          "cloudflare:index/workersKvNamespace:WorkersKvNamespace": `ns-${args.name}`,
          "cloudflare:index/worker:Worker": `wk-${args.name}`,
          "cloudflare:index/workerVersion:WorkerVersion": `ver-${args.name}`,
        };
        return { id: ids[args.type] ?? `id-${args.name}`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    "glidepath",
    "staging",
    false,
  );
  edge = requireDist<typeof edgeModule>("infra/cloudflare-edge.js");
});

/** Arguments for one app on the test's compiled Worker, with `extra` on top. */
const argsWith = (extra: Partial<edgeModule.CloudflareEdgeArgs>): edgeModule.CloudflareEdgeArgs => ({
  accountId: "acc-1",
  apps: ["wix"],
  stack: "staging",
  adminKey: "plain-given-key",
  workerDir,
  ...extra,
});
const of = (name: string) => created.find((c) => c.name === name);

/** Waits until the mock monitor has seen each named resource (children register as their inputs resolve). */
async function registered(...names: string[]): Promise<void> {
  const end = Date.now() + 10_000;
  while (!names.every((n) => of(n) !== undefined)) {
    if (Date.now() > end)
      throw new Error(`not registered: ${names.filter((n) => of(n) === undefined).join(", ")}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
/** A secret input as the mock monitor receives it. */
const secretOf = (value: unknown) => ({
  [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
  value,
});

describe("CloudflareEdge", () => {
  it("declares the namespace, the Worker, a version with every module and binding, a 100 % deployment and a custom domain", async () => {
    const e = new edge.CloudflareEdge("edge", {
      accountId: "acc-1",
      apps: ["wix", "gamma"],
      stack: "staging",
      adminKey: pulumi.secret("admin-key-value"),
      minRequests: 40,
      workerDir,
      hostname: "edge.example.com",
      zoneId: "zone-1",
    });
    expect(await resolved(e.namespaceId)).toBe("ns-edge-store");
    expect(await resolved(e.workerName)).toBe("glidepath-edge");
    expect(await resolved(e.versionId)).toBe("ver-edge-version");
    await registered("edge-store", "edge-worker", "edge-version", "edge-deployment", "edge-domain");
    // In registration order, which follows when each child's inputs resolve: compared by name.
    const children = created.filter((c) => c.name.startsWith("edge")).map((c) => [c.type, c.name]);
    expect(children.sort((a, b) => (a[1] as string).localeCompare(b[1] as string))).toEqual([
      ["glidepath:index:CloudflareEdge", "edge"],
      ["cloudflare:index/workersDeployment:WorkersDeployment", "edge-deployment"],
      ["cloudflare:index/workersCustomDomain:WorkersCustomDomain", "edge-domain"],
      ["cloudflare:index/workersKvNamespace:WorkersKvNamespace", "edge-store"],
      ["cloudflare:index/workerVersion:WorkerVersion", "edge-version"],
      ["cloudflare:index/worker:Worker", "edge-worker"],
    ]);
    expect(of("edge-store")?.inputs).toEqual({ accountId: "acc-1", title: "glidepath-edge-store" });
    expect(of("edge-worker")?.inputs).toEqual({ accountId: "acc-1", name: "glidepath-edge" });
    expect(of("edge-version")?.inputs).toEqual({
      accountId: "acc-1",
      workerId: "wk-edge-worker",
      mainModule: "index.js",
      modules: [module("index.js"), module("lib/util.js"), module("store.js")],
      compatibilityDate: "2025-01-01",
      // The admin key makes the whole list a secret (in the engine's wire form under mocks).
      bindings: secretOf([
        { type: "kv_namespace", name: "EDGE_KV", namespaceId: "ns-edge-store" },
        { type: "plain_text", name: "APPS", text: "wix,gamma" },
        { type: "plain_text", name: "STACK", text: "staging" },
        { type: "plain_text", name: "LATENCY_OBJECTIVE_MS", text: "500" },
        { type: "plain_text", name: "MIN_REQUESTS", text: "40" },
        { type: "plain_text", name: "MIN_SCORE", text: "99" },
        { type: "secret_text", name: "ADMIN_KEY", text: "admin-key-value" },
      ]),
    });
    expect(of("edge-deployment")?.inputs).toEqual({
      accountId: "acc-1",
      scriptName: "glidepath-edge",
      strategy: "percentage",
      versions: [{ versionId: "ver-edge-version", percentage: 100 }],
    });
    expect(of("edge-domain")?.inputs).toEqual({
      accountId: "acc-1",
      hostname: "edge.example.com",
      service: "glidepath-edge",
      zoneId: "zone-1",
    });
  });

  it("keeps an admin key given as plain text secret: the version's bindings reach the engine as a secret", async () => {
    const e = new edge.CloudflareEdge("sec", argsWith({}));
    await resolved(e.versionId);
    await registered("sec-version");
    const bindings = of("sec-version")?.inputs.bindings as Record<string, unknown>;
    expect(bindings[pulumi.runtime.specialSigKey]).toBe(pulumi.runtime.specialSecretSig);
    expect((bindings.value as { name: string; text?: string }[]).find((b) => b.name === "ADMIN_KEY")).toEqual(
      {
        type: "secret_text",
        name: "ADMIN_KEY",
        text: "plain-given-key",
      },
    );
  });

  it("declares a zone route for a pattern, with the defaults for the rest, from the checkout's compiled Worker", async () => {
    const e = new edge.CloudflareEdge("rt", {
      accountId: "acc-2",
      workerName: "edge-staging",
      apps: ["wix"],
      stack: "staging",
      adminKey: pulumi.secret("k"),
      zoneId: "zone-2",
      pattern: "edge.example.com/*",
      routeTtlMs: 5000,
    });
    await resolved(e.versionId);
    await registered("rt-store", "rt-version", "rt-deployment", "rt-route");
    expect(of("rt-store")?.inputs).toEqual({ accountId: "acc-2", title: "edge-staging-store" });
    expect(of("rt-route")?.inputs).toEqual({
      zoneId: "zone-2",
      pattern: "edge.example.com/*",
      script: "edge-staging",
    });
    expect(of("rt-domain")).toBeUndefined();
    expect(of("rt-version")?.inputs.compatibilityDate).toBe(EDGE_COMPATIBILITY_DATE);
    const secret = of("rt-version")?.inputs.bindings as { value: { name: string; text?: string }[] };
    const bindings = secret.value;
    expect(bindings.map((b) => [b.name, b.name === "ADMIN_KEY" ? "…" : b.text])).toEqual([
      ["EDGE_KV", undefined],
      ["APPS", "wix"],
      ["STACK", "staging"],
      ["LATENCY_OBJECTIVE_MS", "500"],
      ["MIN_REQUESTS", String(DEFAULT_MIN_REQUESTS)],
      ["MIN_SCORE", "99"],
      ["ROUTE_TTL_MS", "5000"],
      ["ADMIN_KEY", "…"],
    ]);
    const modules = of("rt-version")?.inputs.modules as { name: string; contentFile: string }[];
    const compiled = fs
      .readdirSync(path.join(ROOT, "dist", "edge-worker"))
      .filter((n) => n.endsWith(".js"))
      .sort();
    expect(modules.map((m) => m.name)).toEqual(compiled);
    expect(compiled).toEqual(
      expect.arrayContaining(["index.js", "store.js", "kv-store.js", "origin-proxy.js"]),
    );
    expect(modules.every((m) => m.contentFile.startsWith(path.join(ROOT, "dist", "edge-worker")))).toBe(true);
  });

  it("refuses a route pattern without its zone, and a missing compiled Worker, naming the fix", () => {
    expect(() => new edge.CloudflareEdge("bad", argsWith({ pattern: "x.example.com/*" }))).toThrow(
      /pattern needs its zone; fix: set zoneId/,
    );
    expect(
      () => new edge.CloudflareEdge("none", argsWith({ workerDir: path.join(workerDir, "absent") })),
    ).toThrow(/compiled edge Worker is missing .*fix: run `npm run build`/);
  });
});

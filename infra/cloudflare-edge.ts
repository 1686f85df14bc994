/**
 * `CloudflareEdge`: the edge Worker (`edge/worker`, compiled to `dist/edge-worker`) on
 * Cloudflare, declared with `@pulumi/cloudflare`: the Workers KV namespace the remote targets
 * publish routes, flags and releases into (bound as `EDGE_KV`), the Worker, one version of it
 * holding every compiled module with its bindings, a deployment sending it 100 % of traffic,
 * and where it answers — a custom domain (`hostname`) or a zone route (`zoneId` + `pattern`),
 * or neither (the workers.dev subdomain).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_MIN_REQUESTS } from "../automation/lib/slo/defaults";
import { EDGE_COMPATIBILITY_DATE } from "../edge/host/compatibility";
import { workerDir as defaultWorkerDir } from "../edge/host/edge-host";

/** The content type of an ES module part. */
export const MODULE_CONTENT_TYPE = "application/javascript+module";

/** Arguments of {@link CloudflareEdge}. */
export interface CloudflareEdgeArgs {
  /** The Cloudflare account id. */
  accountId: pulumi.Input<string>;
  /** The Worker's name (its script name). @default "glidepath-edge" */
  workerName?: pulumi.Input<string>;
  /** The KV namespace's title. @default "<workerName>-store" */
  namespaceTitle?: pulumi.Input<string>;
  /** The apps the edge serves (its `APPS`), e.g. `["wix", "gamma"]`. */
  apps: pulumi.Input<pulumi.Input<string>[]>;
  /** The stack name the Worker reports (its `STACK`). */
  stack: pulumi.Input<string>;
  /** The admin key (`x-wiredchaos-key`), bound as the secret `ADMIN_KEY`; kept secret in state. */
  adminKey: pulumi.Input<string>;
  /** Requests slower than this count as bad (ms; `LATENCY_OBJECTIVE_MS`). @default 500 */
  latencyObjectiveMs?: pulumi.Input<number>;
  /** Requests a window needs before the panel shows a verdict (`MIN_REQUESTS`). @default DEFAULT_MIN_REQUESTS (100) */
  minRequests?: pulumi.Input<number>;
  /** The SLO minimum (percent) the panel judges against (`MIN_SCORE`). @default 99 */
  minScore?: pulumi.Input<number>;
  /**
   * How long the Worker keeps a route read (ms; `ROUTE_TTL_MS`, bound only when given). Every
   * read lists the app's flags in KV, and KV shows a write at the edge only after up to 60 s
   * anyway, so a few seconds costs nothing in freshness.
   * @default - unbound: the Worker's own 200 ms
   */
  routeTtlMs?: pulumi.Input<number>;
  /** The compatibility date. @default EDGE_COMPATIBILITY_DATE - the one the local edge host runs the Worker with */
  compatibilityDate?: pulumi.Input<string>;
  /** Directory of the compiled Worker; every `.js` file in it is a module, `index.js` the main one. @default "dist/edge-worker" of this checkout */
  workerDir?: string;
  /** A hostname to serve the Worker on (a `WorkersCustomDomain`). @default - none */
  hostname?: pulumi.Input<string>;
  /** The zone of `hostname` or `pattern`; required with `pattern`. @default - none */
  zoneId?: pulumi.Input<string>;
  /** A route pattern such as `edge.example.com/*` (a `WorkersRoute` in `zoneId`). @default - none */
  pattern?: pulumi.Input<string>;
}

/** One module of the Worker version. */
export interface WorkerModuleInput {
  name: string;
  contentType: string;
  contentFile: string;
  contentSha256: string;
}

/**
 * The compiled Worker's modules: every `.js` file under `dir` (sub-directories included, named
 * by their posix path), sorted, each with its sha-256 (so a change of any file makes a new
 * version and the provider sees drift).
 *
 * @param dir - the compiled Worker's directory
 */
export function workerModules(dir: string): WorkerModuleInput[] {
  const main = path.join(dir, "index.js");
  if (!fs.existsSync(main)) {
    throw new pulumi.RunError(
      `CloudflareEdge: the compiled edge Worker is missing (no ${main}); fix: run \`npm run build\` (it compiles edge/worker to dist/edge-worker) before \`pulumi up\``,
    );
  }
  const names = (fs.readdirSync(dir, { recursive: true }) as string[])
    .map((n) => n.split(path.sep).join("/"))
    .filter((n) => n.endsWith(".js"))
    .sort();
  return names.map((name) => {
    const file = path.join(dir, name);
    return {
      name,
      contentType: MODULE_CONTENT_TYPE,
      contentFile: file,
      contentSha256: crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex"),
    };
  });
}

/** The edge Worker on Cloudflare. */
export class CloudflareEdge extends pulumi.ComponentResource {
  /** The KV namespace's id (where the targets write routes, flags and releases). */
  readonly namespaceId: pulumi.Output<string>;
  /** The Worker's name. */
  readonly workerName: pulumi.Output<string>;
  /** The deployed version's id. */
  readonly versionId: pulumi.Output<string>;

  /**
   * @param name - logical name; children are `<name>-store`, `<name>-worker`, `<name>-version`,
   *   `<name>-deployment` and `<name>-domain` or `<name>-route`
   * @param args - account, bindings and where the Worker answers
   * @param opts - Pulumi component options
   */
  constructor(name: string, args: CloudflareEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("glidepath:index:CloudflareEdge", name, {}, opts);
    if (args.pattern !== undefined && args.zoneId === undefined) {
      throw new pulumi.RunError(
        `CloudflareEdge "${name}": a route pattern needs its zone; fix: set zoneId (the zone's id) with pattern, or use hostname`,
      );
    }
    const parent = { parent: this };
    const workerName = pulumi.output(args.workerName ?? "glidepath-edge");
    const modules = workerModules(args.workerDir ?? defaultWorkerDir());
    const namespace = new cloudflare.WorkersKvNamespace(
      `${name}-store`,
      { accountId: args.accountId, title: args.namespaceTitle ?? pulumi.interpolate`${workerName}-store` },
      parent,
    );
    const worker = new cloudflare.Worker(
      `${name}-worker`,
      { accountId: args.accountId, name: workerName },
      parent,
    );
    const plain = (n: string, text: pulumi.Input<string>) => ({ type: "plain_text", name: n, text });
    const version = new cloudflare.WorkerVersion(
      `${name}-version`,
      {
        accountId: args.accountId,
        workerId: worker.id,
        mainModule: "index.js",
        modules,
        compatibilityDate: args.compatibilityDate ?? EDGE_COMPATIBILITY_DATE,
        bindings: [
          { type: "kv_namespace", name: "EDGE_KV", namespaceId: namespace.id },
          plain(
            "APPS",
            pulumi.output(args.apps).apply((a) => a.join(",")),
          ),
          plain("STACK", args.stack),
          plain("LATENCY_OBJECTIVE_MS", pulumi.output(args.latencyObjectiveMs ?? 500).apply(String)),
          plain("MIN_REQUESTS", pulumi.output(args.minRequests ?? DEFAULT_MIN_REQUESTS).apply(String)),
          plain("MIN_SCORE", pulumi.output(args.minScore ?? 99).apply(String)),
          ...(args.routeTtlMs === undefined
            ? []
            : [plain("ROUTE_TTL_MS", pulumi.output(args.routeTtlMs).apply(String))]),
          { type: "secret_text", name: "ADMIN_KEY", text: pulumi.secret(args.adminKey) },
        ],
      },
      parent,
    );
    new cloudflare.WorkersDeployment(
      `${name}-deployment`,
      {
        accountId: args.accountId,
        scriptName: worker.name,
        strategy: "percentage",
        versions: [{ versionId: version.id, percentage: 100 }],
      },
      parent,
    );
    if (args.hostname !== undefined) {
      new cloudflare.WorkersCustomDomain(
        `${name}-domain`,
        {
          accountId: args.accountId,
          hostname: args.hostname,
          service: worker.name,
          ...(args.zoneId === undefined ? {} : { zoneId: args.zoneId }),
        },
        parent,
      );
    }
    if (args.pattern !== undefined) {
      new cloudflare.WorkersRoute(
        `${name}-route`,
        { zoneId: args.zoneId as pulumi.Input<string>, pattern: args.pattern, script: worker.name },
        parent,
      );
    }
    this.namespaceId = namespace.id;
    this.workerName = worker.name;
    this.versionId = version.id;
    this.registerOutputs({
      namespaceId: this.namespaceId,
      workerName: this.workerName,
      versionId: this.versionId,
    });
  }
}

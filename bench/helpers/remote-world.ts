/**
 * A staging-shaped world on loopback for e2e tests and benchmarks: the Cloudflare, Wix and Gamma
 * fakes (each with a staging and a production scope), the edge Worker on workerd with a KV
 * binding that the Cloudflare fake fills after its visibility delay (as KV reaches a location),
 * and a stack file configured like staging against them.
 */

import { type EdgeHost, startEdgeHost } from "../../edge/host/edge-host";
import { type CloudflareFake, startCloudflareFake } from "../../tests/fakes/cloudflare-fake";
import { type GammaFake, startGammaFake } from "../../tests/fakes/gamma-fake";
import { startWixFake, type WixFake } from "../../tests/fakes/wix-fake";

/** The scope ids and credentials of one stack. */
export interface Scope {
  accountId: string;
  namespaceId: string;
  cfToken: string;
  siteId: string;
  wixKey: string;
  workspace: string;
  folderId: string;
  gammaKey: string;
}

/** Staging's and production's scopes in the fakes. */
export const SCOPES: Readonly<Record<"staging" | "production", Scope>> = {
  staging: {
    accountId: "acct-staging",
    namespaceId: "ns-staging",
    cfToken: "cf-token-staging-3f9a1c",
    siteId: "site-staging",
    wixKey: "wix-key-staging-77b2e0",
    workspace: "ws-staging",
    folderId: "folder-staging",
    gammaKey: "sk-gamma-staging-51e2aa",
  },
  production: {
    accountId: "acct-production",
    namespaceId: "ns-production",
    cfToken: "cf-token-production-8d04b7",
    siteId: "site-production",
    wixKey: "wix-key-production-c4a919",
    workspace: "ws-production",
    folderId: "folder-production",
    gammaKey: "sk-gamma-production-e6d3f1",
  },
};

/** The running world. */
export interface RemoteWorld {
  cf: CloudflareFake;
  wix: WixFake;
  gamma: GammaFake;
  /** The edge Worker reading one stack's namespace (staging's unless `edgeStack` says otherwise). */
  edge: EdgeHost;
  /** Every value the edge saw for a KV key of its namespace, in order (`null` = deleted). */
  edgeHistory(key: string): (string | null)[];
  /** The environment a command of `stack` runs with: its credentials and the fakes' URLs. */
  env(stack: "staging" | "production", credentials?: "staging" | "production"): Record<string, string>;
  /** `Pulumi.<stack>.yaml`'s config section for these fakes. */
  stackConfig(stack: "staging" | "production"): Record<string, unknown>;
  /** Stops everything. */
  close(): Promise<void>;
}

/** Options of {@link startRemoteWorld}. */
export interface RemoteWorldOptions {
  /** How long a KV write takes to reach the edge (ms). @default 1500 */
  visibilityDelayMs?: number;
  /** Polls until a Gamma generation completes. @default 2 */
  completeAfterPolls?: number;
  /** Whose namespace the edge reads (both stacks' config points at it). @default "staging" */
  edgeStack?: "staging" | "production";
}

/**
 * Starts the fakes and the edge.
 *
 * @param opts - delays @default - see {@link RemoteWorldOptions}
 */
export async function startRemoteWorld(opts: RemoteWorldOptions = {}): Promise<RemoteWorld> {
  const history = new Map<string, (string | null)[]>();
  let edge: EdgeHost | undefined;
  const { staging, production } = SCOPES;
  const edgeStack = opts.edgeStack ?? "staging";
  const cf = await startCloudflareFake({
    tokens: {
      [staging.cfToken]: {
        scope: "staging",
        accountId: staging.accountId,
        namespaceIds: [staging.namespaceId],
      },
      [production.cfToken]: {
        scope: "production",
        accountId: production.accountId,
        namespaceIds: [production.namespaceId],
      },
    },
    visibilityDelayMs: opts.visibilityDelayMs ?? 1500,
    onVisible: (ns, key, value) => {
      if (ns !== SCOPES[edgeStack].namespaceId) return;
      const text = value === null ? null : Buffer.from(value).toString("utf8");
      history.set(key, [...(history.get(key) ?? []), key.startsWith("files/") ? "<bytes>" : text]);
      const kv = edge?.kv;
      if (kv === undefined) return;
      void (value === null ? kv.delete(key) : kv.put(key, new Uint8Array(value)));
    },
  });
  const wix = await startWixFake({
    keys: {
      [staging.wixKey]: { scope: "staging", siteIds: [staging.siteId] },
      [production.wixKey]: { scope: "production", siteIds: [production.siteId] },
    },
  });
  const gamma = await startGammaFake({
    keys: {
      [staging.gammaKey]: { scope: "staging", workspace: staging.workspace, folderIds: [staging.folderId] },
      [production.gammaKey]: {
        scope: "production",
        workspace: production.workspace,
        folderIds: [production.folderId],
      },
    },
    completeAfterPolls: opts.completeAfterPolls ?? 2,
  });
  edge = await startEdgeHost({
    stack: edgeStack,
    store: { kind: "kv" },
    apps: ["wix", "gamma"],
    adminKey: "staging-edge-admin-key-0123456789",
  });
  const started = edge;
  return {
    cf,
    wix,
    gamma,
    edge: started,
    edgeHistory: (key) => history.get(key) ?? [],
    env(stack, credentials = stack) {
      const s = SCOPES[credentials];
      return {
        CLOUDFLARE_API_TOKEN: s.cfToken,
        WIX_API_KEY: s.wixKey,
        GAMMA_TOKEN: s.gammaKey,
        GLIDEPATH_CLOUDFLARE_API_URL: `${cf.url}/client/v4`,
        GLIDEPATH_WIX_API_URL: wix.url,
        GLIDEPATH_GAMMA_API_URL: `${gamma.url}/v1.0`,
        PULUMI_CONFIG_PASSPHRASE: `${stack}-passphrase-for-tests`,
      };
    },
    stackConfig(stack) {
      const s = SCOPES[stack];
      return {
        "glidepath:environment": stack,
        "glidepath:apps": { wix: { target: "wix" }, gamma: { target: "gamma" } },
        "glidepath:targets": {
          cloudflare: {
            accountId: s.accountId,
            namespaceId: s.namespaceId,
            manageWorker: false,
            edgeUrl: started.url.toString().replace(/\/$/, ""),
            propagationTimeoutSeconds: 30,
          },
          wix: { siteId: s.siteId, siteUrl: `${wix.url}/site/${s.siteId}/` },
          gamma: { folderId: s.folderId, pollIntervalMs: 20 },
        },
        "glidepath:flags": { wix: { CanaryEnabled: false }, gamma: { CanaryEnabled: false } },
        "glidepath:releases": {
          wix: { stable: { version: "v1", source: "apps/wix/v1" } },
          gamma: { stable: { version: "v1", source: "apps/gamma/v1" } },
        },
        "glidepath:wasm": { edge: { module: "apps/edge-wasm/handler.wat", runtimeProfile: "wasm_wasi" } },
      };
    },
    async close() {
      await started.stop().catch(() => undefined);
      await Promise.all([cf.close(), wix.close(), gamma.close()]);
    },
  };
}

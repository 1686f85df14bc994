/**
 * The program's remote targets: {@link resolveTargets} over the stack's config and the
 * environment, each app's target wrapped as a Pulumi secret (it carries credentials, so state
 * keeps it encrypted). A missing credential or one issued for another stack stops the program
 * before any resource is declared.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { RemoteTarget } from "../providers/targets/remote";
import { CloudflareEdge } from "./cloudflare-edge";
import type { ProgramConfig } from "./load-config";
import { DECLARED_NAMESPACE, resolveTargets } from "./target-specs";

/**
 * Each app's remote target, as a secret output; apps on `local` are absent.
 *
 * @param config - the program's config
 * @param env - environment variables @default process.env
 */
export function programTargets(
  config: ProgramConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, pulumi.Output<RemoteTarget>> {
  const resolved = resolveTargets(config, env);
  if (!resolved.ok) {
    const code = resolved.issues.some((i) => i.code === "GP_CREDENTIAL_SCOPE")
      ? "GP_CREDENTIAL_SCOPE"
      : "GP_SECRETS_MISSING";
    throw new pulumi.RunError(
      `the targets of stack "${config.stack}" cannot be used (${code}):\n${resolved.issues.map((i) => `  ${i.message}`).join("\n")}\n` +
        "nothing was changed",
    );
  }
  const namespace = declaredEdge(config, Object.keys(resolved.byApp))?.namespaceId;
  return Object.fromEntries(
    Object.entries(resolved.byApp).map(([app, t]) => {
      const target = pulumi.secret(t);
      if (t.cloudflare.namespaceId !== DECLARED_NAMESPACE || namespace === undefined) return [app, target];
      // The namespace the program declares: its id is known once it exists.
      return [
        app,
        pulumi
          .all([target, namespace])
          .apply(([x, id]): RemoteTarget => ({ ...x, cloudflare: { ...x.cloudflare, namespaceId: id } })),
      ];
    }),
  );
}

/**
 * With `glidepath:targets.cloudflare.manageWorker` (the default), the edge's infrastructure:
 * its KV namespace, the Worker bound to it, and its domain (needs the `pulumi-resource-cloudflare`
 * plugin). None when no app is remote or the stack uses an existing namespace.
 */
function declaredEdge(config: ProgramConfig, remoteApps: readonly string[]): CloudflareEdge | undefined {
  const cf = config.targets.cloudflare;
  if (cf === undefined || !cf.manageWorker || remoteApps.length === 0) return undefined;
  if (config.adminKey === undefined) {
    throw new pulumi.RunError(
      `stack "${config.stack}" declares its edge Worker (glidepath:targets.cloudflare.manageWorker), which needs an admin key (GP_SECRETS_MISSING): ` +
        `set one with \`pulumi config set --secret glidepath:adminKey <at least 16 characters> --stack ${config.stack}\`; nothing was changed`,
    );
  }
  return new CloudflareEdge("edge", {
    accountId: cf.accountId,
    workerName: cf.scriptName,
    apps: Object.keys(config.apps).sort(),
    stack: config.stack,
    adminKey: pulumi.secret(config.adminKey),
    minRequests: config.rollout.minRequests,
    ...(cf.hostname === undefined ? {} : { hostname: cf.hostname }),
    workerDir: path.join(config.projectDir, "dist", "edge-worker"),
  });
}

/**
 * The edge store's own target (WASM deliverables live there): the Cloudflare part of any app's
 * remote target, or none when every app is on `local`.
 *
 * @param targets - the apps' targets from {@link programTargets}
 */
export function edgeTarget(
  targets: Readonly<Record<string, pulumi.Output<RemoteTarget>>>,
): pulumi.Output<RemoteTarget> | undefined {
  const first = Object.keys(targets).sort()[0];
  if (first === undefined) return undefined;
  return (targets[first] as pulumi.Output<RemoteTarget>).apply(
    (t): RemoteTarget => ({ kind: "cloudflare", cloudflare: t.cloudflare }),
  );
}

/**
 * The program's remote targets: {@link resolveTargets} over the stack's config and the
 * environment, each app's target wrapped as a Pulumi secret (it carries credentials, so state
 * keeps it encrypted). A missing credential or one issued for another stack stops the program
 * before any resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import type { RemoteTarget } from "../providers/targets/remote";
import type { ProgramConfig } from "./load-config";
import { resolveTargets } from "./target-specs";

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
  return Object.fromEntries(Object.entries(resolved.byApp).map(([app, t]) => [app, pulumi.secret(t)]));
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

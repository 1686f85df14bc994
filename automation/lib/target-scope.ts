/**
 * Before a command writes to a stack: are its remote targets' credentials present, and do they
 * belong to this stack's scope? The ids the credentials were issued for must equal the stack's
 * configured ids, and each API must confirm it (Cloudflare token verification and a read of the
 * namespace, a read of the Wix site's releases collection, the Gamma folder listed for the key).
 * A credential of another stack is refused with exit 2 before anything is written.
 */
import type { StackConfig } from "../../infra/config";
import { DECLARED_NAMESPACE, type EnvLookup, resolveTargets } from "../../infra/target-specs";
import { kvClient } from "../../providers/targets/cloudflare-kv";
import { gammaClient } from "../../providers/targets/gamma-api";
import { TargetHttpError } from "../../providers/targets/http-retry";
import type { RemoteTarget } from "../../providers/targets/remote";
import { CredentialScopeError } from "../../providers/targets/specs";
import { wixClient } from "../../providers/targets/wix-data";
import { GlidepathError } from "./errors";
import { redactText } from "./redact";

/** One API check: which target, and the read that proves the scope. */
interface ScopeCheck {
  target: string;
  run: () => Promise<void>;
}

/** The distinct checks the targets of a stack need (one per scope). */
function checksOf(byApp: Readonly<Record<string, RemoteTarget>>): ScopeCheck[] {
  const seen = new Map<string, ScopeCheck>();
  for (const t of Object.values(byApp)) {
    const cf = t.cloudflare;
    if (cf.namespaceId !== DECLARED_NAMESPACE) {
      seen.set(`cf:${cf.accountId}/${cf.namespaceId}`, {
        target: "cloudflare",
        run: () => kvClient(cf).verifyScope(),
      });
    }
    if (t.kind === "wix")
      seen.set(`wix:${t.wix.siteId}`, { target: "wix", run: () => wixClient(t.wix).verifyScope() });
    if (t.kind === "gamma")
      seen.set(`gamma:${t.gamma.folderId}`, {
        target: "gamma",
        run: () => gammaClient(t.gamma).verifyScope(),
      });
  }
  return [...seen.values()];
}

/**
 * Checks a stack's remote targets before a write.
 *
 * @param stack - the stack name
 * @param config - the validated config (secrets decrypted in memory)
 * @param env - environment variables @default process.env
 * @throws GlidepathError `GP_SECRETS_MISSING` (exit 1), `GP_CREDENTIAL_SCOPE` (exit 2),
 *   `GP_TARGET_UNREACHABLE` (exit 1: the check could not be made, so nothing is written)
 */
export async function checkTargetScopes(
  stack: string,
  config: StackConfig,
  env: EnvLookup = process.env,
): Promise<void> {
  const resolved = resolveTargets(config, env);
  if (!resolved.ok) {
    const scope = resolved.issues.filter((i) => i.code === "GP_CREDENTIAL_SCOPE");
    const shown = (scope.length > 0 ? scope : resolved.issues).map((i) => `  ${i.message}`).join("\n");
    throw new GlidepathError(
      scope.length > 0 ? "GP_CREDENTIAL_SCOPE" : "GP_SECRETS_MISSING",
      `stack "${stack}" cannot use its targets; nothing was changed:\n${shown}`,
      scope.length > 0
        ? `use the credentials issued for stack "${stack}" (docs/targets.md, "Scopes")`
        : `run \`glidepath preflight --stack ${stack}\` to list what is missing`,
    );
  }
  const secrets = Object.values(resolved.byApp).flatMap((t) => [
    t.cloudflare.token,
    ...(t.kind === "wix" ? [t.wix.apiKey] : t.kind === "gamma" ? [t.gamma.token] : []),
  ]);
  const clean = (text: string) =>
    secrets.reduce((acc, s) => (s === "" ? acc : acc.split(s).join("[secret]")), redactText(text));
  await Promise.all(
    checksOf(resolved.byApp).map(async (c) => {
      try {
        await c.run();
      } catch (e) {
        if (e instanceof CredentialScopeError) {
          throw new GlidepathError(
            "GP_CREDENTIAL_SCOPE",
            `stack "${stack}": ${clean(e.message.replace(/^GP_CREDENTIAL_SCOPE: /, ""))}; nothing was changed`,
            `use the ${c.target} credentials issued for stack "${stack}" (docs/targets.md, "Scopes")`,
          );
        }
        const why = e instanceof TargetHttpError || e instanceof Error ? e.message : String(e);
        throw new GlidepathError(
          "GP_TARGET_UNREACHABLE",
          `stack "${stack}": the ${c.target} credentials could not be verified (${clean(why)}); nothing was changed`,
          "check the service's status and the API URL, then run the command again",
        );
      }
    }),
  );
}

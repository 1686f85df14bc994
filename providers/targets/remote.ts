/**
 * The remote targets as a dynamic resource receives them (one secret input, `target`), and the
 * check that a target's credential belongs to the stack's scope, made once per provider process
 * before its first write. Runs inside serialized providers: project modules are imported at module
 * scope (the serializer captures the functions used), Node built-ins inside the bodies.
 */
import { kvClient } from "./cloudflare-kv";
import { gammaClient } from "./gamma-api";
import type { CloudflareSpec, GammaSpec, WixSpec } from "./specs";
import { wixClient } from "./wix-data";

/** A remote target: every one sits behind the Cloudflare edge (its Workers KV namespace). */
export type RemoteTarget =
  /** Static bundles in KV, served by the edge Worker. */
  | { kind: "cloudflare"; cloudflare: CloudflareSpec }
  /** CMS records of a Wix site; the edge proxies the app to `siteUrl`. */
  | { kind: "wix"; cloudflare: CloudflareSpec; wix: WixSpec; siteUrl: string }
  /** One Gamma generation per release; the edge proxies the app to its page. */
  | { kind: "gamma"; cloudflare: CloudflareSpec; gamma: GammaSpec };

/** What a target is, for messages: kind and scope ids, never a credential. */
export function describeTarget(t: RemoteTarget): string {
  const edge = `cloudflare account ${t.cloudflare.accountId}, KV namespace ${t.cloudflare.namespaceId}`;
  if (t.kind === "wix") return `wix site ${t.wix.siteId} (behind ${edge})`;
  if (t.kind === "gamma") return `gamma folder ${t.gamma.folderId} (behind ${edge})`;
  return edge;
}

/**
 * The scope of a target as one comparable text: two targets with the same scope are the same
 * place, whatever their credentials or API URLs.
 */
export function scopeOf(t: RemoteTarget): string {
  const edge = `cf:${t.cloudflare.accountId}/${t.cloudflare.namespaceId}`;
  if (t.kind === "wix") return `${edge}|wix:${t.wix.siteId}`;
  if (t.kind === "gamma") return `${edge}|gamma:${t.gamma.folderId}`;
  return edge;
}

/**
 * Verifies, once per process and credential, that the target's credentials belong to its scope
 * (a read each API offers); throws `CredentialScopeError` otherwise, before anything is written.
 */
export async function ensureScope(t: RemoteTarget): Promise<void> {
  const crypto = await import("node:crypto");
  // Kept on globalThis, not in a captured variable: a provider's code is serialized into state.
  const g = globalThis as { __glidepathVerifiedScopes?: Record<string, true> };
  if (g.__glidepathVerifiedScopes === undefined) g.__glidepathVerifiedScopes = {};
  const verified = g.__glidepathVerifiedScopes;
  const checks: [string, () => Promise<void>][] = [
    [
      `cf:${t.cloudflare.accountId}/${t.cloudflare.namespaceId}:${t.cloudflare.token}`,
      () => kvClient(t.cloudflare).verifyScope(),
    ],
  ];
  if (t.kind === "wix") {
    checks.push([`wix:${t.wix.siteId}:${t.wix.apiKey}`, () => wixClient(t.wix).verifyScope()]);
  }
  if (t.kind === "gamma") {
    checks.push([`gamma:${t.gamma.folderId}:${t.gamma.token}`, () => gammaClient(t.gamma).verifyScope()]);
  }
  for (const [id, check] of checks) {
    const key = crypto.createHash("sha256").update(id).digest("hex");
    if (verified[key]) continue;
    await check();
    verified[key] = true;
  }
}

/**
 * The zod schema of a remote target (zod passed in: provider code imports it inside its methods).
 * Ids must be present; credentials non-empty. Checks shape only: the scope is verified by the API.
 *
 * @param z - the zod module
 */
export function remoteTargetSchema(z: typeof import("zod").z) {
  const text = z.string().min(1);
  const retry = z
    .looseObject({
      attempts: z.number().optional(),
      baseMs: z.number().optional(),
      maxBackoffMs: z.number().optional(),
      maxRetryAfterMs: z.number().optional(),
      timeoutMs: z.number().optional(),
    })
    .optional();
  const cloudflare = z.strictObject({ apiUrl: text, accountId: text, namespaceId: text, token: text, retry });
  return z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("cloudflare"), cloudflare }),
    z.strictObject({
      kind: z.literal("wix"),
      cloudflare,
      siteUrl: text,
      wix: z.strictObject({
        apiUrl: text,
        siteId: text,
        apiKey: text,
        collections: z.strictObject({ releases: text, routes: text, flags: text }),
        retry,
      }),
    }),
    z.strictObject({
      kind: z.literal("gamma"),
      cloudflare,
      gamma: z.strictObject({
        apiUrl: text,
        folderId: text,
        token: text,
        pollIntervalMs: z.number().optional(),
        pollTimeoutMs: z.number().optional(),
        retry,
      }),
    }),
  ]);
}

/** The check failure of a resource given both a local root and a remote target, or neither. */
export const ONE_TARGET = "expected exactly one of root (the local target) and target";

/** What of a resource's target changed between two sets of inputs. */
export interface TargetChange {
  /** Another scope (or local ↔ remote): another place, so the resource is replaced. */
  moved: boolean;
  /** Same scope, other credentials or API URL: recorded in state, nothing rewritten. */
  rotated: boolean;
}

/**
 * Compares the remote targets of old and new inputs (absent on `local`).
 *
 * @param olds - the inputs in state
 * @param news - the new inputs
 */
export function targetChange(olds: { target?: RemoteTarget }, news: { target?: RemoteTarget }): TargetChange {
  const moved = (olds.target && scopeOf(olds.target)) !== (news.target && scopeOf(news.target));
  const rotated = !moved && JSON.stringify(olds.target ?? null) !== JSON.stringify(news.target ?? null);
  return { moved, rotated };
}

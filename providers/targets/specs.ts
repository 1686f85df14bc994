/**
 * What a remote target needs to be reached: its API's base URL, the scope (ids) the stack is
 * configured for, and the credential. The program builds these from stack config and the
 * environment and hands them to dynamic resources as a secret input; the target code receives
 * them resolved, in plain text, and never logs them.
 */
import { type RetryPolicy, wholeError } from "./http-retry";

/** The Cloudflare edge: a Workers KV namespace of one account. */
export interface CloudflareSpec {
  /** API base URL, e.g. `https://api.cloudflare.com/client/v4` (no trailing slash). */
  apiUrl: string;
  /** The stack's account id (`glidepath:targets.cloudflare.accountId`). */
  accountId: string;
  /** The stack's KV namespace id (`glidepath:targets.cloudflare.namespaceId`). */
  namespaceId: string;
  /** API token (`CLOUDFLARE_API_TOKEN`). Secret. */
  token: string;
  /** Retries. @default - the defaults of {@link RetryPolicy} */
  retry?: RetryPolicy;
}

/** Collection names of the Wix target. */
export interface WixCollections {
  /** One record per release. @default "GlidepathReleases" */
  releases: string;
  /** One record per app: its route. @default "GlidepathRoutes" */
  routes: string;
  /** One record per app and flag. @default "GlidepathFlags" */
  flags: string;
}

/** The Wix site: its CMS (Data Items v2) and publisher. */
export interface WixSpec {
  /** API base URL, e.g. `https://www.wixapis.com` (no trailing slash). */
  apiUrl: string;
  /** The stack's site id (`glidepath:targets.wix.siteId`). */
  siteId: string;
  /** API key (`WIX_API_KEY`), sent as `Authorization` without a scheme. Secret. */
  apiKey: string;
  /** The collections glidepath writes. */
  collections: WixCollections;
  /** Retries. @default - the defaults of {@link RetryPolicy} */
  retry?: RetryPolicy;
}

/** The Gamma workspace folder that stands for the stack's space. */
export interface GammaSpec {
  /** API base URL, e.g. `https://public-api.gamma.app/v1.0` (no trailing slash). */
  apiUrl: string;
  /** The stack's folder id (`glidepath:targets.gamma.folderId`, the runbook's `GAMMA_SPACE_ID`). */
  folderId: string;
  /** API key (`GAMMA_TOKEN`), sent as `X-API-KEY`. Secret. */
  token: string;
  /** Time between status polls of a generation (ms). @default 5000 */
  pollIntervalMs?: number;
  /** How long a generation may take before it counts as failed (ms). @default 600000 */
  pollTimeoutMs?: number;
  /** Retries. @default - the defaults of {@link RetryPolicy} */
  retry?: RetryPolicy;
}

/** A credential that does not belong to the stack's scope. */
export class CredentialScopeError extends Error {
  /**
   * @param target - `cloudflare`, `wix` or `gamma`
   * @param mismatch - what does not match, naming ids (never the credential)
   */
  constructor(
    readonly target: string,
    readonly mismatch: string,
  ) {
    const message = `GP_CREDENTIAL_SCOPE: the ${target} credential does not belong to this stack's scope: ${mismatch}`;
    super(message);
    wholeError(this, message, CredentialScopeError);
    this.name = "CredentialScopeError";
  }
}

/**
 * `glidepath:targets`: where the remote targets are and which scope (account, namespace, site,
 * folder) this stack owns. Only ids and URLs live here, in clear; credentials are secrets
 * (`CLOUDFLARE_API_TOKEN`, `WIX_API_KEY`, `GAMMA_TOKEN`: environment variables or
 * `glidepath:<NAME>` secret config). Pure: no I/O.
 */
import { z } from "zod";

/** Public API base URLs; each is overridden by the stack config key, then by its environment variable. */
export const DEFAULT_API_URLS = {
  cloudflare: "https://api.cloudflare.com/client/v4",
  wix: "https://www.wixapis.com",
  gamma: "https://public-api.gamma.app/v1.0",
  notion: "https://api.notion.com",
} as const;

/** The environment variables that override each API's base URL (tests, mirrors). */
export const API_URL_ENV = {
  cloudflare: "GLIDEPATH_CLOUDFLARE_API_URL",
  wix: "GLIDEPATH_WIX_API_URL",
  gamma: "GLIDEPATH_GAMMA_API_URL",
  notion: "GLIDEPATH_NOTION_API_URL",
} as const;

/** A value the stack files ship with for the operator to replace, e.g. `<staging account id>`. */
const PLACEHOLDER = /^<.*>$/;

/** An id of the remote service, refused while it is still a placeholder. */
export function scopeId(what: string, where: string) {
  return z
    .string({ error: `expected the ${what}` })
    .min(1, { error: `expected the ${what}` })
    .max(200)
    .refine((v) => !PLACEHOLDER.test(v), {
      error: `is still a placeholder; replace it with the ${what} (${where})`,
      abort: true,
    })
    .refine((v) => /^[A-Za-z0-9._:-]+$/.test(v), { error: `expected the ${what}: letters, digits, . _ : -` });
}

/** An http(s) URL, refused while it is still a placeholder; without a trailing slash. */
export const httpUrl = (what: string) =>
  z
    .string({ error: `expected the ${what} as an http(s) URL` })
    .refine((v) => !/[<>]/.test(v), {
      error: `is still a placeholder; replace it with the ${what}`,
      abort: true,
    })
    .pipe(z.url({ protocol: /^https?$/, error: `expected the ${what} as an http(s) URL` }))
    .transform((v) => v.replace(/\/+$/, ""));

const cloudflareSchema = z.strictObject({
  /** The Cloudflare account id (dashboard → Workers & Pages → Account details). */
  accountId: scopeId("Cloudflare account id", "dashboard → Workers & Pages → Account details"),
  /**
   * The Workers KV namespace that holds routes, flags and releases. Required with
   * `manageWorker: false`; with `manageWorker: true` the namespace the program creates is used.
   * @default - the namespace the program declares
   */
  namespaceId: scopeId("Workers KV namespace id", "dashboard → Storage & Databases → KV").optional(),
  /**
   * Declare the KV namespace, the Worker and its domain with `@pulumi/cloudflare` (needs the
   * `pulumi-resource-cloudflare` plugin); false uses an existing namespace and Worker.
   * @default true
   */
  manageWorker: z.boolean().default(true),
  /** The Worker script's name. @default "glidepath-edge" */
  scriptName: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "expected a Worker name: lower-case letters, digits, -" })
    .default("glidepath-edge"),
  /** The custom domain the Worker serves (with `manageWorker`). @default - none: the workers.dev URL */
  hostname: z.string().min(1).optional(),
  /** Where visitors reach the edge; the driver probes it for the route it serves. */
  edgeUrl: httpUrl("URL visitors reach the edge at"),
  /**
   * How long the driver waits for the edge to serve a step's route before it starts the bake
   * anyway (Workers KV takes up to about 60 s to reach every location).
   * @default 90
   */
  propagationTimeoutSeconds: z.number().int().min(1).max(600).default(90),
  /** API base URL. @default "https://api.cloudflare.com/client/v4" (or `GLIDEPATH_CLOUDFLARE_API_URL`) */
  apiUrl: httpUrl("Cloudflare API base URL").optional(),
});

const wixSchema = z.strictObject({
  /** The Wix site id (dashboard URL `…/dashboard/<site id>/…`). */
  siteId: scopeId("Wix site id", "the site's dashboard URL"),
  /** The published site's URL, the origin the edge proxies the `wix` app to. */
  siteUrl: httpUrl("published Wix site URL"),
  /** CMS collections glidepath writes. @default - GlidepathReleases, GlidepathRoutes, GlidepathFlags */
  collections: z
    .strictObject({
      releases: z.string().min(1).default("GlidepathReleases"),
      routes: z.string().min(1).default("GlidepathRoutes"),
      flags: z.string().min(1).default("GlidepathFlags"),
    })
    .prefault({}),
  /** API base URL. @default "https://www.wixapis.com" (or `GLIDEPATH_WIX_API_URL`) */
  apiUrl: httpUrl("Wix API base URL").optional(),
});

const gammaSchema = z.strictObject({
  /** The Gamma folder that stands for the stack's space (the runbook's `GAMMA_SPACE_ID`). */
  folderId: scopeId("Gamma folder id", "GET /folders lists them"),
  /** Time between polls of a generation (ms). @default 5000 */
  pollIntervalMs: z.number().int().min(10).max(60_000).default(5000),
  /** How long a generation may take (ms). @default 600000 */
  pollTimeoutMs: z.number().int().min(1000).max(3_600_000).default(600_000),
  /** API base URL. @default "https://public-api.gamma.app/v1.0" (or `GLIDEPATH_GAMMA_API_URL`) */
  apiUrl: httpUrl("Gamma API base URL").optional(),
});

/** `glidepath:targets`. */
export const targetsSchema = z
  .strictObject({
    /** The Cloudflare edge in front of every app that is not on the `local` target. @default - none */
    cloudflare: cloudflareSchema.optional(),
    /** The Wix site (apps on target `wix`). @default - none */
    wix: wixSchema.optional(),
    /** The Gamma folder (apps on target `gamma`). @default - none */
    gamma: gammaSchema.optional(),
  })
  .default({});

/** A validated `glidepath:targets`. */
export type TargetsConfig = z.infer<typeof targetsSchema>;

/** The settings each app target needs, by target: `cloudflare` for every remote one. */
export const TARGET_NEEDS: Readonly<Record<string, readonly ("cloudflare" | "wix" | "gamma")[]>> = {
  local: [],
  cloudflare: ["cloudflare"],
  wix: ["cloudflare", "wix"],
  gamma: ["cloudflare", "gamma"],
};

/** The secrets each remote part needs, and what for. */
export const TARGET_SECRETS = {
  cloudflare: ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID"],
  wix: ["WIX_API_KEY", "WIX_SITE_ID"],
  gamma: ["GAMMA_TOKEN", "GAMMA_SPACE_ID"],
} as const;

/**
 * `glidepath:content`: the content plane of a stack. Where its SWARM log goes in Notion, which
 * Notion database holds the registry `glidepath sync` mirrors into Wix, and the Business/Gaming
 * firewall: each domain's one Wix collection, Gamma folder and sync key. Only ids and URLs live
 * here, in clear; the Notion token (`SWARM_NOTION_TOKEN`) and the sync keys
 * (`WIREDCHAOS_KEY_BUSINESS`, `WIREDCHAOS_KEY_GAMING`) are secrets: environment variables or
 * `glidepath:<NAME>` secret config. Pure: no I/O.
 */
import { z } from "zod";
import { httpUrl, scopeId } from "./targets-config";

/** The two content domains. Every registry entry belongs to exactly one. */
export const DOMAINS = ["Business", "Gaming"] as const;

/** A content domain. */
export type Domain = (typeof DOMAINS)[number];

/** The secret holding each domain's sync key. */
export const DOMAIN_KEY_SECRETS = {
  Business: "WIREDCHAOS_KEY_BUSINESS",
  Gaming: "WIREDCHAOS_KEY_GAMING",
} as const satisfies Record<Domain, string>;

/** A Wix CMS collection id (letters, digits, `_`, `-`; at most 64). */
const collectionName = z
  .string({ error: "expected a Wix collection id" })
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, {
    error: "expected a Wix collection id: a letter, then letters, digits, _ or -",
  });

const domainSchema = z.strictObject({
  /** The Wix CMS collection this domain's entries go to, and only they. */
  collection: collectionName,
  /** The Gamma folder of this domain's decks. @default - none */
  gammaFolderId: scopeId("Gamma folder id", "GET /folders lists them").optional(),
  /**
   * The sync key's id, sent in `x-wiredchaos-key`; the endpoint maps it to the collections the
   * key may write.
   */
  keyId: z
    .string({ error: "expected a key id" })
    .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, { error: "expected a key id: lower-case letters, digits, -" }),
});

const notionSchema = z.strictObject({
  /** The API's origin. @default "https://api.notion.com" (or `GLIDEPATH_NOTION_API_URL`) */
  apiUrl: httpUrl("Notion API origin").optional(),
  /**
   * The SWARM database: every SWARM event of the stack becomes one of its rows (also settable as
   * the `SWARM_DB_ID` secret). @default - none: the SWARM log stays in JSONL only
   */
  swarmDatabaseId: scopeId("Notion database id of the SWARM log", "the database's URL").optional(),
  /** The registry database `glidepath sync` reads. @default - none: no registry sync */
  registryDatabaseId: scopeId("Notion database id of the registry", "the database's URL").optional(),
});

const syncSchema = z.strictObject({
  /**
   * The site's sync endpoint (`WIX_SYNC_ENDPOINT` overrides it).
   * @default - `<glidepath:targets.wix.siteUrl>/_functions/sync`
   */
  url: httpUrl("Wix sync endpoint URL").optional(),
  /** Per domain: its collection, Gamma folder and key. */
  domains: z.strictObject({ Business: domainSchema, Gaming: domainSchema }),
});

/** `glidepath:content`. */
export const contentSchema = z
  .strictObject({
    /** Notion: API origin, SWARM database, registry database. @default - `{}` */
    notion: notionSchema.prefault({}),
    /** The registry sync into Wix. @default - none */
    sync: syncSchema.optional(),
  })
  .superRefine((c, ctx) => {
    const d = c.sync?.domains;
    if (d === undefined) return;
    for (const field of ["collection", "gammaFolderId", "keyId"] as const) {
      const a = d.Business[field];
      if (a !== undefined && a === d.Gaming[field]) {
        ctx.addIssue({
          code: "custom",
          path: ["sync", "domains", "Gaming", field],
          message: `is the same as Business's (${a}); the firewall keeps Business and Gaming apart: give Gaming its own`,
        });
      }
    }
  })
  .default({ notion: {} });

/** A validated `glidepath:content`. */
export type ContentConfig = z.infer<typeof contentSchema>;

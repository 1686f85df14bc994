/**
 * The Business/Gaming firewall (pure). An entry's target — its one Wix collection, Gamma folder
 * and sync key — is looked up from its domain in `glidepath:content.sync.domains`, and from
 * nothing else: no other field of an entry can name a collection, so an entry of domain
 * Business whose summary or tags hold Gaming's collection name still goes to Business's. An
 * entry without a valid domain is refused. Right before each request, a guard asserts that the
 * collection it addresses is the one of the domain whose key signs it, and that every item it
 * carries is of that domain; a mismatch throws before anything is sent.
 */

import type { StackConfig } from "../../../infra/config";
import { DOMAIN_KEY_SECRETS, DOMAINS, type Domain } from "../../../infra/content-config";
import { GlidepathError } from "../errors";
import type { Refusal, RegistryEntry } from "./registry-entry";
import type { SyncClient, SyncItem } from "./sync-client";

/** `glidepath:content.sync.domains`. */
export type SyncDomains = NonNullable<StackConfig["content"]["sync"]>["domains"];

/** Where one domain's entries go. */
export interface DomainTarget {
  /** The domain. */
  domain: Domain;
  /** Its Wix collection. */
  collection: string;
  /** Its Gamma folder, or null when none is configured. */
  gammaFolderId: string | null;
  /** Its sync key's id (`x-wiredchaos-key`). */
  keyId: string;
  /** The secret holding its key (`WIREDCHAOS_KEY_BUSINESS` …). */
  keySecret: (typeof DOMAIN_KEY_SECRETS)[Domain];
}

/** Whether a value is one of the two domains (exactly; nothing inherited, no other spelling). */
export function isDomain(value: unknown): value is Domain {
  return typeof value === "string" && (DOMAINS as readonly string[]).includes(value);
}

/**
 * The target of a domain, from the config alone.
 *
 * @param domains - `glidepath:content.sync.domains`
 * @param domain - the entry's domain
 * @returns the target, or undefined when `domain` is not Business or Gaming
 */
export function domainTarget(domains: SyncDomains, domain: unknown): DomainTarget | undefined {
  if (!isDomain(domain)) return undefined;
  const d = domains[domain];
  return {
    domain,
    collection: d.collection,
    gammaFolderId: d.gammaFolderId ?? null,
    keyId: d.keyId,
    keySecret: DOMAIN_KEY_SECRETS[domain],
  };
}

/**
 * Sorts entries by domain (pure): each entry goes to its domain's list; an entry whose domain is
 * not Business or Gaming is refused (the mapping refuses those already: this is the last check).
 *
 * @param entries - the mapped entries
 */
export function routeEntries(entries: readonly RegistryEntry[]): {
  byDomain: Record<Domain, RegistryEntry[]>;
  refused: Refusal[];
} {
  const byDomain: Record<Domain, RegistryEntry[]> = { Business: [], Gaming: [] };
  const refused: Refusal[] = [];
  for (const e of entries) {
    const domain: unknown = e.domain;
    if (isDomain(domain)) byDomain[domain].push(e);
    else
      refused.push({
        pageId: e.pageId,
        field: "Domain",
        reason: `expected one of ${DOMAINS.join(", ")}, got ${JSON.stringify(domain)}`,
      });
  }
  return { byDomain, refused };
}

/**
 * Asserts that a request of `domain`'s key addresses `domain`'s collection (and, for items,
 * that each one is of that domain). Throws before the request is made.
 *
 * @param domains - `glidepath:content.sync.domains`
 * @param domain - the domain whose key signs the request
 * @param keyId - the id of the key that signs it
 * @param collection - the collection it addresses
 * @param items - the items it carries @default - none
 * @throws GlidepathError `GP_CREDENTIAL_SCOPE` naming the domain, the key and the collection
 */
export function assertRoute(
  domains: SyncDomains,
  domain: Domain,
  keyId: string,
  collection: string,
  items: readonly SyncItem[] = [],
): void {
  const t = domainTarget(domains, domain);
  const crossing =
    t === undefined
      ? `"${domain}" is not a domain`
      : keyId !== t.keyId
        ? `key ${keyId} is not ${domain}'s key (${t.keyId})`
        : collection !== t.collection
          ? `collection ${collection} is not ${domain}'s collection (${t.collection})`
          : items
              .filter((i) => i.domain !== domain)
              .map((i) => `item ${i._id} is of domain ${JSON.stringify(i.domain)}, not ${domain}`)[0];
  if (crossing === undefined) return;
  throw new GlidepathError(
    "GP_CREDENTIAL_SCOPE",
    `the Business/Gaming firewall stopped a request before it was sent: ${crossing}; nothing more was written`,
    "each domain's entries go only to glidepath:content.sync.domains.<domain>.collection with that domain's key; this is a bug of glidepath if the config is as intended: report it",
  );
}

/**
 * A sync client for one domain whose every request passes {@link assertRoute} first.
 *
 * @param domains - `glidepath:content.sync.domains`
 * @param domain - the domain the client's key belongs to
 * @param keyId - the id of the key the client signs with
 * @param client - the client
 */
export function guardedClient(
  domains: SyncDomains,
  domain: Domain,
  keyId: string,
  client: SyncClient,
): SyncClient {
  return {
    check: async (collection) => {
      assertRoute(domains, domain, keyId, collection);
      return client.check(collection);
    },
    upsert: async (collection, items) => {
      assertRoute(domains, domain, keyId, collection, items);
      return client.upsert(collection, items);
    },
    mirror: async (collection, present) => {
      assertRoute(domains, domain, keyId, collection);
      return client.mirror(collection, present);
    },
  };
}

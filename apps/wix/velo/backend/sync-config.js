/**
 * The sync endpoint's configuration for this site: which key may write which collection, where
 * the nonces are kept, and the limits. Edit it per site (the key ids must match
 * `glidepath:content.sync.domains.<Domain>.keyId` of the stack that syncs into this site), then
 * publish. No secret lives here: each key names its secret in the site's Secrets Manager.
 */

/**
 * @typedef {object} SyncKeyConfig
 * @property {string} secret - the Secrets Manager name of the key's secret; during a rotation the
 *   endpoint also accepts the secret named `<secret>_NEXT` while it exists
 * @property {string[]} collections - the collections this key may write, and no other
 */

/**
 * @typedef {object} SyncConfig
 * @property {Record<string, SyncKeyConfig>} keys - key id (the `x-wiredchaos-key` header) → its secret and collections
 * @property {string} nonceCollection - the collection of seen nonces (create it, admin-only permissions)
 * @property {number} windowSeconds - how far a request's timestamp may be from the site's clock, either way
 * @property {number} maxBodyBytes - the largest body accepted, in bytes (Wix caps it at 512 KB)
 * @property {number} maxItems - the most items one upsert may carry
 * @property {number} minSecretLength - a secret shorter than this is not used (fail closed)
 */

/** @type {SyncConfig} */
export const SYNC_CONFIG = Object.freeze({
  keys: Object.freeze({
    business: Object.freeze({
      secret: "WIREDCHAOS_KEY_BUSINESS",
      collections: Object.freeze(["SwarmRegistryBusiness"]),
    }),
    gaming: Object.freeze({
      secret: "WIREDCHAOS_KEY_GAMING",
      collections: Object.freeze(["SwarmRegistryGaming"]),
    }),
  }),
  nonceCollection: "SyncNonces",
  windowSeconds: 300,
  maxBodyBytes: 500 * 1024,
  maxItems: 100,
  minSecretLength: 32,
});

/**
 * `glidepath:targets` with every placeholder of the committed staging file filled in, for tests
 * that need the file to parse (ids of a made-up scope; an existing KV namespace).
 */

/**
 * The filled-in targets.
 *
 * @param scope - the word the ids carry, e.g. `staging` → `acct-staging`
 */
export function filledTargets(scope: string): Record<string, unknown> {
  return {
    cloudflare: {
      accountId: `acct-${scope}`,
      manageWorker: false,
      namespaceId: `ns-${scope}`,
      edgeUrl: `https://edge-${scope}.example.com`,
    },
    wix: { siteId: `site-${scope}`, siteUrl: `https://${scope}.example.com` },
    gamma: { folderId: `fold-${scope}` },
  };
}

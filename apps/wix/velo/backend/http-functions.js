// glidepath: the site's HTTP functions (Velo backend). `post_sync` serves
// POST https://<site>/_functions/sync, the endpoint `glidepath sync` writes the registry through.
// The logic is in sync-endpoint.js (no Wix import, so it runs under test as deployed); this file
// only hands it the real Wix modules: the response helpers, wix-data, and the Secrets Manager
// read, elevated (an HTTP function runs as an anonymous visitor). The keys, collections and
// limits are in sync-config.js. Deploy all four backend files (http-functions.js,
// sync-endpoint.js, sync-signature.js, sync-config.js), then publish the site.

import { elevate } from "wix-auth";
import wixData from "wix-data";
import { badRequest, forbidden, ok, response, serverError } from "wix-http-functions";
import { secrets } from "wix-secrets-backend.v2";
import { SYNC_CONFIG } from "./sync-config.js";
import { createSyncHandler } from "./sync-endpoint.js";

const getSecretValue = elevate(secrets.getSecretValue);

const handleSync = createSyncHandler({
  http: { ok, badRequest, forbidden, serverError, response },
  data: wixData,
  getSecret: async (name) => (await getSecretValue(name)).value,
  now: () => Date.now(),
  config: SYNC_CONFIG,
});

/**
 * POST /_functions/sync.
 *
 * @param {import("wix-http-functions").WixHttpFunctionRequest} request
 */
export function post_sync(request) {
  return handleSync(request);
}

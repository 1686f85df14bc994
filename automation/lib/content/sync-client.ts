/**
 * glidepath's client of a Wix site's sync endpoint (`POST <site>/_functions/sync`, the code in
 * `apps/wix/velo/backend/`). Every request is signed (see `sync-signature.ts`) with a new nonce
 * and the current time, including each retry: the endpoint refuses a nonce it has seen, so a
 * retried request is signed again. Upserts are split into requests under the endpoint's body
 * and item limits. The key's secret is only used to sign: it is never sent, logged, or part of
 * an error.
 *
 * Retries (`providers/targets/http-retry.ts`): 408, 429, 5xx, timeouts and connection errors.
 * Every operation is safe to send twice (an upsert of stored fields writes nothing), but an
 * attempt whose answer was lost may have been applied: the retry then reports the item
 * `unchanged` (or, for a mirror, not archived again) where the lost answer said `created`,
 * `updated` or archived.
 */
import { z } from "zod";
import { fetchWithRetry, type RetryPolicy, TargetHttpError } from "../../../providers/targets/http-retry";
import { GlidepathError } from "../errors";
import { redactUrl } from "../redact";
import { signedHeaders, signedPath } from "./sync-signature";

/** A sync key: its id (from config) and its secret (from `WIREDCHAOS_KEY_<DOMAIN>`). */
export interface SyncKey {
  /** The key id, sent in `x-wiredchaos-key`. */
  id: string;
  /** The shared secret (at least {@link MIN_SECRET_LENGTH} characters); never sent. */
  secret: string;
}

/** Options of {@link syncClient}. */
export interface SyncClientOptions {
  /** The endpoint, e.g. `https://site.example/_functions/sync`. */
  url: string;
  /** The key to sign with. */
  key: SyncKey;
  /** One attempt's timeout (ms). @default 15000 */
  timeoutMs?: number;
  /** Retries. @default - {@link RetryPolicy}'s defaults */
  retry?: RetryPolicy;
  /** The clock (ms since the epoch); requests are stamped with it. @default Date.now */
  now?: () => number;
  /** The largest request body (bytes); the site's `maxBodyBytes`. @default 512000 */
  maxBodyBytes?: number;
  /** Items per upsert request, at most; the site's `maxItems` or fewer. @default 50 */
  maxItems?: number;
}

/** One item: content fields only (no `lastSync`, `archived`, or `_` system field but `_id`). */
export interface SyncItem {
  _id: string;
  [field: string]: unknown;
}

/** What an upsert did to one item. */
export type UpsertOutcome = "created" | "updated" | "unchanged";

/** A sync endpoint client bound to one key. */
export interface SyncClient {
  /** Which collections this key may write (a signed no-op; call before any write). Throws GP_CREDENTIAL_SCOPE if the key is refused. */
  check(collection: string): Promise<void>;
  /** Upserts items (client chunks them under the body limit). */
  upsert(
    collection: string,
    items: SyncItem[],
  ): Promise<{ _id: string; outcome: UpsertOutcome; lastSync: string }[]>;
  /** Marks archived every item of the collection whose _id is not in `present` (and not archived already). */
  mirror(collection: string, present: string[]): Promise<{ archived: string[] }>;
}

/** The shortest secret the endpoint uses (its `minSecretLength`). */
export const MIN_SECRET_LENGTH = 32;

/** The endpoint's rules for what a request carries (the same as `sync-endpoint.js`). */
const KEY_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const COLLECTION = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const ITEM_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const FIELD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const OWNED = new Set(["archived", "lastSync"]);

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
const okBody = z.object({ ok: z.literal(true), collection: z.string() });
const upsertBody = okBody.extend({
  results: z.array(
    z.object({
      _id: z.string(),
      outcome: z.enum(["created", "updated", "unchanged"]),
      lastSync: z.string(),
    }),
  ),
});
const mirrorBody = okBody.extend({ archived: z.array(z.string()) });

/** The endpoint's `{error: {code, message}}`, if the text is one. */
function endpointError(text: string): { code: string; message: string } | undefined {
  try {
    return errorBody.safeParse(JSON.parse(text)).data?.error;
  } catch {
    return undefined;
  }
}

const DOCS = "docs/runbook.md, The sync endpoint";

/**
 * A client of a site's sync endpoint.
 *
 * @param opts - endpoint, key, timeouts, retries, clock, limits
 * @throws GlidepathError `GP_CONFIG_INVALID` for a URL without `/_functions/<name>`, a bad key id
 *   or a secret shorter than {@link MIN_SECRET_LENGTH}
 */
export function syncClient(opts: SyncClientOptions): SyncClient {
  const shown = redactUrl(opts.url);
  let path: string | undefined;
  try {
    const u = new URL(opts.url);
    if (u.protocol === "http:" || u.protocol === "https:") path = signedPath(u.pathname);
  } catch {
    // reported below
  }
  if (path === undefined)
    throw new GlidepathError(
      "GP_CONFIG_INVALID",
      `the sync endpoint URL ${shown} is not an http(s) URL ending in /_functions/<name>`,
      "set glidepath:content.sync.url (or WIX_SYNC_ENDPOINT) to the site's https://<site>/_functions/sync",
    );
  const signed = path;
  const keyId = opts.key.id;
  if (!KEY_ID.test(keyId))
    throw new GlidepathError(
      "GP_CONFIG_INVALID",
      `sync key id ${JSON.stringify(keyId)} is not lower-case letters, digits and -`,
      "set glidepath:content.sync.domains.<Domain>.keyId to the id the site's sync-config.js lists",
    );
  if (opts.key.secret.length < MIN_SECRET_LENGTH)
    throw new GlidepathError(
      "GP_CONFIG_INVALID",
      `the secret of sync key ${keyId} has ${opts.key.secret.length} characters; the endpoint uses only secrets of at least ${MIN_SECRET_LENGTH}`,
      `generate one (openssl rand -base64 32), store it in the site's Secrets Manager and in WIREDCHAOS_KEY_<DOMAIN> (see ${DOCS})`,
    );
  const now = opts.now ?? Date.now;
  const maxBodyBytes = opts.maxBodyBytes ?? 500 * 1024;
  const maxItems = opts.maxItems ?? 50;
  const policy: RetryPolicy = { ...opts.retry, timeoutMs: opts.timeoutMs ?? opts.retry?.timeoutMs ?? 15_000 };

  const refused = (what: string, message: string, remedy: string) =>
    new GlidepathError("GP_TARGET_REFUSED", `${what}: ${message}`, remedy);

  /** One signed request; the answer's JSON on 2xx, else the error it means. */
  const send = async (op: string, collection: string, payload: Record<string, unknown>): Promise<unknown> => {
    const what = `wix sync ${op} ${collection} at ${shown}`;
    const body = JSON.stringify({ op, collection, ...payload });
    const bytes = Buffer.byteLength(body, "utf8");
    if (bytes > maxBodyBytes)
      throw refused(
        what,
        `the request would be ${bytes} bytes; the endpoint takes at most ${maxBodyBytes}`,
        "make the content smaller (an item is sent whole in one request)",
      );
    let res: Response;
    try {
      res = await fetchWithRetry(
        what,
        opts.url,
        () => ({
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...signedHeaders({ method: "POST", path: signed, keyId, body }, opts.key.secret, now()),
          },
          body,
        }),
        policy,
      );
    } catch (e) {
      if (!(e instanceof TargetHttpError)) throw e;
      const said = endpointError(e.body);
      throw new GlidepathError(
        "GP_TARGET_UNREACHABLE",
        `${e.message}${said ? ` (the endpoint said ${said.code}: ${said.message})` : ""}`,
        said?.code === "secret_unavailable"
          ? `create the key's secret in the site's Secrets Manager (see ${DOCS})`
          : "check the site is published and reachable, then run the command again",
      );
    }
    const text = await res.text();
    if (res.ok) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw refused(
          what,
          `HTTP ${res.status} with a body that is not JSON`,
          `deploy the endpoint (see ${DOCS})`,
        );
      }
    }
    const said = endpointError(text);
    const detail = said ? `${said.code}: ${said.message}` : `"${text.slice(0, 200)}"`;
    if (res.status === 401 && said?.code === "stale_request")
      throw new GlidepathError(
        "GP_CREDENTIAL_SCOPE",
        `${what}: key ${keyId} refused for collection ${collection}: the request's time is outside the endpoint's window (HTTP 401 ${detail})`,
        "set this machine's clock right (NTP), then run the command again",
      );
    if (res.status === 401 || res.status === 403)
      throw new GlidepathError(
        "GP_CREDENTIAL_SCOPE",
        `${what}: key ${keyId} refused for collection ${collection} (HTTP ${res.status} ${detail})`,
        `check that the site's sync-config.js gives key ${keyId} collection ${collection} and that ` +
          `WIREDCHAOS_KEY_<DOMAIN> holds the same secret as the site's Secrets Manager (see ${DOCS})`,
      );
    if (res.status === 404)
      throw refused(
        what,
        `HTTP 404: the site serves no sync endpoint there`,
        `deploy backend/http-functions.js and publish the site (see ${DOCS})`,
      );
    throw refused(
      what,
      `HTTP ${res.status} ${detail}`,
      "the endpoint refused the request before writing anything; check the content against the endpoint's rules in " +
        DOCS,
    );
  };

  const parsed = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
    const r = schema.safeParse(value);
    if (!r.success)
      throw refused(
        `wix sync ${what} at ${shown}`,
        `the answer does not have the expected shape (${r.error.issues[0]?.message ?? "invalid"})`,
        `deploy the endpoint's current version (see ${DOCS})`,
      );
    return r.data;
  };

  const checkCollection = (collection: string) => {
    if (!COLLECTION.test(collection))
      throw refused(
        `wix sync ${collection}`,
        `collection ${JSON.stringify(collection)} is not a Wix collection id`,
        "set glidepath:content.sync.domains.<Domain>.collection to the collection's id",
      );
  };

  /** The endpoint's item rules, checked before the first request so no chunk is half-sent. */
  const checkItems = (collection: string, items: SyncItem[]) => {
    const seen = new Set<string>();
    const bad = (m: string) =>
      refused(
        `wix sync upsert ${collection}`,
        m,
        "nothing was sent; fix the items (content fields only; the endpoint sets lastSync and archived)",
      );
    items.forEach((item, i) => {
      if (typeof item._id !== "string" || !ITEM_ID.test(item._id))
        throw bad(`items[${i}]._id ${JSON.stringify(item._id)} does not match ${ITEM_ID}`);
      if (seen.has(item._id)) throw bad(`items[${i}]._id ${item._id} appears twice`);
      seen.add(item._id);
      for (const field of Object.keys(item)) {
        if (field === "_id") continue;
        if (OWNED.has(field)) throw bad(`items[${i}].${field} is set by the endpoint`);
        if (!FIELD.test(field)) throw bad(`items[${i}] has a field named ${JSON.stringify(field)}`);
      }
    });
  };

  /** Items in requests under the body and item limits, in order. */
  const chunks = (collection: string, items: SyncItem[]): SyncItem[][] => {
    const overhead = Buffer.byteLength(JSON.stringify({ op: "upsert", collection, items: [] }), "utf8");
    const out: SyncItem[][] = [];
    let current: SyncItem[] = [];
    let size = overhead;
    for (const item of items) {
      const bytes = Buffer.byteLength(JSON.stringify(item), "utf8");
      if (current.length > 0 && (current.length >= maxItems || size + 1 + bytes > maxBodyBytes)) {
        out.push(current);
        current = [];
        size = overhead;
      }
      size += (current.length > 0 ? 1 : 0) + bytes;
      current.push(item);
    }
    if (current.length > 0) out.push(current);
    return out;
  };

  return {
    async check(collection) {
      checkCollection(collection);
      parsed(okBody, await send("check", collection, {}), `check ${collection}`);
    },
    async upsert(collection, items) {
      checkCollection(collection);
      checkItems(collection, items);
      const results: { _id: string; outcome: UpsertOutcome; lastSync: string }[] = [];
      for (const chunk of chunks(collection, items)) {
        const answer = parsed(
          upsertBody,
          await send("upsert", collection, { items: chunk }),
          `upsert ${collection}`,
        );
        const sent = chunk.map((i) => i._id).join("\n");
        if (answer.results.map((r) => r._id).join("\n") !== sent)
          throw refused(
            `wix sync upsert ${collection} at ${shown}`,
            "the answer's results do not match the items sent",
            `deploy the endpoint's current version (see ${DOCS})`,
          );
        results.push(...answer.results);
      }
      return results;
    },
    async mirror(collection, present) {
      checkCollection(collection);
      const bad = present.find((id) => typeof id !== "string" || !ITEM_ID.test(id));
      if (bad !== undefined)
        throw refused(
          `wix sync mirror ${collection}`,
          `present holds ${JSON.stringify(bad)}, not an item id`,
          "nothing was sent; pass item ids",
        );
      const answer = parsed(
        mirrorBody,
        await send("mirror", collection, { present }),
        `mirror ${collection}`,
      );
      return { archived: answer.archived };
    },
  };
}

/**
 * The sync endpoint's logic (plain ES module, no Wix import): `http-functions.js` passes the
 * real `wix-http-functions`, `wix-data` and the elevated Secrets Manager read; tests and the
 * loopback Wix fake pass stand-ins, so they run this very code.
 *
 * One `POST /_functions/sync` takes a signed JSON body `{op, collection, …}`:
 * - `{"op":"check","collection":C}`: a signed no-op, answers whether the key may write C;
 * - `{"op":"upsert","collection":C,"items":[{_id, …fields}]}`: creates or updates each item, or
 *   leaves it when its fields equal the stored ones (`outcome` created / updated / unchanged);
 * - `{"op":"mirror","collection":C,"present":[ids]}`: marks `archived: true` every item of C
 *   whose `_id` is not in `present` and is not archived already.
 *
 * The endpoint owns two fields of every item: `archived` (false after an upsert, true after a
 * mirror left the item out) and `lastSync`, the time (ISO 8601, UTC) the item's content last
 * changed in Wix: set when the endpoint creates the item, changes a content field, archives or
 * un-archives it; an upsert whose fields equal the stored ones writes nothing and keeps it.
 *
 * Every check comes before any write, in this order:
 * 1. the body: at most `maxBodyBytes`, a JSON object of the shape above → 400 `body_too_large`
 *    / `malformed_body`;
 * 2. `x-wiredchaos-key` present → else 401 `missing_key`; the timestamp, nonce and signature
 *    headers present and well-formed → else 401 `unsigned`;
 * 3. the key id known and the signature verifying with its secret (or, during a rotation, the
 *    secret `<name>_NEXT`) → else 403 `forbidden` (one answer for both, so key ids cannot be
 *    probed); no usable secret on the site → 500 `secret_unavailable`;
 * 4. the timestamp within ±`windowSeconds` of the site's clock → else 401 `stale_request`;
 * 5. the collection one the key may write → else 403 `collection_forbidden`;
 * 6. the nonce not seen before: it is inserted (`_id` = nonce) into the nonce collection, the
 *    first write; an insert that fails because the nonce is there → 409 `replayed_nonce`.
 * A refused request therefore changes nothing, the nonce collection included. Answers are JSON:
 * `{ok: true, …}` or `{error: {code, message}}`; no answer carries a secret.
 */
import {
  canonicalString,
  HEADERS,
  NONCE,
  SIGNATURE,
  sameSignature,
  signatureOf,
  signedPath,
  TIMESTAMP,
} from "./sync-signature.js";

/** The suffix of the secret that is also accepted during a key rotation. */
export const NEXT_SUFFIX = "_NEXT";

/** The fields the endpoint owns; an item sent by a client may not carry them. */
export const OWNED_FIELDS = Object.freeze(["archived", "lastSync"]);

/** The operations. */
export const OPS = Object.freeze(["check", "upsert", "mirror"]);

/** A Wix collection id. */
const COLLECTION = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** An item id. */
const ITEM_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** A content field's name (no `_` system names, no `$` operators). */
const FIELD = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** Expired nonces removed per accepted request, at most. */
const PRUNE_PER_REQUEST = 20;
/** wix-data options: the caller of an HTTP function is an anonymous visitor. */
const READ = Object.freeze({ suppressAuth: true, consistentRead: true });
const WRITE = Object.freeze({ suppressAuth: true });

const JSON_HEADERS = Object.freeze({ "Content-Type": "application/json", "Cache-Control": "no-store" });

class Refusal extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** @param {number} status @param {string} code @param {string} message @returns {never} */
function refuse(status, code, message) {
  throw new Refusal(status, code, message);
}

/** @param {unknown} v */
function isObject(v) {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A header's value; Velo gives lower-case names, other casings are read too.
 *
 * @param {{headers?: Record<string, string>}} request
 * @param {string} name - lower case
 */
function header(request, name) {
  const headers = request.headers ?? {};
  if (typeof headers[name] === "string") return headers[name];
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return String(v);
  return undefined;
}

/**
 * The path the client signed: from `/_functions` on, from the request's URL (or, without one,
 * from its function name and sub-path).
 *
 * @param {{url?: string, functionName?: string, path?: string[] | string}} request
 */
function requestPath(request) {
  if (typeof request.url === "string") {
    try {
      const p = signedPath(new URL(request.url).pathname);
      if (p !== null) return p;
    } catch {
      // not an absolute URL: built below
    }
  }
  const sub = Array.isArray(request.path) ? request.path.join("/") : (request.path ?? "");
  return `/_functions/${request.functionName ?? "sync"}${sub === "" ? "" : `/${sub}`}`;
}

/**
 * The body, checked for size and shape.
 *
 * @param {string} text
 * @param {{maxBodyBytes: number, maxItems: number}} config
 */
function parseBody(text, config) {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > config.maxBodyBytes)
    refuse(400, "body_too_large", `the body is ${bytes} bytes; at most ${config.maxBodyBytes} are accepted`);
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    refuse(400, "malformed_body", "the body is not JSON");
  }
  const bad = (/** @type {string} */ m) => refuse(400, "malformed_body", m);
  if (!isObject(body)) bad("the body must be a JSON object");
  if (!OPS.includes(body.op)) bad(`op must be one of ${OPS.join(", ")}, got ${JSON.stringify(body.op)}`);
  if (typeof body.collection !== "string" || !COLLECTION.test(body.collection))
    bad(`collection must be a Wix collection id, got ${JSON.stringify(body.collection)}`);
  const allowed = {
    check: ["op", "collection"],
    upsert: ["op", "collection", "items"],
    mirror: ["op", "collection", "present"],
  };
  const extra = Object.keys(body).filter((k) => !allowed[body.op].includes(k));
  if (extra.length > 0) bad(`unexpected field(s) for op ${body.op}: ${extra.join(", ")}`);
  if (body.op === "upsert") {
    if (!Array.isArray(body.items)) bad("items must be an array");
    if (body.items.length > config.maxItems)
      bad(`items holds ${body.items.length} items; at most ${config.maxItems} per request`);
    const seen = new Set();
    body.items.forEach((/** @type {unknown} */ item, /** @type {number} */ i) => {
      if (!isObject(item)) bad(`items[${i}] must be an object`);
      if (typeof item._id !== "string" || !ITEM_ID.test(item._id))
        bad(`items[${i}]._id must match ${ITEM_ID}, got ${JSON.stringify(item._id)}`);
      if (seen.has(item._id)) bad(`items[${i}]._id ${item._id} appears twice`);
      seen.add(item._id);
      for (const field of Object.keys(item)) {
        if (field === "_id") continue;
        if (OWNED_FIELDS.includes(field)) bad(`items[${i}].${field} is set by the endpoint; leave it out`);
        if (!FIELD.test(field))
          bad(`items[${i}] has a field named ${JSON.stringify(field)}; names match ${FIELD}`);
      }
    });
  }
  if (body.op === "mirror") {
    if (!Array.isArray(body.present)) bad("present must be an array of item ids");
    body.present.forEach((/** @type {unknown} */ id, /** @type {number} */ i) => {
      if (typeof id !== "string" || !ITEM_ID.test(id))
        bad(`present[${i}] must match ${ITEM_ID}, got ${JSON.stringify(id)}`);
    });
  }
  return body;
}

/**
 * An item's content: its fields without the system fields, the endpoint's own fields, and
 * fields that are null or absent.
 *
 * @param {Record<string, unknown>} item
 */
function contentOf(item) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [k, v] of Object.entries(item)) {
    if (k.startsWith("_") || OWNED_FIELDS.includes(k) || v === null || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

/**
 * JSON with object keys sorted, for comparing values.
 *
 * @param {unknown} v
 * @returns {string}
 */
function canonicalJson(v) {
  if (v instanceof Date) return JSON.stringify(v.toISOString());
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (isObject(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/**
 * The stored fields an update must keep: the item without Wix's system fields other than `_id`.
 *
 * @param {Record<string, unknown>} item
 */
function writable(item) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [k, v] of Object.entries(item)) if (k === "_id" || !k.startsWith("_")) out[k] = v;
  return out;
}

/**
 * Every item of a collection (all pages).
 *
 * @param {any} data - wix-data
 * @param {string} collection
 * @param {object} [filter] - `{hasSome: [field, values]}` to narrow the query
 */
async function allItems(data, collection, filter) {
  let q = data.query(collection);
  if (filter?.hasSome) q = q.hasSome(filter.hasSome[0], filter.hasSome[1]);
  let page = await q.limit(1000).find(READ);
  const items = [...page.items];
  while (page.hasNext()) {
    page = await page.next();
    items.push(...page.items);
  }
  return items;
}

/**
 * @typedef {object} SyncHandlerDeps
 * @property {any} http - `wix-http-functions` (`ok`, `badRequest`, `forbidden`, `serverError`, `response`)
 * @property {any} data - `wix-data` (`get`, `insert`, `update`, `remove`, `query`)
 * @property {(name: string) => Promise<string>} getSecret - a Secrets Manager value by name; rejects when absent
 * @property {() => number} [now] - the clock (ms since the epoch); default `Date.now`
 * @property {import("./sync-config.js").SyncConfig} config - keys, nonce collection, limits
 */

/**
 * The `post_sync` handler.
 *
 * @param {SyncHandlerDeps} deps
 * @returns {(request: any) => Promise<any>}
 */
export function createSyncHandler({ http, data, getSecret, now = Date.now, config }) {
  /** @param {number} status @param {unknown} body */
  const reply = (status, body) => {
    const options = { headers: { ...JSON_HEADERS }, body };
    if (status === 200) return http.ok(options);
    if (status === 400) return http.badRequest(options);
    if (status === 403) return http.forbidden(options);
    if (status === 500) return http.serverError(options);
    return http.response({ status, ...options });
  };

  /** @param {string} name */
  const usableSecret = async (name) => {
    try {
      const value = await getSecret(name);
      return typeof value === "string" && value.length >= config.minSecretLength ? value : null;
    } catch {
      return null;
    }
  };

  /** Steps 2–6 of the module's header: who sent it, and whether it may. */
  const admit = async (request, text, body) => {
    const keyId = header(request, HEADERS.key);
    if (keyId === undefined || keyId.trim() === "")
      refuse(401, "missing_key", `missing ${HEADERS.key} header`);
    const timestamp = header(request, HEADERS.timestamp) ?? "";
    const nonce = header(request, HEADERS.nonce) ?? "";
    const signature = header(request, HEADERS.signature) ?? "";
    if (!TIMESTAMP.test(timestamp))
      refuse(401, "unsigned", `${HEADERS.timestamp} must be the Unix time in seconds`);
    if (!NONCE.test(nonce))
      refuse(401, "unsigned", `${HEADERS.nonce} must be 16-128 characters of A-Z a-z 0-9 _ -`);
    if (!SIGNATURE.test(signature))
      refuse(401, "unsigned", `${HEADERS.signature} must be v1=<64 hex digits>`);

    const denied = "the key is unknown or the signature does not verify";
    const key = Object.hasOwn(config.keys, keyId) ? config.keys[keyId] : undefined;
    if (key === undefined) refuse(403, "forbidden", denied);
    const secrets = (
      await Promise.all([usableSecret(key.secret), usableSecret(`${key.secret}${NEXT_SUFFIX}`)])
    ).filter((s) => s !== null);
    if (secrets.length === 0)
      refuse(
        500,
        "secret_unavailable",
        `the site has no usable secret for key ${keyId}; see the runbook's sync endpoint section`,
      );
    const canonical = canonicalString({
      method: request.method ?? "POST",
      path: requestPath(request),
      timestamp,
      nonce,
      keyId,
      body: text,
    });
    let verified = false;
    for (const secret of secrets)
      verified = sameSignature(signature, signatureOf(canonical, secret)) || verified;
    if (!verified) refuse(403, "forbidden", denied);

    const skew = Math.round(now() / 1000 - Number(timestamp));
    if (Math.abs(skew) > config.windowSeconds)
      refuse(
        401,
        "stale_request",
        `the request's timestamp is ${Math.abs(skew)} s ${skew > 0 ? "behind" : "ahead of"} the site's clock; ` +
          `the window is ±${config.windowSeconds} s (check the sending machine's clock)`,
      );
    if (!key.collections.includes(body.collection))
      refuse(403, "collection_forbidden", `key ${keyId} may not write collection ${body.collection}`);

    const expiresAt = (Number(timestamp) + config.windowSeconds) * 1000;
    try {
      await data.insert(config.nonceCollection, { _id: nonce, keyId, expiresAt }, WRITE);
    } catch {
      const seen = await data.get(config.nonceCollection, nonce, READ).catch(() => null);
      if (seen)
        refuse(409, "replayed_nonce", "this nonce was used before; sign each request with a new nonce");
      refuse(500, "nonce_store_failed", `could not record the nonce in ${config.nonceCollection}`);
    }
    return keyId;
  };

  /** Removes a few expired nonces; a failure is ignored (the next request tries again). */
  const prune = async () => {
    try {
      const page = await data
        .query(config.nonceCollection)
        .lt("expiresAt", now())
        .limit(PRUNE_PER_REQUEST)
        .find(READ);
      for (const item of page.items) await data.remove(config.nonceCollection, item._id, WRITE);
    } catch {
      // best effort
    }
  };

  const upsert = async (collection, items) => {
    const stored = new Map();
    if (items.length > 0) {
      const ids = items.map((i) => i._id);
      for (const s of await allItems(data, collection, { hasSome: ["_id", ids] })) stored.set(s._id, s);
    }
    const at = new Date(now()).toISOString();
    const results = [];
    for (const item of items) {
      const before = stored.get(item._id);
      const next = { ...item, archived: false, lastSync: at };
      try {
        if (before === undefined) {
          await data.insert(collection, next, WRITE);
          results.push({ _id: item._id, outcome: "created", lastSync: at });
        } else if (
          before.archived === false &&
          typeof before.lastSync === "string" &&
          canonicalJson(contentOf(before)) === canonicalJson(contentOf(item))
        ) {
          results.push({ _id: item._id, outcome: "unchanged", lastSync: before.lastSync });
        } else {
          await data.update(collection, next, WRITE);
          results.push({ _id: item._id, outcome: "updated", lastSync: at });
        }
      } catch (e) {
        refuse(
          500,
          "write_failed",
          `wix-data failed on item ${item._id} after ${results.length} of ${items.length} items ` +
            `(${e instanceof Error ? e.message : String(e)}); run the sync again`,
        );
      }
    }
    return { results };
  };

  const mirror = async (collection, present) => {
    const keep = new Set(present);
    const at = new Date(now()).toISOString();
    const gone = (await allItems(data, collection)).filter((i) => i.archived !== true && !keep.has(i._id));
    const archived = [];
    for (const item of gone) {
      try {
        await data.update(collection, { ...writable(item), archived: true, lastSync: at }, WRITE);
      } catch (e) {
        refuse(
          500,
          "write_failed",
          `wix-data failed on item ${item._id} after archiving ${archived.length} of ${gone.length} items ` +
            `(${e instanceof Error ? e.message : String(e)}); run the sync again`,
        );
      }
      archived.push(item._id);
    }
    return { archived };
  };

  return async (request) => {
    try {
      let text;
      try {
        text = request.body ? await request.body.text() : "";
      } catch {
        refuse(400, "malformed_body", "the body could not be read");
      }
      const body = parseBody(text, config);
      const keyId = await admit(request, text, body);
      await prune();
      const base = { ok: true, op: body.op, keyId, collection: body.collection };
      if (body.op === "check") return reply(200, base);
      if (body.op === "upsert")
        return reply(200, { ...base, ...(await upsert(body.collection, body.items)) });
      return reply(200, { ...base, ...(await mirror(body.collection, body.present)) });
    } catch (e) {
      if (e instanceof Refusal) return reply(e.status, { error: { code: e.code, message: e.message } });
      // Site Monitoring shows it; no secret is ever part of an error here.
      console.error("sync endpoint failed", e);
      return reply(500, {
        error: { code: "internal", message: "the sync endpoint failed; see the site's logs" },
      });
    }
  };
}

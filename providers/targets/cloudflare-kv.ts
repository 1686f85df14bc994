/**
 * The Workers KV client of the `cloudflare` target: one namespace of one account, reached through
 * the Cloudflare REST API (`/accounts/{account}/storage/kv/namespaces/{namespace}`) with a Bearer
 * API token.
 *
 * The handful of calls is written with the global `fetch` on purpose, not with the `cloudflare`
 * npm SDK: its 7.x line sends multipart bodies the API rejects, and its 6.x line pulls `node-fetch`
 * 2 and form-data encoders into code Pulumi serializes into state.
 *
 * Runs inside serialized dynamic providers: it uses only globals (`fetch`, `Buffer`,
 * `TextEncoder`), keeps no module-scope state, and never puts the token in an error or a log.
 * Every request goes through {@link fetchWithRetry}: 408, 429 and 5xx answers, timeouts and
 * connection errors are retried (a `Retry-After` is honoured), a bounded number of times.
 */
import { fetchWithRetry, TargetHttpError } from "./http-retry";
import { type CloudflareSpec, CredentialScopeError } from "./specs";

/** One namespace of Workers KV. */
export interface KvClient {
  /**
   * Checks the token before any write: `GET /user/tokens/verify` (401 or not active →
   * CredentialScopeError "token is not valid"), then
   * `GET /accounts/{accountId}/storage/kv/namespaces/{namespaceId}` (401/403/404 →
   * CredentialScopeError naming the account and the namespace).
   */
  verifyScope(): Promise<void>;
  /** A value's raw bytes; undefined when the key is missing (404). A 401/403 on any call is a CredentialScopeError. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Writes one value (`PUT values/{key}`, raw body; a string is sent as UTF-8). */
  put(key: string, value: string | Uint8Array): Promise<void>;
  /** Writes many values (`PUT bulk`, base64), in chunks of at most the bulk chunk size. */
  putMany(entries: { key: string; value: Uint8Array }[]): Promise<void>;
  /** Deletes one value; a missing key is fine. */
  delete(key: string): Promise<void>;
  /** Deletes many values (`POST bulk/delete`), in chunks; missing keys are fine. */
  deleteMany(keys: string[]): Promise<void>;
  /** Every key name starting with `prefix`, across every page of `GET keys`. */
  list(prefix: string): Promise<string[]>;
}

/** Tuning of {@link kvClient}. */
export interface KvClientOptions {
  /** Most pairs (or keys) in one bulk request; the API takes at most 10000. @default 10000 */
  bulkChunkSize?: number;
  /** Most bytes of JSON body in one bulk request; the API takes at most 100 MB. @default 94371840 (90 MiB) */
  bulkChunkBytes?: number;
  /** Page size of key listing (10–1000). @default 1000 */
  listPageSize?: number;
}

/**
 * The API's error entries as `<code> "<message>"`, joined, from an envelope body's text; "" when
 * the text is not an envelope with errors.
 *
 * @param text - a response body
 */
export function envelopeErrors(text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    if (!Array.isArray(body?.errors) || body.errors.length === 0) return "";
    return body.errors
      .map((e) => `${String(e?.code ?? "?")} "${String(e?.message ?? "").slice(0, 200)}"`)
      .join(", ");
  } catch {
    return "";
  }
}

/**
 * Splits `items` into chunks of at most `count` items and (apart from an item larger on its
 * own) at most `bytes` by `size`.
 *
 * @param items - the items, in order
 * @param count - most items per chunk
 * @param bytes - most total size per chunk
 * @param size - an item's size
 */
export function chunkBy<T>(
  items: readonly T[],
  count: number,
  bytes: number,
  size: (item: T) => number,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let total = 0;
  for (const item of items) {
    const s = size(item);
    if (current.length > 0 && (current.length >= count || total + s > bytes)) {
      chunks.push(current);
      current = [];
      total = 0;
    }
    current.push(item);
    total += s;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** What to do about a refused KV request, by status. */
function remedy(status: number, spec: CloudflareSpec): string {
  if (status === 401) return "set CLOUDFLARE_API_TOKEN to a valid, active API token";
  if (status === 403)
    return `give the token "Workers KV Storage: Edit" on account ${spec.accountId} and namespace ${spec.namespaceId}`;
  if (status === 404)
    return `check that glidepath:targets.cloudflare.namespaceId (${spec.namespaceId}) is a KV namespace of account ${spec.accountId}`;
  if (status === 413 || status === 414)
    return "the value or key is larger than Workers KV allows (25 MiB, 512 bytes)";
  return "fix the request and run the command again";
}

/**
 * A client for the stack's KV namespace.
 *
 * @param spec - API URL, account, namespace, token and retries
 * @param options - bulk chunking and page size @default - the defaults of {@link KvClientOptions}
 */
export function kvClient(spec: CloudflareSpec, options: KvClientOptions = {}): KvClient {
  const chunkSize = Math.max(1, Math.min(options.bulkChunkSize ?? 10_000, 10_000));
  const chunkBytes = Math.max(1, options.bulkChunkBytes ?? 90 * 1024 * 1024);
  const pageSize = Math.max(10, Math.min(options.listPageSize ?? 1000, 1000));
  const apiUrl = spec.apiUrl.replace(/\/+$/, "");
  const nsUrl = `${apiUrl}/accounts/${encodeURIComponent(spec.accountId)}/storage/kv/namespaces/${encodeURIComponent(spec.namespaceId)}`;
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${spec.token}` });

  /** Sends a request; resolves with any answer that is not retryable, rejects naming the API's error. */
  const send = async (what: string, url: string, init: RequestInit): Promise<Response> => {
    try {
      return await fetchWithRetry(
        `cloudflare: ${what}`,
        url,
        { ...init, headers: { ...auth(), ...(init.headers as Record<string, string> | undefined) } },
        spec.retry,
      );
    } catch (e) {
      if (!(e instanceof TargetHttpError)) throw e;
      const api = envelopeErrors(e.body);
      throw new TargetHttpError(api ? `${e.message} (API errors: ${api})` : e.message, e.status, e.body);
    }
  };
  /**
   * The error for a refused (non-retryable, non-2xx) answer: a 401 or 403 is the token's scope
   * (CredentialScopeError), anything else an Error naming the operation and the API's error.
   */
  const refused = async (what: string, res: Response): Promise<Error> => {
    const text = await res.text().catch(() => "");
    const api = envelopeErrors(text) || `"${text.slice(0, 200)}"`;
    if (res.status === 401 || res.status === 403)
      return new CredentialScopeError(
        "cloudflare",
        `${what} was refused (HTTP ${res.status} ${api}) for account ${spec.accountId}, KV namespace ` +
          `${spec.namespaceId}: ${remedy(res.status, spec)}`,
      );
    return new Error(`cloudflare: ${what} failed (HTTP ${res.status} ${api}): ${remedy(res.status, spec)}`);
  };
  /** The body of a successful envelope answer. */
  const envelopeOf = async (what: string, res: Response): Promise<unknown> => {
    if (!res.ok) throw await refused(what, res);
    const text = await res.text();
    let body: { success?: unknown; result?: unknown; result_info?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(
        `cloudflare: ${what}: the API answered HTTP ${res.status} without JSON; run the command again`,
      );
    }
    if (body?.success !== true)
      throw new Error(
        `cloudflare: ${what} failed (HTTP ${res.status} ${envelopeErrors(text) || "success:false"})`,
      );
    return body;
  };
  const json = (body: unknown): RequestInit => ({
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  const keyUrl = (key: string): string => `${nsUrl}/values/${encodeURIComponent(key)}`;

  return {
    async verifyScope() {
      const what = "verify the API token";
      const verify = await send(what, `${apiUrl}/user/tokens/verify`, { method: "GET" });
      if (verify.status === 401) {
        const api = envelopeErrors(await verify.text().catch(() => ""));
        throw new CredentialScopeError(
          "cloudflare",
          `token is not valid (HTTP 401${api ? ` ${api}` : ""}); set CLOUDFLARE_API_TOKEN to an active token`,
        );
      }
      const verified = (await envelopeOf(what, verify)) as { result?: { status?: unknown } };
      const status = verified.result?.status;
      if (status !== "active")
        throw new CredentialScopeError(
          "cloudflare",
          `token is not valid (status ${JSON.stringify(status ?? null)}); set CLOUDFLARE_API_TOKEN to an active token`,
        );
      const nsWhat = `read KV namespace ${spec.namespaceId} of account ${spec.accountId}`;
      const ns = await send(nsWhat, nsUrl, { method: "GET" });
      if (ns.status === 401 || ns.status === 403 || ns.status === 404) {
        const api = envelopeErrors(await ns.text().catch(() => ""));
        throw new CredentialScopeError(
          "cloudflare",
          `the token cannot reach KV namespace ${spec.namespaceId} of account ${spec.accountId} ` +
            `(HTTP ${ns.status}${api ? ` ${api}` : ""}); use the stack's own token, or fix ` +
            "glidepath:targets.cloudflare.accountId / namespaceId",
        );
      }
      await envelopeOf(nsWhat, ns);
    },

    async get(key) {
      const what = `GET KV key ${key}`;
      const res = await send(what, keyUrl(key), { method: "GET" });
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      if (!res.ok) throw await refused(what, res);
      return new Uint8Array(await res.arrayBuffer());
    },

    async put(key, value) {
      const what = `PUT KV key ${key}`;
      const body = typeof value === "string" ? new TextEncoder().encode(value) : value;
      const res = await send(what, keyUrl(key), {
        method: "PUT",
        body,
        headers: { "content-type": "application/octet-stream" },
      });
      await envelopeOf(what, res);
    },

    async putMany(entries) {
      const pairs = entries.map((e) => ({
        key: e.key,
        value: Buffer.from(e.value.buffer, e.value.byteOffset, e.value.byteLength).toString("base64"),
        base64: true,
      }));
      const chunks = chunkBy(pairs, chunkSize, chunkBytes, (p) => p.value.length + p.key.length * 6 + 40);
      for (const [i, chunk] of chunks.entries()) {
        const what = `PUT KV bulk (${chunk.length} keys, part ${i + 1} of ${chunks.length}, from ${chunk[0]?.key})`;
        const out = (await envelopeOf(
          what,
          await send(what, `${nsUrl}/bulk`, { method: "PUT", ...json(chunk) }),
        )) as {
          result?: { unsuccessful_keys?: unknown };
        };
        const failed = out.result?.unsuccessful_keys;
        if (Array.isArray(failed) && failed.length > 0)
          throw new Error(
            `cloudflare: ${what}: ${failed.length} keys were not written (${failed.slice(0, 5).join(", ")}); ` +
              "run the command again",
          );
      }
    },

    async delete(key) {
      const what = `DELETE KV key ${key}`;
      const res = await send(what, keyUrl(key), { method: "DELETE" });
      if (res.status === 404) {
        await res.body?.cancel();
        return;
      }
      await envelopeOf(what, res);
    },

    async deleteMany(keys) {
      const chunks = chunkBy(keys, chunkSize, chunkBytes, (k) => k.length * 6 + 3);
      for (const [i, chunk] of chunks.entries()) {
        const what = `POST KV bulk/delete (${chunk.length} keys, part ${i + 1} of ${chunks.length}, from ${chunk[0]})`;
        await envelopeOf(what, await send(what, `${nsUrl}/bulk/delete`, { method: "POST", ...json(chunk) }));
      }
    },

    async list(prefix) {
      const names: string[] = [];
      let cursor = "";
      for (let page = 1; ; page++) {
        const what = `list KV keys with prefix ${JSON.stringify(prefix)} (page ${page})`;
        const q = new URLSearchParams({ prefix, limit: String(pageSize) });
        if (cursor !== "") q.set("cursor", cursor);
        const out = (await envelopeOf(what, await send(what, `${nsUrl}/keys?${q}`, { method: "GET" }))) as {
          result?: { name?: unknown }[];
          result_info?: { cursor?: unknown };
        };
        if (!Array.isArray(out.result))
          throw new Error(`cloudflare: ${what}: the API's answer has no key list; run the command again`);
        for (const k of out.result) if (typeof k?.name === "string") names.push(k.name);
        const next = out.result_info?.cursor;
        if (typeof next !== "string" || next === "" || next === cursor) return names;
        cursor = next;
      }
    },
  };
}

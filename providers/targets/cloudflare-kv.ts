/**
 * The few Workers KV calls glidepath makes, through the Cloudflare REST API v4 with `fetch`
 * (not the `cloudflare` SDK: 7.x breaks multipart uploads, and 6.x brings node-fetch 2 into
 * provider code that Pulumi serializes into state). Every call goes through `fetchWithRetry`.
 * Runs inside serialized providers: globals only, no module-scope state.
 */
import { fetchWithRetry, TargetHttpError } from "./http-retry";
import { type CloudflareSpec, CredentialScopeError } from "./specs";

/** A Workers KV namespace of one account. */
export interface KvClient {
  /** Token verification, then a read of the stack's namespace; throws `CredentialScopeError`. */
  verifyScope(): Promise<void>;
  /** A value's raw bytes; undefined when the key is missing. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Writes a value (raw body). */
  put(key: string, value: string | Uint8Array): Promise<void>;
  /** Writes many values (bulk, base64), in chunks. */
  putMany(entries: { key: string; value: Uint8Array }[], chunk?: number): Promise<void>;
  /** Deletes a key; a missing one is fine. */
  delete(key: string): Promise<void>;
  /** Deletes many keys (bulk), in chunks. */
  deleteMany(keys: string[], chunk?: number): Promise<void>;
  /** Every key name under a prefix, across pages. */
  list(prefix: string): Promise<string[]>;
}

/** The Cloudflare envelope's errors, as text (code and message), for an error message. */
async function envelopeErrors(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { errors?: { code?: number; message?: string }[] };
    const errors = (body.errors ?? []).map((e) => `${e.code ?? "?"} ${e.message ?? ""}`.trim());
    return errors.length > 0 ? errors.join("; ") : text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

/**
 * A client for the spec's namespace.
 *
 * @param spec - API URL, account, namespace, token
 */
export function kvClient(spec: CloudflareSpec): KvClient {
  const base = `${spec.apiUrl.replace(/\/+$/, "")}/accounts/${encodeURIComponent(spec.accountId)}/storage/kv/namespaces/${encodeURIComponent(spec.namespaceId)}`;
  const auth = { authorization: `Bearer ${spec.token}` };
  const call = (what: string, url: string, init: RequestInit = {}) =>
    fetchWithRetry(
      `cloudflare: ${what}`,
      url,
      { ...init, headers: { ...auth, ...(init.headers ?? {}) } },
      spec.retry,
    );
  const fail = async (what: string, res: Response): Promise<never> => {
    const errors = await envelopeErrors(res);
    if (res.status === 401 || res.status === 403) {
      throw new CredentialScopeError(
        "cloudflare",
        `${what} was refused (HTTP ${res.status}: ${errors}) for account ${spec.accountId}, KV namespace ${spec.namespaceId}`,
      );
    }
    throw new TargetHttpError(
      `cloudflare: ${what} failed (HTTP ${res.status}: ${errors}); check the namespace and the token's permissions, then run the update again`,
      res.status,
      errors,
    );
  };
  const valueUrl = (key: string) => `${base}/values/${encodeURIComponent(key)}`;
  const chunks = <T>(items: T[], size: number): T[][] =>
    Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
  return {
    async verifyScope() {
      const verify = await call(
        "verify the API token",
        `${spec.apiUrl.replace(/\/+$/, "")}/user/tokens/verify`,
      );
      if (!verify.ok) {
        await verify.body?.cancel();
        throw new CredentialScopeError("cloudflare", `the API token is not valid (HTTP ${verify.status})`);
      }
      const status = ((await verify.json().catch(() => ({}))) as { result?: { status?: string } }).result
        ?.status;
      if (status !== undefined && status !== "active") {
        throw new CredentialScopeError("cloudflare", `the API token is ${status}, not active`);
      }
      const ns = await call("read the KV namespace", base);
      if (ns.status === 401 || ns.status === 403 || ns.status === 404) {
        const errors = await envelopeErrors(ns);
        throw new CredentialScopeError(
          "cloudflare",
          `the token cannot reach account ${spec.accountId}, KV namespace ${spec.namespaceId} (HTTP ${ns.status}: ${errors})`,
        );
      }
      if (!ns.ok) return fail("read the KV namespace", ns);
      await ns.body?.cancel();
    },
    async get(key) {
      const res = await call(`GET KV key ${key}`, valueUrl(key));
      if (res.status === 404) {
        await res.body?.cancel();
        return undefined;
      }
      if (!res.ok) return fail(`GET KV key ${key}`, res);
      return new Uint8Array(await res.arrayBuffer());
    },
    async put(key, value) {
      const body = typeof value === "string" ? value : Buffer.from(value);
      const res = await call(`PUT KV key ${key}`, valueUrl(key), {
        method: "PUT",
        headers: { "content-type": "application/octet-stream" },
        body,
      });
      if (!res.ok) return fail(`PUT KV key ${key}`, res);
      await res.body?.cancel();
    },
    async putMany(entries, chunk = 10_000) {
      for (const part of chunks(entries, chunk)) {
        const body = JSON.stringify(
          part.map((e) => ({ key: e.key, value: Buffer.from(e.value).toString("base64"), base64: true })),
        );
        const res = await call(`bulk PUT of ${part.length} KV keys`, `${base}/bulk`, {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body,
        });
        if (!res.ok) return fail(`bulk PUT of ${part.length} KV keys`, res);
        const result = ((await res.json().catch(() => ({}))) as { result?: { unsuccessful_keys?: string[] } })
          .result;
        if ((result?.unsuccessful_keys ?? []).length > 0) {
          throw new TargetHttpError(
            `cloudflare: bulk PUT left ${result?.unsuccessful_keys?.length} keys unwritten (${result?.unsuccessful_keys?.slice(0, 3).join(", ")}); run the update again`,
            res.status,
            "",
          );
        }
      }
    },
    async delete(key) {
      const res = await call(`DELETE KV key ${key}`, valueUrl(key), { method: "DELETE" });
      if (res.status === 404) {
        await res.body?.cancel();
        return;
      }
      if (!res.ok) return fail(`DELETE KV key ${key}`, res);
      await res.body?.cancel();
    },
    async deleteMany(keys, chunk = 10_000) {
      for (const part of chunks(keys, chunk)) {
        const res = await call(`bulk DELETE of ${part.length} KV keys`, `${base}/bulk/delete`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(part),
        });
        if (!res.ok) return fail(`bulk DELETE of ${part.length} KV keys`, res);
        await res.body?.cancel();
      }
    },
    async list(prefix) {
      const names: string[] = [];
      let cursor = "";
      for (let page = 0; page < 10_000; page++) {
        const q = new URLSearchParams({ prefix, limit: "1000" });
        if (cursor !== "") q.set("cursor", cursor);
        const res = await call(`list KV keys under ${prefix}`, `${base}/keys?${q}`);
        if (!res.ok) return fail(`list KV keys under ${prefix}`, res);
        const body = (await res.json()) as { result?: { name: string }[]; result_info?: { cursor?: string } };
        for (const k of body.result ?? []) names.push(k.name);
        const next = body.result_info?.cursor ?? "";
        if (next === "" || next === cursor || (body.result ?? []).length === 0) return names;
        cursor = next;
      }
      return names;
    },
  };
}

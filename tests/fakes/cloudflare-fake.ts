/**
 * A loopback fake of the Cloudflare API (`/client/v4`), written from its public documentation,
 * for the parts glidepath uses: token verify, Workers KV (namespaces, values, bulk writes and
 * deletes, key listing) and the Worker script upload.
 *
 * - Every JSON route answers the API's envelope `{success, errors, messages, result}`; a failure
 *   is `success:false` with `errors:[{code, message}]`. A KV value GET answers the raw bytes.
 * - A request without a Bearer token, or with a token the fake does not know (or an inactive
 *   one), is 401 code 10000; an account or namespace outside the token's scope is 403 code 10000.
 * - Codes the documentation names are used as named (10000 authentication, 10021 validation);
 *   for the rest (a missing key 10009, a missing namespace 10013, the fake's own placeholders for
 *   limits and injected faults) the real code is not documented and the fake's is only a stand-in.
 * - Every write (PUT/POST/DELETE other than reads sent as POST) is logged with the token's scope
 *   name and the account/namespace it addressed, refused writes included.
 * - KV is eventually consistent: the API sees a write at once, the "edge view" only after
 *   `visibilityDelayMs`, when `onVisible` is called (the edge harness copies the value into its
 *   own KV binding). Visibility events fire one at a time, in write order.
 */
import { randomBytes, randomUUID } from "node:crypto";
import {
  type FakeRequest,
  type FakeResponse,
  type FakeServer,
  startFake,
  type WriteRecord,
} from "./fake-http";

/** What a token may reach. */
export interface CloudflareToken {
  /** The fake's name for the token's scope, recorded in the write log (never the token). */
  scope: string;
  /** The one account the token belongs to. */
  accountId: string;
  /** The KV namespaces it may read and write (namespaces it creates are added). */
  namespaceIds: string[];
  /** The token's status as `/user/tokens/verify` reports it. @default "active" */
  status?: "active" | "disabled" | "expired";
}

/** Options of {@link startCloudflareFake}. */
export interface CloudflareFakeOptions {
  /** Tokens by their secret value. Every namespace a token names exists in its account. */
  tokens: Record<string, CloudflareToken>;
  /** How long a KV write takes to reach the edge view (ms). @default 0 */
  visibilityDelayMs?: number;
  /**
   * Called when a KV write reaches the edge view: the new bytes, or null for a delete. Awaited
   * before the next event. @default - none
   */
  onVisible?: (namespaceId: string, key: string, bytes: Buffer | null) => void | Promise<void>;
}

/** One module part of an uploaded Worker script. */
export interface ScriptModule {
  name: string;
  contentType: string;
  bytes: Buffer;
}

/** An uploaded Worker script. */
export interface UploadedScript {
  /** The `metadata` part, parsed. */
  metadata: Record<string, unknown>;
  /** The module parts by name. */
  modules: Map<string, ScriptModule>;
  etag: string;
}

/** A running Cloudflare fake. */
export interface CloudflareFake extends FakeServer {
  /** `${url}/client/v4`, the API base URL a client is given. */
  apiUrl: string;
  /** The API's view of a namespace (live: reads see writes at once). Unknown → empty map. */
  kv(namespaceId: string): Map<string, Buffer>;
  /** The edge's view of a namespace: writes arrive after `visibilityDelayMs`. */
  edgeKv(namespaceId: string): Map<string, Buffer>;
  /** A hand edit (drift): no write log entry; the edge sees it at once (`onVisible` is called). */
  editKv(namespaceId: string, key: string, value: string | Uint8Array | null): Promise<void>;
  /** Resolves when every pending visibility event has fired (rejects with an `onVisible` error). */
  settled(): Promise<void>;
  /** The Worker scripts uploaded to an account, by name. */
  scripts(accountId: string): Map<string, UploadedScript>;
}

/** Most pairs a bulk write or delete takes. */
export const KV_BULK_LIMIT = 10_000;

interface Namespace {
  id: string;
  accountId: string;
  title: string;
  data: Map<string, Buffer>;
  edge: Map<string, Buffer>;
}

const API = "/client/v4";

function envelope(result: unknown, resultInfo?: Record<string, unknown>): Record<string, unknown> {
  return {
    success: true,
    errors: [],
    messages: [],
    result,
    ...(resultInfo ? { result_info: resultInfo } : {}),
  };
}

function failure(status: number, code: number, message: string): FakeResponse {
  return { status, body: { success: false, errors: [{ code, message }], messages: [], result: null } };
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) };
  } catch {
    return { ok: false };
  }
}

/** The parts of a multipart/form-data body, through the platform's own parser. */
async function formParts(
  req: FakeRequest,
): Promise<Map<string, { filename?: string; type: string; bytes: Buffer }>> {
  const form = await new Request("http://fake/", {
    method: "POST",
    headers: { "content-type": req.headers["content-type"] ?? "" },
    body: req.body,
  }).formData();
  const parts = new Map<string, { filename?: string; type: string; bytes: Buffer }>();
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") parts.set(name, { type: "text/plain", bytes: Buffer.from(value, "utf8") });
    else
      parts.set(name, {
        filename: value.name,
        type: value.type,
        bytes: Buffer.from(await value.arrayBuffer()),
      });
  }
  return parts;
}

function isMultipart(req: FakeRequest): boolean {
  return (req.headers["content-type"] ?? "").toLowerCase().startsWith("multipart/form-data");
}

function sortedKeys(map: Map<string, Buffer>): string[] {
  return [...map.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/**
 * Starts the fake on 127.0.0.1 with a free port.
 *
 * @param opts - tokens, visibility delay and callback
 */
export async function startCloudflareFake(opts: CloudflareFakeOptions): Promise<CloudflareFake> {
  const tokens = new Map(
    Object.entries(opts.tokens).map(([secret, t]) => [secret, { ...t, namespaceIds: [...t.namespaceIds] }]),
  );
  const namespaces = new Map<string, Namespace>();
  for (const t of tokens.values())
    for (const id of t.namespaceIds)
      if (!namespaces.has(id))
        namespaces.set(id, { id, accountId: t.accountId, title: id, data: new Map(), edge: new Map() });
  const scripts = new Map<string, Map<string, UploadedScript>>();
  const delay = opts.visibilityDelayMs ?? 0;
  const timers = new Set<NodeJS.Timeout>();
  let queue: Promise<void> = Promise.resolve();
  let pending = 0;
  let waiters: (() => void)[] = [];
  let visibilityError: unknown;

  const reach = (ns: Namespace, key: string, bytes: Buffer | null): Promise<void> => {
    queue = queue.then(async () => {
      if (bytes === null) ns.edge.delete(key);
      else ns.edge.set(key, bytes);
      try {
        await opts.onVisible?.(ns.id, key, bytes);
      } catch (e) {
        visibilityError ??= e;
      }
    });
    return queue;
  };
  const done = (): void => {
    pending -= 1;
    if (pending === 0) {
      for (const w of waiters) w();
      waiters = [];
    }
  };
  /** A write through the API: seen by the API now, by the edge after the delay. */
  const applyWrite = (ns: Namespace, key: string, bytes: Buffer | null): void => {
    if (bytes === null) ns.data.delete(key);
    else ns.data.set(key, bytes);
    pending += 1;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void reach(ns, key, bytes).then(done);
    }, delay);
    timers.add(timer);
  };

  type Auth = { ok: true; token: CloudflareToken } | { ok: false; scope: string; res: FakeResponse };
  const authenticate = (req: FakeRequest): Auth => {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    if (!m?.[1]) return { ok: false, scope: "none", res: failure(401, 10000, "Authentication error") };
    const token = tokens.get(m[1]);
    if (!token) return { ok: false, scope: "unknown", res: failure(401, 10000, "Authentication error") };
    return { ok: true, token };
  };

  const handle = async (req: FakeRequest, log: (w: WriteRecord) => void): Promise<FakeResponse> => {
    if (!req.path.startsWith(`${API}/`)) return failure(404, 7000, "No route for that URI");
    const segs = req.path
      .slice(API.length + 1)
      .split("/")
      .map((s) => decodeURIComponent(s));
    const isWrite =
      req.method !== "GET" && req.method !== "HEAD" && !(req.method === "POST" && segs.at(-1) === "get");
    const auth = authenticate(req);
    const record = (targetScope: string, applied: boolean): void => {
      if (isWrite)
        log({
          method: req.method,
          path: req.path,
          credentialScope: auth.ok ? auth.token.scope : auth.scope,
          targetScope,
          applied,
        });
    };

    // GET /user/tokens/verify
    if (segs.join("/") === "user/tokens/verify" && req.method === "GET") {
      if (!auth.ok) return auth.res;
      const status = auth.token.status ?? "active";
      if (status !== "active") return failure(401, 10000, "Authentication error");
      return { status: 200, body: envelope({ id: auth.token.scope, status }) };
    }

    if (segs[0] !== "accounts" || segs.length < 2) return failure(404, 7000, "No route for that URI");
    const accountId = segs[1] ?? "";
    const rest = segs.slice(2);
    const scopeOf = rest[0] === "storage" && rest[3] ? `${accountId}/${rest[3]}` : accountId;
    if (!auth.ok) {
      record(scopeOf, false);
      return auth.res;
    }
    const token = auth.token;
    if ((token.status ?? "active") !== "active") {
      record(scopeOf, false);
      return failure(401, 10000, "Authentication error");
    }
    if (token.accountId !== accountId) {
      record(scopeOf, false);
      return failure(403, 10000, "Authentication error");
    }

    // Worker scripts: PUT /accounts/{a}/workers/scripts/{name}
    if (rest[0] === "workers" && rest[1] === "scripts" && rest.length === 3 && req.method === "PUT") {
      const name = rest[2] ?? "";
      const target = `${accountId}/workers/${name}`;
      const refuse = (code: number, message: string): FakeResponse => {
        record(target, false);
        return failure(400, code, message);
      };
      if (!isMultipart(req)) return refuse(10021, "Expected a multipart/form-data body");
      let parts: Awaited<ReturnType<typeof formParts>>;
      try {
        parts = await formParts(req);
      } catch {
        return refuse(10021, "could not parse the multipart body");
      }
      const metaPart = parts.get("metadata");
      const meta = metaPart ? parseJson(metaPart.bytes) : { ok: false as const };
      if (!meta.ok || typeof meta.value !== "object" || meta.value === null || Array.isArray(meta.value))
        return refuse(10021, "could not read content for part metadata");
      const metadata = meta.value as Record<string, unknown>;
      const modules = new Map<string, ScriptModule>();
      for (const [partName, p] of parts)
        if (partName !== "metadata")
          modules.set(partName, { name: p.filename ?? partName, contentType: p.type, bytes: p.bytes });
      const main = metadata.main_module;
      const named =
        typeof main === "string" && [...modules.entries()].some(([n, m]) => n === main || m.name === main);
      if (!named)
        return refuse(
          10021,
          `No such module: ${typeof main === "string" ? main : "(main_module is missing)"}`,
        );
      for (const b of Array.isArray(metadata.bindings) ? metadata.bindings : []) {
        const binding = b as { type?: unknown; namespace_id?: unknown; name?: unknown };
        if (binding.type !== "kv_namespace") continue;
        const ns = namespaces.get(String(binding.namespace_id));
        if (!ns || ns.accountId !== accountId)
          return refuse(10021, `KV namespace '${String(binding.namespace_id)}' not found`);
      }
      const etag = randomBytes(16).toString("hex");
      const byName = scripts.get(accountId) ?? new Map<string, UploadedScript>();
      scripts.set(accountId, byName);
      byName.set(name, { metadata, modules, etag });
      record(target, true);
      const now = new Date().toISOString();
      return { status: 200, body: envelope({ id: name, etag, created_on: now, modified_on: now }) };
    }

    if (rest[0] !== "storage" || rest[1] !== "kv" || rest[2] !== "namespaces")
      return failure(404, 7000, "No route for that URI");

    // Namespaces: GET list, POST create
    if (rest.length === 3) {
      if (req.method === "GET") {
        const visible = [...namespaces.values()].filter(
          (n) => n.accountId === accountId && token.namespaceIds.includes(n.id),
        );
        const page = Math.max(1, Number(req.query.get("page") ?? 1) || 1);
        const perPage = Math.min(100, Math.max(5, Number(req.query.get("per_page") ?? 20) || 20));
        const slice = visible.slice((page - 1) * perPage, page * perPage);
        return {
          status: 200,
          body: envelope(
            slice.map((n) => ({ id: n.id, title: n.title, supports_url_encoding: true })),
            {
              page,
              per_page: perPage,
              count: slice.length,
              total_count: visible.length,
              total_pages: Math.ceil(visible.length / perPage),
            },
          ),
        };
      }
      if (req.method === "POST") {
        const parsed = parseJson(req.body);
        const title = parsed.ok ? (parsed.value as { title?: unknown })?.title : undefined;
        if (typeof title !== "string" || title === "") {
          record(accountId, false);
          return failure(400, 10019, "create namespace: 'title' is required");
        }
        if ([...namespaces.values()].some((n) => n.accountId === accountId && n.title === title)) {
          record(accountId, false);
          return failure(
            400,
            10014,
            "create namespace: 'a namespace with this account ID and title already exists'",
          );
        }
        const id = randomUUID().replaceAll("-", "");
        namespaces.set(id, { id, accountId, title, data: new Map(), edge: new Map() });
        token.namespaceIds.push(id);
        record(accountId, true);
        return { status: 200, body: envelope({ id, title, supports_url_encoding: true }) };
      }
      return failure(405, 10000, "Method not allowed");
    }

    const nsId = rest[3] ?? "";
    const target = `${accountId}/${nsId}`;
    if (!token.namespaceIds.includes(nsId)) {
      record(target, false);
      return failure(403, 10000, "Authentication error");
    }
    const ns = namespaces.get(nsId);
    if (!ns || ns.accountId !== accountId) {
      record(target, false);
      return failure(404, 10013, "namespace not found");
    }
    const sub = rest.slice(4);

    if (sub.length === 0 && req.method === "GET")
      return { status: 200, body: envelope({ id: ns.id, title: ns.title, supports_url_encoding: true }) };

    // Values
    if (sub[0] === "values" && sub.length === 2) {
      const key = sub[1] ?? "";
      if (req.method === "GET") {
        const v = ns.data.get(key);
        return v === undefined ? failure(404, 10009, "get: 'key not found'") : { status: 200, body: v };
      }
      if (req.method === "PUT") {
        if (Buffer.byteLength(key) > 512) {
          record(target, false);
          return failure(414, 10033, "put: 'key name too long'");
        }
        let bytes = req.body;
        if (isMultipart(req)) {
          const value = (await formParts(req)).get("value");
          if (!value) {
            record(target, false);
            return failure(400, 10021, "put: 'the value part is missing'");
          }
          bytes = value.bytes;
        }
        applyWrite(ns, key, Buffer.from(bytes));
        record(target, true);
        return { status: 200, body: envelope({}) };
      }
      if (req.method === "DELETE") {
        applyWrite(ns, key, null);
        record(target, true);
        return { status: 200, body: envelope({}) };
      }
    }

    // Bulk write: PUT bulk [{key, value, base64?}]
    if (sub[0] === "bulk" && sub.length === 1 && req.method === "PUT") {
      const parsed = parseJson(req.body);
      if (!parsed.ok || !Array.isArray(parsed.value)) {
        record(target, false);
        return failure(400, 10021, "bulk write: the body must be a JSON array");
      }
      if (parsed.value.length > KV_BULK_LIMIT) {
        record(target, false);
        return failure(400, 10021, `bulk write: at most ${KV_BULK_LIMIT} pairs per request`);
      }
      const pairs: { key: string; bytes: Buffer }[] = [];
      for (const p of parsed.value as { key?: unknown; value?: unknown; base64?: unknown }[]) {
        if (typeof p?.key !== "string" || typeof p.value !== "string") {
          record(target, false);
          return failure(400, 10021, "bulk write: every pair needs a string key and a string value");
        }
        pairs.push({
          key: p.key,
          bytes: p.base64 === true ? Buffer.from(p.value, "base64") : Buffer.from(p.value, "utf8"),
        });
      }
      for (const p of pairs) applyWrite(ns, p.key, p.bytes);
      record(target, true);
      return { status: 200, body: envelope({ successful_key_count: pairs.length, unsuccessful_keys: [] }) };
    }

    // Bulk delete: POST bulk/delete ["key", …]
    if (sub[0] === "bulk" && sub[1] === "delete" && sub.length === 2 && req.method === "POST") {
      const parsed = parseJson(req.body);
      if (!parsed.ok || !Array.isArray(parsed.value) || parsed.value.some((k) => typeof k !== "string")) {
        record(target, false);
        return failure(400, 10021, "bulk delete: the body must be a JSON array of key names");
      }
      if (parsed.value.length > KV_BULK_LIMIT) {
        record(target, false);
        return failure(400, 10021, `bulk delete: at most ${KV_BULK_LIMIT} keys per request`);
      }
      for (const k of parsed.value as string[]) applyWrite(ns, k, null);
      record(target, true);
      return {
        status: 200,
        body: envelope({ successful_key_count: parsed.value.length, unsuccessful_keys: [] }),
      };
    }

    // Keys: GET keys?prefix=&cursor=&limit=
    if (sub[0] === "keys" && sub.length === 1 && req.method === "GET") {
      const limit = Number(req.query.get("limit") ?? 1000);
      if (!Number.isInteger(limit) || limit < 10 || limit > 1000)
        return failure(400, 10021, "list keys: 'limit' must be between 10 and 1000");
      const prefix = req.query.get("prefix") ?? "";
      const cursor = req.query.get("cursor") ?? "";
      const after = cursor === "" ? undefined : Buffer.from(cursor, "base64url").toString("utf8");
      const names = sortedKeys(ns.data).filter(
        (k) =>
          k.startsWith(prefix) &&
          (after === undefined || Buffer.compare(Buffer.from(k), Buffer.from(after)) > 0),
      );
      const page = names.slice(0, limit);
      const more = names.length > limit;
      const last = page.at(-1);
      return {
        status: 200,
        body: envelope(
          page.map((name) => ({ name })),
          {
            count: page.length,
            cursor: more && last !== undefined ? Buffer.from(last, "utf8").toString("base64url") : "",
          },
        ),
      };
    }

    return failure(404, 7000, "No route for that URI");
  };

  const server = await startFake({
    handle,
    errorBody: (status, message) => ({
      success: false,
      errors: [{ code: status, message }],
      messages: [],
      result: null,
    }),
  });

  const nsOf = (id: string): Namespace | undefined => namespaces.get(id);
  return {
    ...server,
    requests: server.requests,
    writes: server.writes,
    apiUrl: `${server.url}${API}`,
    kv: (id) => nsOf(id)?.data ?? new Map(),
    edgeKv: (id) => nsOf(id)?.edge ?? new Map(),
    async editKv(id, key, value) {
      const ns = nsOf(id);
      if (!ns) throw new Error(`cloudflare fake: no namespace ${id}`);
      const bytes = value === null ? null : Buffer.from(value);
      if (bytes === null) ns.data.delete(key);
      else ns.data.set(key, bytes);
      await reach(ns, key, bytes);
    },
    settled() {
      const finish = async (): Promise<void> => {
        await queue;
        if (visibilityError !== undefined) throw visibilityError;
      };
      if (pending === 0) return finish();
      return new Promise<void>((resolve) => waiters.push(resolve)).then(finish);
    },
    scripts: (accountId) => scripts.get(accountId) ?? new Map(),
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await server.close();
    },
  };
}

/**
 * The edge router: the Worker module that would run on Cloudflare in production, run locally
 * by `glidepath edge` on workerd. Each request under `/<app>/` goes to the app's stable or
 * canary release by the route's weight, sticky per visitor (the `gp_visitor` cookie, or the
 * `x-glidepath-visitor` header, hashed into a bucket 0–99); the `CanaryEnabled` flag gates the
 * canary and every flag of the app reaches its pages in `x-glidepath-flags`; each response
 * names the release that served it (`x-glidepath-release`) and the route it followed
 * (`x-glidepath-route-revision`, when the route has a revision). A release whose route names an
 * `origin` is proxied to that origin (`origin-proxy.ts`) instead of served from the store. Every app
 * request's outcome is recorded per release, and `/_glidepath/slo` and `/_glidepath/status`
 * expose the SLO; `/_glidepath/metrics` exposes request counters and a latency histogram in the
 * Prometheus text format (read-only like the SLO endpoints, so without a key);
 * `/_glidepath/admin/*` needs the `x-wiredchaos-key` header. `/_glidepath/did-key.js` serves the
 * did:key bootstrap derivation (`did-key-derive.ts`) as an ES module for pages.
 *
 * Bindings: the store — `EDGE_KV` (Workers KV, on Cloudflare) or else `DISK` (the `local`
 * target's root); both hold routes/, flags/, releases/ (`store.ts`) — `HOST` (optional: the
 * host's timeline), `ADMIN_KEY`, `APPS` (comma-separated), `LATENCY_OBJECTIVE_MS`,
 * `MIN_REQUESTS`, `MIN_SCORE`, `STACK`, `ROUTE_TTL_MS` (optional: how long a route read is
 * kept, default 200).
 */
import { ADMIN_HEADER, keyMatches } from "./admin.js";
import { bucketOf, isRoute, pickSide, type ReleaseRef, type Route, releaseKey, type Side } from "./bucket.js";
import { contentType, releaseFile } from "./content.js";
import { didKeyModuleSource } from "./did-key-derive.js";
import { EdgeCounters, EXPOSITION_CONTENT_TYPE } from "./exposition.js";
import { FileCache } from "./file-cache.js";
import { type FlagValue, flagsHeader, flagValue } from "./flags.js";
import { isGood, type Outcome, OutcomeStore, summarize } from "./metrics.js";
import { fromOrigin } from "./origin-proxy.js";
import type { FileRead } from "./release-files.js";
import { type EdgeStore, type Fetcher, type StoreBindings, storeFor } from "./store.js";

/** The Worker's bindings. */
export interface Env extends StoreBindings {
  HOST?: Fetcher;
  ADMIN_KEY: string;
  APPS: string;
  STACK: string;
  LATENCY_OBJECTIVE_MS: string;
  MIN_REQUESTS: string;
  MIN_SCORE: string;
  ROUTE_TTL_MS?: string;
}

const recorded = new OutcomeStore();
const counters = new EdgeCounters();
const files = new FileCache();
/** How long a route read is kept by default (ms). */
const ROUTE_TTL_MS = 200;
/** An app's route and flags as last read. */
interface RouteEntry {
  route: Route | null;
  flags: Record<string, FlagValue>;
  /** `x-glidepath-flags`, built once per read. */
  flagText: string;
}
/** Per app: when the last read started and its result (shared by the requests that wait for it). */
const routes = new Map<string, { at: number; entry: Promise<RouteEntry> }>();
const VISITOR_COOKIE = "gp_visitor";
const VISITOR = /^[A-Za-z0-9_-]{1,64}$/;

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify(body)}\n`, {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  });
}

function numberVar(text: string, fallback: number): number {
  const n = Number(text);
  return Number.isFinite(n) ? n : fallback;
}

/** The bindings as values, parsed once per isolate (they are fixed for its life). */
interface Settings {
  apps: ReadonlySet<string>;
  latencyObjectiveMs: number;
  minRequests: number;
  minScore: number;
  routeTtlMs: number;
  /** Undefined when the Worker has no store binding. */
  store: EdgeStore | undefined;
}
let settings: { from: Env; value: Settings } | undefined;

function settingsOf(env: Env): Settings {
  if (settings?.from !== env) {
    settings = {
      from: env,
      value: {
        apps: new Set(env.APPS.split(",")),
        latencyObjectiveMs: numberVar(env.LATENCY_OBJECTIVE_MS, 500),
        minRequests: numberVar(env.MIN_REQUESTS, 20),
        minScore: numberVar(env.MIN_SCORE, 99),
        routeTtlMs:
          env.ROUTE_TTL_MS === undefined
            ? ROUTE_TTL_MS
            : Math.max(0, numberVar(env.ROUTE_TTL_MS, ROUTE_TTL_MS)),
        store: storeFor(env, files),
      },
    };
  }
  return settings.value;
}

/** The SLO figures of some outcomes, judged by the host's objective and traffic guard. */
function figuresOf(env: Env, outcomes: readonly Outcome[]) {
  const { latencyObjectiveMs, minRequests } = settingsOf(env);
  return summarize(outcomes, latencyObjectiveMs, minRequests);
}

/** The store; the fetch handler answers 500 before anything reads a Worker without one. */
function storeOf(env: Env): EdgeStore {
  return settingsOf(env).store as EdgeStore;
}

/**
 * The app's route and flags, re-read at most every `ROUTE_TTL_MS` (default {@link ROUTE_TTL_MS}), one read at a time;
 * `reread` starts a read now whatever the cache holds (after a release miss).
 */
async function routeOf(env: Env, app: string, now: number, reread = false): Promise<RouteEntry> {
  const cached = routes.get(app);
  if (cached && !reread && now - cached.at < settingsOf(env).routeTtlMs) return cached.entry;
  // A read that fails (the store erring while the target replaces files) keeps the
  // last good route rather than failing requests; without one it fails, and is not kept.
  const previous = cached?.entry;
  const entry = readRoute(env, app).catch((e: unknown) => {
    if (previous !== undefined) return previous;
    throw e;
  });
  const slot = { at: now, entry };
  routes.set(app, slot);
  entry.catch(() => {
    if (routes.get(app) === slot) routes.delete(app);
  });
  return entry;
}

async function readRoute(env: Env, app: string): Promise<RouteEntry> {
  const store = storeOf(env);
  const [route, keys] = await Promise.all([store.readJson(`routes/${app}.json`), store.flagKeys(app)]);
  const docs = await Promise.all(keys.map((k) => store.readJson(`flags/${app}/${k}.json`)));
  const flags: Record<string, FlagValue> = {};
  keys.forEach((k, i) => {
    const v = flagValue(docs[i], app, k);
    if (v !== undefined) flags[k] = v;
  });
  if (!isRoute(route, app)) return { route: null, flags, flagText: flagsHeader(flags) };
  // The releases a route names have series from the start (at 0), before their first request.
  counters.touch(app, route.stable.version);
  if (route.canary) counters.touch(app, route.canary.version);
  return { route, flags, flagText: flagsHeader(flags) };
}

function visitorOf(req: Request): { id: string; fresh: boolean } {
  const cookie = req.headers.get("cookie") ?? "";
  for (const part of cookie.split(";")) {
    const [k, v] = part.trim().split("=");
    if (k === VISITOR_COOKIE && v !== undefined && VISITOR.test(v)) return { id: v, fresh: false };
  }
  const header = req.headers.get("x-glidepath-visitor");
  if (header !== null && VISITOR.test(header)) return { id: header, fresh: false };
  return { id: crypto.randomUUID(), fresh: true };
}

/** The release a visitor gets under a route. */
function releaseOf(
  entry: RouteEntry & { route: Route },
  bucket: number,
): { side: Side; ref: ReleaseRef; key: string } {
  const side: Side = pickSide(entry.route, bucket, entry.flags.CanaryEnabled !== false);
  const ref = (side === "canary" ? entry.route.canary : entry.route.stable) as ReleaseRef;
  return { side, ref, key: releaseKey(ref) };
}

async function serveApp(
  req: Request,
  env: Env,
  app: string,
  rest: string,
  search: string,
  started: number,
): Promise<Response> {
  const store = storeOf(env);
  let entry = await routeOf(env, app, started);
  if (entry.route === null) return json({ error: `no route for app "${app}"` }, 503);
  const visitor = visitorOf(req);
  const bucket = bucketOf(app, visitor.id);
  let pick = releaseOf(entry as RouteEntry & { route: Route }, bucket);
  // A release an origin serves has no files in the store.
  const file = releaseFile(rest);
  const readFor = (p: { ref: ReleaseRef; key: string }): Promise<FileRead> =>
    p.ref.origin !== undefined || file === null ? Promise.resolve(null) : store.releaseFile(app, p.key, file);
  let read = await readFor(pick);
  if (pick.ref.origin === undefined && file !== null && !(read instanceof Uint8Array)) {
    // The route may have moved since it was read: the target removes a retired release only
    // after the route that retires it is written, so a read of the route started after the
    // miss names the live releases. Once per request; a release it still names missed for real.
    const now = await routeOf(env, app, Date.now(), true);
    if (now.route !== null) {
      const again = releaseOf(now as RouteEntry & { route: Route }, bucket);
      if (again.key !== pick.key) {
        entry = now;
        pick = again;
        read = await readFor(pick);
      }
    }
  }
  const route = entry.route as Route;
  const headers: Record<string, string> = {
    "x-glidepath-release": `${app}@${pick.ref.version}`,
    "x-glidepath-side": pick.side,
    "cache-control": "no-store",
  };
  if (route.revision !== undefined) headers["x-glidepath-route-revision"] = route.revision;
  if (entry.flagText !== "") headers["x-glidepath-flags"] = entry.flagText;
  if (visitor.fresh)
    headers["set-cookie"] = `${VISITOR_COOKIE}=${visitor.id}; Path=/; SameSite=Lax; HttpOnly`;
  let res: Response;
  let missing = false;
  const origin = pick.ref.origin;
  if (origin !== undefined) {
    res = await fromOrigin(
      req,
      { app, ref: { ...pick.ref, origin }, flagText: entry.flagText },
      rest,
      search,
      headers,
    );
  } else if (file !== null && read instanceof Uint8Array) {
    res = new Response(read, { status: 200, headers: { ...headers, "content-type": contentType(file) } });
  } else if (read === "disk-error") {
    res = new Response("release temporarily unavailable\n", {
      status: 503,
      headers: { ...headers, "retry-after": "1" },
    });
  } else {
    // A canary that lost a file its stable release serves is failing its visitors.
    missing =
      file !== null &&
      pick.side === "canary" &&
      route.stable.origin === undefined &&
      (await store.releaseFile(app, releaseKey(route.stable), file)) instanceof Uint8Array;
    res = new Response("not found\n", { status: 404, headers });
  }
  // Recorded at the answer's time, so each release's outcomes stay in time order (a slow
  // request is appended after faster ones that started later).
  const answered = Date.now();
  const outcome: Outcome = { at: answered, status: res.status, ms: answered - started, missing };
  recorded.record(app, pick.key, outcome);
  counters.record(
    app,
    pick.ref.version,
    res.status,
    outcome.ms,
    isGood(outcome, settingsOf(env).latencyObjectiveMs),
  );
  return res;
}

function sloOf(env: Env, app: string, ref: ReleaseRef, since: number, until: number) {
  const figures = figuresOf(env, recorded.range(app, releaseKey(ref), since, until));
  return { release: `${app}@${ref.version}`, key: releaseKey(ref), ...figures };
}

/**
 * `GET /_glidepath/slo?app=A[&side=canary|stable|&version=V][&since=ms][&until=ms]`: the counts
 * the driver's gate reads — by default of the current canary (stable without one); `version`
 * picks any release of that version recorded, current or not (the demo's step table).
 */
async function slo(url: URL, env: Env, now: number): Promise<Response> {
  const app = url.searchParams.get("app") ?? "";
  if (!settingsOf(env).apps.has(app)) return json({ error: `unknown app "${app}"` }, 404);
  const since = Number(url.searchParams.get("since") ?? now - 30_000);
  const until = Number(url.searchParams.get("until") ?? now + 1);
  if (!Number.isFinite(since) || !Number.isFinite(until))
    return json({ error: "since/until must be epoch ms" }, 400);
  const version = url.searchParams.get("version");
  if (version !== null) {
    const keys = recorded.releases(app).filter((k) => k.startsWith(`${version}@`));
    const outcomes = keys.flatMap((k) => recorded.range(app, k, since, until));
    return json({ app, release: `${app}@${version}`, keys, since, until, ...figuresOf(env, outcomes) });
  }
  const { route } = await routeOf(env, app, now);
  if (route === null) return json({ error: `no route for app "${app}"` }, 503);
  const wanted = url.searchParams.get("side");
  const side: Side = wanted === "stable" || route.canary === null ? "stable" : "canary";
  const ref = (side === "canary" ? route.canary : route.stable) as ReleaseRef;
  return json({ app, side, weight: route.weight, since, until, ...sloOf(env, app, ref, since, until) });
}

/** `GET /_glidepath/status[?windowMs=]`: routes, flags and SLO per release, plus the host's timeline. */
async function status(url: URL, env: Env, now: number): Promise<Response> {
  const asked = url.searchParams.get("windowMs");
  const windowMs = Math.min(Math.max(asked === null ? 30_000 : numberVar(asked, 30_000), 1_000), 3_600_000);
  const apps = await Promise.all(
    [...settingsOf(env).apps].map(async (app) => {
      const { route, flags } = await routeOf(env, app, now);
      if (route === null) return { app, route: null, flags, stable: null, canary: null };
      const since = now - windowMs;
      return {
        app,
        route,
        flags,
        stable: sloOf(env, app, route.stable, since, now + 1),
        canary: route.canary ? sloOf(env, app, route.canary, since, now + 1) : null,
      };
    }),
  );
  // The timeline, or why it is missing (the panel says so instead of showing an empty history).
  let host: unknown = null;
  if (env.HOST) {
    const res = await env.HOST.fetch("http://host/timeline").catch((e: unknown) => e);
    if (res instanceof Response && res.ok) {
      host = await res.json().catch(() => ({ error: "the timeline was not JSON" }));
    } else if (res instanceof Response) {
      await res.body?.cancel();
      host = { error: `the timeline answered HTTP ${res.status}` };
    } else {
      host = { error: `the timeline is unreachable (${res instanceof Error ? res.message : String(res)})` };
    }
  }
  return json({
    schema: "glidepath.edge-status/v1",
    stack: env.STACK,
    at: new Date(now).toISOString(),
    windowMs,
    minScore: settingsOf(env).minScore,
    latencyObjectiveMs: settingsOf(env).latencyObjectiveMs,
    minRequests: settingsOf(env).minRequests,
    apps,
    host,
  });
}

/** `POST /_glidepath/admin/faults` `{app, side, count, status}`: records failed outcomes (a chaos drill). */
async function injectFaults(req: Request, env: Env, now: number): Promise<Response> {
  const body = (await req.json().catch(() => null)) as {
    app?: unknown;
    side?: unknown;
    count?: unknown;
    status?: unknown;
  } | null;
  const app = body?.app;
  const count = body?.count ?? 100;
  const status = body?.status ?? 503;
  const side = body?.side ?? "canary";
  if (typeof app !== "string" || !settingsOf(env).apps.has(app)) {
    return json({ error: `"app" must be one of ${env.APPS}` }, 400);
  }
  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 10_000) {
    return json({ error: '"count" must be an integer 1–10000' }, 400);
  }
  if (!Number.isInteger(status) || (status as number) < 500 || (status as number) > 599) {
    return json({ error: '"status" must be a 5xx code' }, 400);
  }
  if (side !== "canary" && side !== "stable")
    return json({ error: '"side" must be "canary" or "stable"' }, 400);
  const { route } = await routeOf(env, app, now);
  const ref = side === "canary" ? route?.canary : route?.stable;
  if (!ref) return json({ error: `app "${app}" has no ${side} release now` }, 409);
  const key = releaseKey(ref);
  for (let i = 0; i < (count as number); i++) {
    const o: Outcome = { at: now, status: status as number, ms: 0, injected: true };
    recorded.record(app, key, o);
    counters.record(app, ref.version, o.status, 0, false);
  }
  return json({ injected: count, app, release: `${app}@${ref.version}`, status });
}

async function admin(req: Request, url: URL, env: Env, now: number): Promise<Response> {
  if (!(await keyMatches(req.headers.get(ADMIN_HEADER), env.ADMIN_KEY))) {
    await req.body?.cancel();
    return json({ error: `missing or wrong ${ADMIN_HEADER} header` }, 401, {
      "www-authenticate": ADMIN_HEADER,
    });
  }
  const route = `${req.method} ${url.pathname}`;
  if (route === "GET /_glidepath/admin/check") return json({ ok: true });
  if (route === "POST /_glidepath/admin/faults") return injectFaults(req, env, now);
  if (route === "POST /_glidepath/admin/reset") {
    recorded.clear();
    counters.clear();
    return json({ reset: true });
  }
  return json({ error: `no admin endpoint ${route}` }, 404);
}

function home(env: Env): Response {
  const links = [...settingsOf(env).apps].map((a) => `<li><a href="/${a}/">${a}</a></li>`).join("");
  return new Response(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>glidepath edge</title></head><body><main><h1>glidepath edge</h1><ul>${links}</ul></main></body></html>\n`,
    { headers: { "content-type": "text/html; charset=utf-8" } },
  );
}

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const now = Date.now();
    const url = new URL(req.url);
    const path = url.pathname;
    if (settingsOf(env).store === undefined)
      return json({ error: "the edge Worker has no store: bind EDGE_KV (Workers KV) or DISK" }, 500);
    if (path.startsWith("/_glidepath/admin/")) return admin(req, url, env, now);
    if (path === "/_glidepath/health") return json({ ok: true, stack: env.STACK });
    if (path === "/_glidepath/did-key.js") {
      return new Response(didKeyModuleSource(), {
        headers: { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" },
      });
    }
    if (path === "/_glidepath/slo") return slo(url, env, now);
    if (path === "/_glidepath/status") return status(url, env, now);
    if (path === "/_glidepath/metrics") {
      return new Response(counters.render(), {
        headers: { "content-type": EXPOSITION_CONTENT_TYPE, "cache-control": "no-store" },
      });
    }
    if (path === "/") return home(env);
    const m = /^\/([a-z][a-z0-9-]*)(\/.*)?$/.exec(path);
    const app = m?.[1];
    if (app === undefined || !settingsOf(env).apps.has(app)) return json({ error: "not found" }, 404);
    if (m?.[2] === undefined) return Response.redirect(new URL(`/${app}/`, url).toString(), 301);
    return serveApp(req, env, app, m[2].slice(1), url.search, now);
  },
};

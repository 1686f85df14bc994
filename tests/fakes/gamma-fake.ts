/**
 * A loopback stand-in for the Gamma public API v1.0, written from its public documentation:
 * `X-API-KEY` auth, generations that stay `pending` for a few polls and then complete (or fail),
 * credits that each completed generation uses up, cursor lists of folders and themes, archive and
 * delete of gammas, and error bodies `{message, statusCode}`. Keys belong to a workspace: a key
 * sees only its workspace's folders and gammas, and a generation into another workspace's folder
 * is refused. Every write (allowed or refused) goes to the write log. It also serves the gammas'
 * public pages (`GET /docs/<gammaId>`, with or without a trailing slash: the edge proxies an
 * app's root `/gamma/` to `<origin>/`), which the edge proxies to.
 */
import { randomBytes } from "node:crypto";
import {
  type FakeRequest,
  type FakeResponse,
  type FakeServer,
  startFake,
  type WriteRecord,
} from "./fake-http";

/** One API key of the fake. */
export interface GammaFakeKey {
  /** The fake's name for the key (written to the write log; never the key). */
  scope: string;
  /** The workspace the key belongs to. */
  workspace: string;
  /** Folders of that workspace (a workspace's folders are the union over its keys). */
  folderIds: string[];
  /** Whether the key's user is a workspace admin (may DELETE gammas). @default false */
  admin?: boolean;
  /** Credits left to the key. @default 1000 */
  credits?: number;
}

/** Options of {@link startGammaFake}. */
export interface GammaFakeOptions {
  /** API keys by key text. */
  keys: Record<string, GammaFakeKey>;
  /** Status polls a generation answers `pending` before it completes. @default 2 */
  completeAfterPolls?: number;
  /** Credits a completed generation deducts. @default 40 */
  creditsPerGeneration?: number;
  /** Folder names by id. @default - `Folder <id>` */
  folderNames?: Record<string, string>;
}

/** A gamma the fake holds. */
export interface FakeGamma {
  gammaId: string;
  /** The folder it was generated into (the first of `folderIds`), undefined without one. */
  folderId: string | undefined;
  inputText: string;
  archived: boolean;
}

/** A running Gamma fake. */
export type GammaFake = FakeServer & {
  /** Gammas that exist (deleted ones are gone), in creation order. */
  gammas(): FakeGamma[];
  /** Generations started (accepted POST /generations). */
  generations(): number;
  /** The next `n` generations started end `failed` instead of completing. */
  failNext(n: number): void;
  /** Credits left to a key (by its scope name). */
  credits(scope: string): number;
  /** Deletes a gamma by hand (no write log entry): the API then answers 404 for it. */
  deleteByHand(gammaId: string): void;
};

interface Generation {
  id: string;
  key: GammaFakeKey;
  folderId: string | undefined;
  inputText: string;
  polls: number;
  fails: boolean;
  gammaId?: string;
  deducted?: number;
}

interface StoredGamma extends FakeGamma {
  workspace: string;
  createdTime: string;
}

const THEMES = [
  {
    id: "default-light",
    name: "Default Light",
    type: "standard",
    colorKeywords: ["white"],
    toneKeywords: [],
  },
  { id: "default-dark", name: "Default Dark", type: "standard", colorKeywords: ["black"], toneKeywords: [] },
  { id: "chisel", name: "Chisel", type: "standard", colorKeywords: ["grey"], toneKeywords: ["serious"] },
];

const MAX_INPUT = 400_000;

function error(status: number, message: string): FakeResponse {
  return { status, body: { message, statusCode: status } };
}

function invalid(...problems: string[]): FakeResponse {
  return error(400, `Input validation errors: ${problems.map((p, i) => `${i + 1}. ${p}`).join(" ")}`);
}

/** A page of a cursor list (`limit` 1–50, default 20; `after` is the previous page's `nextCursor`). */
function page<T>(items: T[], query: URLSearchParams): FakeResponse {
  const limitText = query.get("limit");
  const limit = limitText === null ? 20 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
    return invalid(`limit must be an integer from 1 to 50 (got ${limitText})`);
  }
  const after = query.get("after");
  let start = 0;
  if (after !== null && after !== "") {
    start = Number(Buffer.from(after, "base64url").toString("utf8").replace(/^o:/, ""));
    if (!Number.isInteger(start) || start < 0 || start > items.length) {
      return invalid(`after is not a valid cursor (got ${after})`);
    }
  }
  const data = items.slice(start, start + limit);
  const next = start + data.length;
  const hasMore = next < items.length;
  return {
    status: 200,
    body: { data, hasMore, nextCursor: hasMore ? Buffer.from(`o:${next}`).toString("base64url") : null },
  };
}

function pageHtml(g: StoredGamma, release: string | null): string {
  return (
    `<!doctype html><html><head><title>${g.gammaId}</title></head><body>` +
    `<h1>Gamma ${g.gammaId}</h1><p id="gp_release">gp_release=${release ?? ""}</p></body></html>`
  );
}

/**
 * Starts the Gamma fake on loopback; the API is under `${url}/v1.0`.
 *
 * @param opts - keys, completion and credits
 */
export async function startGammaFake(opts: GammaFakeOptions): Promise<GammaFake> {
  const completeAfter = opts.completeAfterPolls ?? 2;
  const cost = opts.creditsPerGeneration ?? 40;
  const credits = new Map<string, number>();
  for (const k of Object.values(opts.keys)) credits.set(k.scope, k.credits ?? 1000);
  const generations = new Map<string, Generation>();
  const gammas = new Map<string, StoredGamma>();
  let started = 0;
  let failing = 0;
  let origin = "";

  const folders = (workspace: string): { id: string; name: string }[] => {
    const ids = new Set<string>();
    for (const k of Object.values(opts.keys))
      if (k.workspace === workspace) for (const f of k.folderIds) ids.add(f);
    return [...ids].map((id) => ({ id, name: opts.folderNames?.[id] ?? `Folder ${id}` }));
  };

  const generate = (req: FakeRequest, key: GammaFakeKey, log: (w: WriteRecord) => void): FakeResponse => {
    const write = (targetScope: string, applied: boolean): void =>
      log({ method: req.method, path: req.path, credentialScope: key.scope, targetScope, applied });
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(req.body.toString("utf8"));
      if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
        throw new Error("not an object");
      body = parsed as Record<string, unknown>;
    } catch {
      write(key.workspace, false);
      return invalid("the body must be a JSON object");
    }
    const problems: string[] = [];
    const text = body.inputText;
    if (typeof text !== "string" || text.length < 1 || text.length > MAX_INPUT) {
      problems.push(
        typeof text === "string"
          ? `inputText must be between 1 and ${MAX_INPUT} characters (got ${text.length})`
          : "inputText is required and must be a string",
      );
    }
    const folderIds = body.folderIds;
    if (
      folderIds !== undefined &&
      (!Array.isArray(folderIds) || folderIds.some((f) => typeof f !== "string"))
    ) {
      problems.push("folderIds must be an array of strings");
    }
    const ids = (Array.isArray(folderIds) ? folderIds : []) as string[];
    const target = `${key.workspace}/${ids.join(",") || "-"}`;
    if (problems.length > 0) {
      write(target, false);
      return invalid(...problems);
    }
    const own = new Set(folders(key.workspace).map((f) => f.id));
    if (ids.some((f) => !own.has(f))) {
      write(target, false);
      return error(403, "Forbidden");
    }
    if ((credits.get(key.scope) ?? 0) < cost) {
      write(target, false);
      return error(402, "Insufficient credits remaining");
    }
    write(target, true);
    started += 1;
    const id = `gen_${randomBytes(8).toString("hex")}`;
    const fails = failing > 0;
    if (fails) failing -= 1;
    generations.set(id, { id, key, folderId: ids[0], inputText: text as string, polls: 0, fails });
    return { status: 200, body: { generationId: id } };
  };

  const status = (id: string, key: GammaFakeKey): FakeResponse => {
    const g = generations.get(id);
    if (!g || g.key.workspace !== key.workspace)
      return error(404, `Generation ID not found. generationId: ${id}`);
    if (g.polls < completeAfter) {
      g.polls += 1;
      return { status: 200, body: { generationId: id, status: "pending" } };
    }
    if (g.fails) {
      return {
        status: 200,
        body: {
          generationId: id,
          status: "failed",
          error: { message: "An error occurred while generating the gamma.", statusCode: 500 },
        },
      };
    }
    if (g.gammaId === undefined) {
      g.gammaId = `g_${randomBytes(8).toString("hex")}`;
      const left = credits.get(g.key.scope) ?? 0;
      g.deducted = Math.min(cost, left);
      credits.set(g.key.scope, left - g.deducted);
      gammas.set(g.gammaId, {
        gammaId: g.gammaId,
        folderId: g.folderId,
        inputText: g.inputText,
        archived: false,
        workspace: g.key.workspace,
        createdTime: new Date().toISOString(),
      });
    }
    return {
      status: 200,
      body: {
        generationId: id,
        status: "completed",
        gammaId: g.gammaId,
        gammaUrl: `${origin}/docs/${g.gammaId}`,
        credits: { deducted: g.deducted, remaining: credits.get(g.key.scope) },
      },
    };
  };

  const handle = (req: FakeRequest, log: (w: WriteRecord) => void): FakeResponse => {
    const doc = /^\/docs\/([^/]+)\/?$/.exec(req.path);
    if (req.method === "GET" && doc) {
      const g = gammas.get(decodeURIComponent(doc[1] ?? ""));
      if (!g)
        return {
          status: 404,
          body: "<!doctype html><p>Not found</p>",
          headers: { "content-type": "text/html" },
        };
      return {
        status: 200,
        body: pageHtml(g, req.query.get("gp_release")),
        headers: { "content-type": "text/html; charset=utf-8" },
      };
    }
    if (!req.path.startsWith("/v1.0/")) return error(404, `Cannot ${req.method} ${req.path}`);
    const route = req.path.slice("/v1.0".length);
    const key = opts.keys[req.headers["x-api-key"] ?? ""];
    const isWrite = req.method !== "GET";
    if (!key) {
      if (isWrite)
        log({ method: req.method, path: req.path, credentialScope: "-", targetScope: "-", applied: false });
      return error(401, "Invalid API key.");
    }
    if (req.method === "POST" && route === "/generations") return generate(req, key, log);
    const gen = /^\/generations\/([^/]+)$/.exec(route);
    if (req.method === "GET" && gen) return status(decodeURIComponent(gen[1] ?? ""), key);
    if (req.method === "GET" && route === "/folders") {
      const q = (req.query.get("query") ?? "").toLowerCase();
      return page(
        folders(key.workspace).filter((f) => f.name.toLowerCase().includes(q)),
        req.query,
      );
    }
    if (req.method === "GET" && route === "/themes") {
      const q = (req.query.get("query") ?? "").toLowerCase();
      return page(
        THEMES.filter((t) => t.name.toLowerCase().includes(q)),
        req.query,
      );
    }
    const one = /^\/gammas\/([^/]+)(\/archive)?$/.exec(route);
    if (one) {
      const id = decodeURIComponent(one[1] ?? "");
      const g = gammas.get(id);
      const write = (applied: boolean): void =>
        log({
          method: req.method,
          path: req.path,
          credentialScope: key.scope,
          targetScope: `${g?.workspace ?? key.workspace}/${g?.folderId ?? "-"}`,
          applied,
        });
      if (req.method === "GET" && !one[2]) {
        if (!g || g.workspace !== key.workspace) return error(404, `Gamma not found. gammaId: ${id}`);
        return {
          status: 200,
          body: {
            id: g.gammaId,
            title: g.inputText.split("\n")[0]?.slice(0, 80) ?? "",
            type: "regular",
            url: `${origin}/docs/${g.gammaId}`,
            thumbnailUrl: null,
            description: null,
            createdTime: g.createdTime,
          },
        };
      }
      if (req.method === "POST" && one[2]) {
        if (!g) {
          write(false);
          return error(404, `Gamma not found. gammaId: ${id}`);
        }
        if (g.workspace !== key.workspace) {
          write(false);
          return error(403, "Access denied. You must have edit permission to archive this gamma.");
        }
        write(true);
        g.archived = true;
        return { status: 200, body: { gammaId: id, archived: true } };
      }
      if (req.method === "DELETE" && !one[2]) {
        if (!key.admin) {
          write(false);
          return error(403, "Access denied - workspace admin role required");
        }
        if (!g || g.workspace !== key.workspace) {
          write(false);
          return error(404, `Gamma not found. gammaId: ${id}`);
        }
        write(true);
        gammas.delete(id);
        return {
          status: 200,
          body: { status: "deleted", gammaId: id, message: "Gamma deleted successfully." },
        };
      }
    }
    if (isWrite)
      log({
        method: req.method,
        path: req.path,
        credentialScope: key.scope,
        targetScope: "-",
        applied: false,
      });
    return error(404, `Cannot ${req.method} ${req.path}`);
  };

  const server = await startFake({
    handle: (req, log) => {
      const out = handle(req, log);
      return { ...out, headers: { "x-request-id": randomBytes(8).toString("hex"), ...out.headers } };
    },
    errorBody: (statusCode, message) => ({ message, statusCode }),
  });
  origin = server.url;
  return Object.assign(server, {
    gammas: (): FakeGamma[] =>
      [...gammas.values()].map(({ gammaId, folderId, inputText, archived }) => ({
        gammaId,
        folderId,
        inputText,
        archived,
      })),
    generations: () => started,
    failNext(n: number): void {
      failing = n;
    },
    credits: (scope: string) => credits.get(scope) ?? 0,
    deleteByHand(gammaId: string): void {
      gammas.delete(gammaId);
    },
  });
}

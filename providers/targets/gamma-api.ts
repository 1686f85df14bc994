/**
 * The Gamma target's API client (public API v1.0, header `X-API-KEY`). A Gamma release is one
 * generation of the investor page into the stack's folder; the API cannot edit a gamma, has no
 * versions and no idempotency key, so every generation is a new gamma that uses credits, and
 * retiring a release archives its gamma.
 *
 * Runs inside serialized dynamic providers: no module-scope state, only global `fetch` through
 * {@link fetchWithRetry}, and the key is sent as a header and never written into an error.
 */
import { fetchWithRetry } from "./http-retry";
import { CredentialScopeError, type GammaSpec } from "./specs";

/** The Gamma API as the Gamma target uses it. */
export interface GammaClient {
  /**
   * Lists the key's workspace's folders (GET /folders, every page) and checks the stack's folder
   * is among them. 401 → {@link CredentialScopeError} "API key is not valid"; the folder not
   * listed → {@link CredentialScopeError} naming the folder. Writes nothing.
   */
  verifyScope(): Promise<void>;
  /**
   * Starts a generation (POST /generations); resolves with its generation id. 402 → an Error
   * saying the workspace has no credits left; 400 → an Error with the API's validation message.
   *
   * @param req.inputText - the page's text (the API accepts 1–400000 characters)
   * @param req.folderId - the folder the gamma goes into
   * @param req.additionalInstructions - extra instructions for the generator @default - none sent
   */
  startGeneration(req: {
    inputText: string;
    folderId: string;
    additionalInstructions?: string;
  }): Promise<string>;
  /**
   * Polls GET /generations/{id} every `pollIntervalMs` until it is completed (→ its gamma's id
   * and URL), failed (→ an Error with the API's error message) or `pollTimeoutMs` passed (→ an Error).
   *
   * @param generationId - what {@link GammaClient.startGeneration} returned
   */
  waitForGeneration(generationId: string): Promise<{ gammaId: string; gammaUrl: string }>;
  /**
   * GET /gammas/{id}: the gamma's id and URL; undefined when the API does not know it (404,
   * e.g. deleted).
   *
   * @param gammaId - the gamma's id (`g_…`)
   */
  getGamma(gammaId: string): Promise<{ id: string; url: string } | undefined>;
  /**
   * POST /gammas/{id}/archive. Idempotent: archiving an archived gamma, or one that no longer
   * exists (404), succeeds.
   *
   * @param gammaId - the gamma's id (`g_…`)
   */
  archive(gammaId: string): Promise<void>;
}

/** The API's error body, `{message, statusCode}`, read leniently. */
async function apiMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === "string" && body.message !== "") return body.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 200) || res.statusText || "no message";
}

/** What to do about a non-retryable answer, by status. */
function remedy(status: number): string {
  if (status === 400) return "fix the request field the message names";
  if (status === 401) return "set GAMMA_TOKEN to a valid API key of the stack's workspace";
  if (status === 403)
    return "use a key of the workspace that owns the folder, with a plan and role that allow it";
  if (status === 404) return "check the id; the gamma or generation may have been deleted";
  return "check the Gamma API's status and run the update again";
}

/**
 * The Error for a non-retryable Gamma answer: target, operation, status, the API's message and
 * the remedy (402 has its own wording: the workspace is out of credits).
 *
 * @param op - the operation, e.g. `POST /generations`
 * @param res - the answer
 */
async function gammaError(op: string, res: Response): Promise<Error> {
  const message = await apiMessage(res);
  if (res.status === 402) {
    return new Error(
      `gamma: no credits left (HTTP 402 ${JSON.stringify(message)}): add credits to the workspace, then run the update again`,
    );
  }
  return new Error(
    `gamma: ${op} failed (HTTP ${res.status} ${JSON.stringify(message)}): ${remedy(res.status)}`,
  );
}

/**
 * A {@link GammaClient} for a spec.
 *
 * @param spec - API URL, folder, key, polling and retries
 */
export function gammaClient(spec: GammaSpec): GammaClient {
  const base = spec.apiUrl.replace(/\/+$/, "");
  const interval = spec.pollIntervalMs ?? 5000;
  const timeout = spec.pollTimeoutMs ?? 600_000;
  const request = (
    op: string,
    path: string,
    method: string,
    body?: unknown,
    idempotent = true,
  ): Promise<Response> =>
    fetchWithRetry(
      `gamma: ${op}`,
      `${base}${path}`,
      {
        method,
        headers: {
          "X-API-KEY": spec.token,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      { ...spec.retry, idempotent },
    );
  const json = async (op: string, res: Response): Promise<Record<string, unknown>> => {
    const text = await res.text();
    try {
      const v: unknown = JSON.parse(text);
      if (v !== null && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw new Error(
      `gamma: ${op}: the API answered HTTP ${res.status} with a body that is not a JSON object`,
    );
  };
  const ok = (res: Response): boolean => res.status >= 200 && res.status < 300;

  return {
    async verifyScope() {
      const seen: string[] = [];
      let after: string | undefined;
      for (let pages = 0; ; pages++) {
        const op = "GET /folders";
        const query = `?limit=50${after === undefined ? "" : `&after=${encodeURIComponent(after)}`}`;
        const res = await request(op, `/folders${query}`, "GET");
        if (res.status === 401) throw new CredentialScopeError("gamma", "API key is not valid");
        if (res.status === 403) {
          throw new CredentialScopeError(
            "gamma",
            `the API key may not list the workspace's folders (HTTP 403 ${JSON.stringify(await apiMessage(res))})`,
          );
        }
        if (!ok(res)) throw await gammaError(op, res);
        const body = await json(op, res);
        const data = Array.isArray(body.data) ? (body.data as { id?: unknown }[]) : [];
        for (const f of data) if (typeof f.id === "string") seen.push(f.id);
        if (seen.includes(spec.folderId)) return;
        const next = body.nextCursor;
        if (body.hasMore !== true || typeof next !== "string" || next === after || pages >= 1000) break;
        after = next;
      }
      throw new CredentialScopeError(
        "gamma",
        `folder ${spec.folderId} is not a folder of the API key's workspace (${seen.length} folders listed); ` +
          "set glidepath:targets.gamma.folderId (GAMMA_SPACE_ID) to one of its folders, or use that folder's workspace's key",
      );
    },

    async startGeneration(req) {
      const op = "POST /generations";
      const res = await request(
        op,
        "/generations",
        "POST",
        {
          inputText: req.inputText,
          folderIds: [req.folderId],
          ...(req.additionalInstructions === undefined
            ? {}
            : { additionalInstructions: req.additionalInstructions }),
          // No idempotency key: a second POST makes a second gamma and uses credits twice.
        },
        false,
      );
      if (!ok(res)) throw await gammaError(op, res);
      const body = await json(op, res);
      if (typeof body.generationId !== "string" || body.generationId === "") {
        throw new Error(`gamma: ${op}: the answer has no generationId; check the API URL (${base})`);
      }
      return body.generationId;
    },

    async waitForGeneration(generationId) {
      const op = `GET /generations/${generationId}`;
      const deadline = Date.now() + timeout;
      for (;;) {
        const res = await request(op, `/generations/${encodeURIComponent(generationId)}`, "GET");
        if (!ok(res)) throw await gammaError(op, res);
        const body = await json(op, res);
        if (body.status === "completed") {
          if (typeof body.gammaId !== "string" || typeof body.gammaUrl !== "string") {
            throw new Error(`gamma: generation ${generationId} completed without a gammaId and gammaUrl`);
          }
          return { gammaId: body.gammaId, gammaUrl: body.gammaUrl };
        }
        if (body.status === "failed") {
          const err = body.error as { message?: unknown } | undefined;
          const message = typeof err?.message === "string" ? err.message : "no message";
          throw new Error(
            `gamma: generation ${generationId} failed: ${message}; the update fails and the stack stays on its ` +
              "last green state: fix what the message names, then run the update again",
          );
        }
        if (Date.now() + interval > deadline) {
          throw new Error(
            `gamma: generation ${generationId} did not complete within ${Math.round(timeout / 1000)} s ` +
              `(last status ${JSON.stringify(body.status)}); the update fails and the stack stays on its last ` +
              "green state: run the update again later, or raise the poll timeout",
          );
        }
        await new Promise((r) => setTimeout(r, interval));
      }
    },

    async getGamma(gammaId) {
      const op = `GET /gammas/${gammaId}`;
      const res = await request(op, `/gammas/${encodeURIComponent(gammaId)}`, "GET");
      if (res.status === 404) return undefined;
      if (!ok(res)) throw await gammaError(op, res);
      const body = await json(op, res);
      if (typeof body.id !== "string" || typeof body.url !== "string") {
        throw new Error(`gamma: ${op}: the answer has no id and url`);
      }
      return { id: body.id, url: body.url };
    },

    async archive(gammaId) {
      const op = `POST /gammas/${gammaId}/archive`;
      const res = await request(op, `/gammas/${encodeURIComponent(gammaId)}/archive`, "POST", {});
      if (res.status === 404) return;
      if (!ok(res)) throw await gammaError(op, res);
      await res.body?.cancel();
    },
  };
}

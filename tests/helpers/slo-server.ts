/**
 * A loopback SLO endpoint for tests (127.0.0.1, a free port): each request is answered by the
 * current behavior, which a test can change at any time.
 */
import * as http from "node:http";
import { listenLoopback } from "./loopback";

/** How the server answers one request. */
export type SloAnswer =
  /** 200 with the body as JSON. */
  | { kind: "json"; body: unknown }
  /** That status with a short text body. */
  | { kind: "status"; code: number }
  /** 200 with an HTML body. */
  | { kind: "garbage" }
  /** 200 with the body as JSON, after `ms`. */
  | { kind: "slow"; ms: number; body: unknown }
  /** Never answers. */
  | { kind: "hang" };

/** What a behavior sees of a request. */
export interface SloRequest {
  /** The `app` query parameter, if any. */
  app?: string;
  /** The `authorization` header, if any. */
  authorization?: string;
  /** The `token` query parameter, if any. */
  token?: string;
}

/** Chooses the answer to a request. */
export type SloBehavior = (req: SloRequest) => SloAnswer;

/** A running SLO server. */
export interface SloServer {
  /** `http://127.0.0.1:<port>/slo`. */
  url: string;
  /**
   * Replaces the behavior.
   *
   * @param b - the new behavior
   */
  setBehavior(b: SloBehavior): void;
  /** Requests received so far. */
  requests(): number;
  /** Stops listening and destroys open sockets (hanging requests included). */
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 with a free port.
 *
 * @param behavior - answers each request
 */
export async function startSloServer(behavior: SloBehavior): Promise<SloServer> {
  let current = behavior;
  let count = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    count++;
    req.resume();
    const query = new URL(req.url ?? "/", "http://127.0.0.1").searchParams;
    const a = current({
      ...(query.get("app") !== null ? { app: query.get("app") as string } : {}),
      ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
      ...(query.get("token") !== null ? { token: query.get("token") as string } : {}),
    });
    const json = (body: unknown) => {
      if (res.destroyed) return;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    switch (a.kind) {
      case "json":
        return json(a.body);
      case "status":
        res.writeHead(a.code, { "content-type": "text/plain" });
        return res.end("error");
      case "garbage":
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html>oops</html>");
      case "slow": {
        const t = setTimeout(() => {
          timers.delete(t);
          json(a.body);
        }, a.ms);
        timers.add(t);
        return;
      }
      case "hang":
        return;
    }
  });
  const listening = await listenLoopback(server);
  return {
    url: `${listening.origin}/slo`,
    setBehavior: (b) => {
      current = b;
    },
    requests: () => count,
    close: () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return listening.close();
    },
  };
}

/**
 * A loopback fake of Prometheus's HTTP query API (127.0.0.1, a free port), written from its
 * public documentation: `GET /api/v1/query?query=<PromQL>&time=<unix seconds>` answers
 * `{"status":"success","data":{"resultType":"vector","result":[{"metric":{…},"value":[<time>,"<value>"]}]}}`;
 * a failure answers `{"status":"error","errorType":"bad_data","error":"…"}` with HTTP 400 (bad
 * query), 422 (execution) or 503 (timeout). Values are strings (`"NaN"`, `"+Inf"` included).
 * Each request is answered by the current behavior, which a test can change at any time.
 */
import * as http from "node:http";
import { listenLoopback } from "./loopback";

/** What the fake saw of one query. */
export interface PromRequest {
  /** The PromQL text. */
  query: string;
  /** The `time` parameter, if any. */
  time?: string;
  /** The request path (a base URL's prefix shows here). */
  path: string;
  /** The `authorization` header, if any. */
  authorization?: string;
}

/** How the fake answers one query. */
export type PromAnswer =
  /** A vector of these values (strings as the API writes them), each its own series. */
  | { kind: "vector"; values: string[] }
  /** A scalar. */
  | { kind: "scalar"; value: string }
  /** An API error with its HTTP status. */
  | { kind: "error"; code: number; errorType: string; error: string }
  /** That status with a text body. */
  | { kind: "status"; code: number }
  /** 200 with HTML. */
  | { kind: "garbage" }
  /** 200 with this JSON body as it is. */
  | { kind: "raw"; body: unknown }
  /** Never answers. */
  | { kind: "hang" };

/** Chooses the answer to a query. */
export type PromBehavior = (req: PromRequest) => PromAnswer;

/** A running fake. */
export interface PromFake {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Replaces the behavior. */
  setBehavior(b: PromBehavior): void;
  /** Every query received so far. */
  requests(): PromRequest[];
  /** Stops listening and destroys open sockets. */
  close(): Promise<void>;
}

/**
 * Starts the fake.
 *
 * @param behavior - answers each query
 */
export async function startPromFake(behavior: PromBehavior): Promise<PromFake> {
  let current = behavior;
  const seen: PromRequest[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    const u = new URL(req.url ?? "/", "http://127.0.0.1");
    if (!u.pathname.endsWith("/api/v1/query")) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("404 page not found\n");
      return;
    }
    const r: PromRequest = {
      query: u.searchParams.get("query") ?? "",
      path: u.pathname,
      ...(u.searchParams.get("time") !== null ? { time: u.searchParams.get("time") as string } : {}),
      ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
    };
    seen.push(r);
    const a = current(r);
    const time = Number(r.time ?? Date.now() / 1000);
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    switch (a.kind) {
      case "vector":
        return json(200, {
          status: "success",
          data: {
            resultType: "vector",
            result: a.values.map((v, i) => ({ metric: { series: String(i) }, value: [time, v] })),
          },
        });
      case "scalar":
        return json(200, { status: "success", data: { resultType: "scalar", result: [time, a.value] } });
      case "error":
        return json(a.code, { status: "error", errorType: a.errorType, error: a.error });
      case "status":
        res.writeHead(a.code, { "content-type": "text/plain" });
        return res.end("upstream error\n");
      case "garbage":
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html>login</html>");
      case "raw":
        return json(200, a.body);
      case "hang":
        return;
    }
  });
  const listening = await listenLoopback(server);
  return {
    url: listening.origin,
    setBehavior: (b) => {
      current = b;
    },
    requests: () => [...seen],
    close: listening.close,
  };
}

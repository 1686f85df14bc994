/**
 * The common part of the loopback SaaS fakes (Cloudflare, Wix, Gamma, Notion): an HTTP server on
 * 127.0.0.1 with a free port, a log of every request and of every write (who wrote, in which
 * scope, whether it was allowed), and switches a test flips per route to fail, throttle or delay
 * it. Each fake supplies only its API's handler; faults are applied before the handler runs, so
 * a faulted request never reaches the fake's data.
 */
import * as http from "node:http";
import { listenLoopback } from "../helpers/loopback";

/** A request as a fake's handler sees it. */
export interface FakeRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

/** A fake's answer. */
export interface FakeResponse {
  status: number;
  /** A string or Buffer is sent as it is; anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A fault on the routes a rule matches. */
export type Fault =
  /** Answer `status` (default 503) with the fake's error body for it. */
  | { kind: "fail"; status?: number }
  /** Answer 429 with `Retry-After: <seconds>` (default 1). */
  | { kind: "throttle"; retryAfterSeconds?: number }
  /** Wait `ms`, then handle the request normally. */
  | { kind: "delay"; ms: number }
  /** Never answer (a timeout for the client). */
  | { kind: "hang" };

/** Which requests a fault applies to, and how many times. */
export interface FaultRule {
  /** HTTP method. @default - any */
  method?: string;
  /** A path prefix or a pattern the path must match. */
  path: string | RegExp;
  fault: Fault;
  /** How many matching requests it applies to. @default Infinity */
  times?: number;
}

/** One request the fake answered. */
export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  /** The fault that answered it, if any. */
  fault?: Fault["kind"];
}

/** One write the fake's handler attempted (recorded by the handler, allowed or refused). */
export interface WriteRecord {
  method: string;
  path: string;
  /** The scope the credential belongs to (the fake's name for it, never the credential). */
  credentialScope: string;
  /** The scope the write addressed (account/namespace, site/collection, workspace/folder). */
  targetScope: string;
  /** Whether the fake applied it. */
  applied: boolean;
}

/** A running fake. */
export interface FakeServer {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Every request answered, in order. */
  readonly requests: RequestRecord[];
  /** Every write attempted, in order. */
  readonly writes: WriteRecord[];
  /** Adds a fault rule (checked in the order added). */
  fault(rule: FaultRule): void;
  /** Removes every fault rule. */
  clearFaults(): void;
  /** Stops listening and ends open connections. */
  close(): Promise<void>;
}

/** What a fake supplies. */
export interface FakeHandler {
  /** Answers a request that no fault answered. */
  handle(req: FakeRequest, log: (w: WriteRecord) => void): Promise<FakeResponse> | FakeResponse;
  /** The API's error body for a status (used by `fail` and `throttle` faults). */
  errorBody(status: number, message: string): unknown;
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false;
  return typeof rule.path === "string" ? path.startsWith(rule.path) : rule.path.test(path);
}

function send(res: http.ServerResponse, out: FakeResponse): void {
  const raw = typeof out.body === "string" || Buffer.isBuffer(out.body);
  const body = out.body === undefined ? "" : raw ? (out.body as string | Buffer) : JSON.stringify(out.body);
  const type = raw ? "application/octet-stream" : "application/json";
  res.writeHead(out.status, { "content-type": type, ...out.headers });
  res.end(body);
}

/**
 * Starts a fake on loopback.
 *
 * @param handler - the API's routes and error shape
 */
export async function startFake(handler: FakeHandler): Promise<FakeServer> {
  const requests: RequestRecord[] = [];
  const writes: WriteRecord[] = [];
  const rules: { rule: FaultRule; left: number }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const method = (req.method ?? "GET").toUpperCase();
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
      }
      const request: FakeRequest = {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers,
        body: Buffer.concat(chunks),
      };
      const answer = async (): Promise<void> => {
        const hit = rules.find((r) => r.left > 0 && matches(r.rule, method, url.pathname));
        if (hit) hit.left -= 1;
        const fault = hit?.rule.fault;
        if (fault?.kind === "hang") {
          requests.push({ method, path: url.pathname, status: 0, fault: "hang" });
          return;
        }
        if (fault?.kind === "fail") {
          const status = fault.status ?? 503;
          requests.push({ method, path: url.pathname, status, fault: "fail" });
          send(res, { status, body: handler.errorBody(status, "injected failure") });
          return;
        }
        if (fault?.kind === "throttle") {
          const seconds = fault.retryAfterSeconds ?? 1;
          requests.push({ method, path: url.pathname, status: 429, fault: "throttle" });
          send(res, {
            status: 429,
            body: handler.errorBody(429, "Too many requests"),
            headers: { "retry-after": String(seconds) },
          });
          return;
        }
        if (fault?.kind === "delay") await new Promise((r) => setTimeout(r, fault.ms));
        let out: FakeResponse;
        try {
          out = await handler.handle(request, (w) => writes.push(w));
        } catch (e) {
          out = { status: 500, body: handler.errorBody(500, e instanceof Error ? e.message : String(e)) };
        }
        requests.push({
          method,
          path: url.pathname,
          status: out.status,
          ...(fault ? { fault: fault.kind } : {}),
        });
        send(res, out);
      };
      void answer();
    });
  });
  const listening = await listenLoopback(server);
  return {
    url: listening.origin,
    requests,
    writes,
    fault(rule) {
      rules.push({ rule, left: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      rules.length = 0;
    },
    close: () => listening.close(),
  };
}

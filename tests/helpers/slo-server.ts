/**
 * A loopback SLO endpoint for tests (127.0.0.1 only): each request is answered by the current
 * behavior, which a test can change at any time.
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** How the server answers one request. */
export type SloAnswer =
  | { kind: "json"; body: unknown }
  | { kind: "status"; code: number }
  | { kind: "garbage" }
  | { kind: "slow"; ms: number; body: unknown }
  | { kind: "hang" };

/** A running SLO server. */
export interface SloServer {
  url: string;
  /** Replaces the behavior. */
  setBehavior(b: () => SloAnswer): void;
  /** Requests answered so far. */
  requests(): number;
  /** Stops listening and destroys open sockets. */
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 with a random port. */
export async function startSloServer(behavior: () => SloAnswer): Promise<SloServer> {
  let current = behavior;
  let count = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    count++;
    const a = current();
    const json = (body: unknown) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    switch (a.kind) {
      case "json":
        return json(a.body);
      case "status":
        res.writeHead(a.code);
        return res.end("error");
      case "garbage":
        res.writeHead(200, { "content-type": "text/html" });
        return res.end("<html>oops</html>");
      case "slow":
        setTimeout(() => json(a.body), a.ms).unref();
        return;
      case "hang":
        req.resume();
        return;
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/slo`,
    setBehavior: (b) => {
      current = b;
    },
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Listening on loopback for the tests' fake servers: 127.0.0.1, a free port, and a close that
 * also ends open (hanging) connections.
 */
import type * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A server listening on loopback. */
export interface Listening {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Stops listening and destroys open sockets, hanging requests included. */
  close(): Promise<void>;
}

/**
 * Makes `server` listen on 127.0.0.1 with a free port.
 *
 * @param server - the server, not yet listening
 */
export async function listenLoopback(server: http.Server): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      }),
  };
}

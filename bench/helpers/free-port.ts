/** A free TCP port on 127.0.0.1, for a server a test or benchmark starts (PostgreSQL, Prometheus). */
import * as net from "node:net";

/** Asks the kernel for a free loopback port and releases it for the caller to bind. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

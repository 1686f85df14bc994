/**
 * The baseline of the edge benchmark: a plain static file server (node:http), reading each
 * file from disk per request as the edge does, with the same media types. Run as its own
 * process so it does not share the load generator's event loop.
 *
 *   node dist/bench/helpers/static-server.js DIR   → prints the port on stdout
 */
import * as fs from "node:fs/promises";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { contentType, releaseFile } from "../../edge/worker/content";

const dir = path.resolve(process.argv[2] ?? ".");
const server = http.createServer(async (req, res) => {
  const file = releaseFile((req.url ?? "/").split("?")[0]?.slice(1) ?? "");
  if (file === null) {
    res.writeHead(404).end("not found\n");
    return;
  }
  try {
    const body = await fs.readFile(path.join(dir, file));
    res.writeHead(200, { "content-type": contentType(file), "cache-control": "no-store" }).end(body);
  } catch {
    res.writeHead(404).end("not found\n");
  }
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));

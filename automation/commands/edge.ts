/**
 * `glidepath edge --stack S [--port 8787]`: runs the local edge in the foreground on
 * 127.0.0.1 (the edge Worker on workerd): it serves the stack's releases, splits traffic by
 * the canary weights, measures the SLO per release for `glidepath rollout`, and serves the
 * investor panel at `/gamma/`. Ctrl-C stops it.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { stackContext } from "../lib/context";
import { serveEdge } from "../lib/edge/serve";
import { loadStackConfig } from "../lib/stack-config";
import { emit, parseArgs, progressLine, stackArgs, withStackOptions } from "./common";

export const command = "edge";
export const describe = "run the local edge (routing, SLO measurement, investor panel) in the foreground";

export function builder(y: Argv) {
  return withStackOptions(y).option("port", {
    type: "number",
    default: 8787,
    describe: "port on 127.0.0.1 (0: any free port)",
  });
}

const args = stackArgs.extend({
  port: z
    .number({ error: "expected a port number" })
    .int({ error: "expected an integer port" })
    .min(0, { error: "expected a port from 0 to 65535" })
    .max(65535, { error: "expected a port from 0 to 65535" }),
});

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(args, argv);
  const ctx = await stackContext({ stack: a.stack, projectDir: a.projectDir, progress: progressLine });
  const config = await loadStackConfig(ctx.stack);
  const edge = await serveEdge(ctx, config, { port: a.port });
  emit(
    a.json,
    { stack: a.stack, url: edge.url.toString(), apps: edge.apps, root: edge.root, pid: process.pid },
    () =>
      [
        `edge for stack ${a.stack} on ${edge.url}`,
        ...edge.apps.map((app) => `  ${new URL(`/${app}/`, edge.url)}`),
        `  SLO per release: ${new URL("/_glidepath/status", edge.url)}`,
        `reading ${edge.root}; Ctrl-C stops it`,
      ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await edge.close();
}

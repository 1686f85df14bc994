/**
 * The local edge's cost: throughput and p99 latency on loopback for a static page through the
 * edge Worker on workerd (route lookup, sticky split at 50%, disk read, outcome recorded),
 * against the same page from a plain static server (node:http) on the same machine, side by
 * side, runs alternating; the ratio of medians. A third column, the workerd floor (a Worker
 * that answers the same bytes from memory, on the same Miniflare setup), splits the gap into
 * the runtime's share and the router's. Load from autocannon (keep-alive connections, a new
 * visitor key per request).
 *
 * Run: `npm run bench -- edge-throughput` (BENCH_RUNS rounds, default 3; BENCH_SECONDS per
 * measurement, default 10; BENCH_CONNECTIONS, default 16).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import autocannon from "autocannon";
import { startEdgeHost } from "../edge/host/edge-host";
import { ROOT } from "./helpers/scratch-project";
import { median } from "./helpers/stats";
import { publishSample, writeRoute } from "./helpers/target-root";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);

/** A target root with wix v1 (stable) and v2 (canary at 50%). */
async function targetRoot(): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "gp-edge-bench-"));
  await writeRoute(
    root,
    "wix",
    await publishSample(root, "wix", "v1"),
    await publishSample(root, "wix", "v2"),
    50,
  );
  return root;
}

async function staticServer(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(ROOT, "dist/bench/helpers/static-server.js"), dir], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (d: Buffer) => resolve(d.toString().trim()));
    child.once("exit", (c) => reject(new Error(`static server exited ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

/** The runtime floor: a Worker answering the page from memory, no routing, no disk, no recording. */
async function floorWorker(page: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: true,
    script: `const page = ${JSON.stringify(page)};
export default { fetch() { return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } }); } };`,
    host: "127.0.0.1",
    port: 0,
    cf: false,
    compatibilityDate: "2025-01-01",
  });
  const url = await mf.ready;
  return { url: url.toString(), stop: () => mf.dispose() };
}

async function load(
  url: string,
): Promise<{ rps: number; p99: number; errors: number; non2xx: number; statuses: string }> {
  let n = 0;
  const r = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, "x-glidepath-visitor": `bench-${n++}` },
        }),
      },
    ],
  });
  const statuses = Object.entries(r.statusCodeStats ?? {})
    .filter(([code]) => !code.startsWith("2"))
    .map(([code, v]) => `${code}×${(v as { count: number }).count}`)
    .join(" ");
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx, statuses };
}

async function main(): Promise<void> {
  const root = await targetRoot();
  const edge = await startEdgeHost({
    stack: "bench",
    root,
    apps: ["wix"],
    adminKey: randomBytes(16).toString("hex"),
  });
  const plain = await staticServer(path.join(ROOT, "apps/wix/v1"));
  const floor = await floorWorker(await fs.readFile(path.join(ROOT, "apps/wix/v1/index.html"), "utf8"));
  const edgeUrl = new URL("/wix/", edge.url).toString();
  console.log(
    `edge ${edgeUrl} (workerd via miniflare) vs plain ${plain.url} (node:http); ${CONNECTIONS} connections, ${SECONDS}s each, ${RUNS} rounds, ${os.cpus().length} cores`,
  );
  await load(edgeUrl); // warm-up, untimed in the figures
  type Figures = Awaited<ReturnType<typeof load>>;
  const rows: { edge: Figures; plain: Figures; floor: Figures }[] = [];
  const show = (f: Figures) =>
    `${f.rps.toFixed(0)} req/s p99 ${f.p99} ms${f.errors + f.non2xx > 0 ? ` (errors ${f.errors}, non-2xx ${f.non2xx}: ${f.statuses})` : ""}`;
  try {
    for (let i = 0; i < RUNS; i++) {
      // Rotate the order so no target always runs first.
      const order = (["edge", "plain", "floor"] as const).map(
        (_, k, all) => all[(k + i) % all.length] as "edge" | "plain" | "floor",
      );
      const urls = { edge: edgeUrl, plain: plain.url, floor: floor.url };
      const row = {} as { edge: Figures; plain: Figures; floor: Figures };
      for (const target of order) row[target] = await load(urls[target]);
      rows.push(row);
      console.log(
        `round ${i + 1}: edge ${show(row.edge)} | plain ${show(row.plain)} | workerd floor ${show(row.floor)}`,
      );
    }
  } finally {
    plain.child.kill("SIGTERM");
    await edge.stop();
    await floor.stop();
    await fs.rm(root, { recursive: true, force: true });
  }
  const er = median(rows.map((r) => r.edge.rps));
  const pr = median(rows.map((r) => r.plain.rps));
  const ep = median(rows.map((r) => r.edge.p99));
  const pp = median(rows.map((r) => r.plain.p99));
  const fr = median(rows.map((r) => r.floor.rps));
  const fp = median(rows.map((r) => r.floor.p99));
  console.log(
    `median throughput: edge ${er.toFixed(0)} req/s, plain ${pr.toFixed(0)} req/s → edge/plain ${(er / pr).toFixed(2)}×; workerd floor ${fr.toFixed(0)} req/s → edge/floor ${(er / fr).toFixed(2)}×`,
  );
  console.log(
    `median p99 latency: edge ${ep} ms, plain ${pp} ms → edge/plain ${(ep / Math.max(pp, 1)).toFixed(2)}×; workerd floor ${fp} ms → edge/floor ${(ep / Math.max(fp, 1)).toFixed(2)}×`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

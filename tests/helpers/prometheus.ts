/**
 * Debian's Prometheus for tests: `promtool` to check the edge's exposition, and a real
 * `prometheus` server started by the test itself on loopback (a free port, a temporary TSDB
 * directory), scraping given targets every second. `bash scripts/bootstrap.sh` installs the
 * package; outside CI a missing binary skips the tests that need it with the reason printed,
 * inside CI (`CI` set) it fails them.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { freePort } from "../../bench/helpers/free-port";

/** Where Debian installs the binaries (also searched on PATH). */
const SYSTEM_DIRS = ["/usr/bin", "/usr/local/bin"];

/**
 * A binary of the Prometheus package, or undefined.
 *
 * @param name - `prometheus` or `promtool`
 */
export function findPrometheusBinary(name: "prometheus" | "promtool"): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), ...SYSTEM_DIRS].filter((d) => d !== "");
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      execFileSync(file, ["--version"], { stdio: "ignore" });
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Why the Prometheus tests cannot run on this machine, or undefined. */
export function prometheusProblem(): string | undefined {
  const missing = (["prometheus", "promtool"] as const).filter((b) => findPrometheusBinary(b) === undefined);
  if (missing.length === 0) return undefined;
  return `no ${missing.join(" or ")} (bash scripts/bootstrap.sh installs Debian's prometheus package)`;
}

/** Whether to skip the Prometheus tests: outside CI with the reason printed; inside CI it throws. */
export function skipWithoutPrometheus(): boolean {
  const reason = prometheusProblem();
  if (reason === undefined) return false;
  if (process.env.CI) throw new Error(`the Prometheus tests cannot run in CI: ${reason}`);
  console.warn(`skipping Prometheus tests: ${reason}`);
  return true;
}

/**
 * Runs `promtool check metrics` on an exposition.
 *
 * @param text - the exposition
 * @returns promtool's exit code and its output (lint problems are printed there)
 */
export function promtoolCheckMetrics(text: string): { code: number; output: string } {
  const promtool = findPrometheusBinary("promtool");
  if (promtool === undefined) throw new Error("promtool is not installed");
  try {
    const output = execFileSync(promtool, ["check", "metrics"], {
      input: text,
      encoding: "utf8",
      stdio: ["pipe", "pipe", "pipe"],
    });
    return { code: 0, output };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? 1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

/** A target to scrape. */
export interface ScrapeTarget {
  /** `host:port`, e.g. `127.0.0.1:8787`. */
  address: string;
  /** The metrics path. */
  path: string;
}

/** A running Prometheus. */
export interface PrometheusServer {
  /** `http://127.0.0.1:<port>/`. */
  url: string;
  /** What it printed so far (for failure messages). */
  log(): string;
  /**
   * Waits until every target has been scraped successfully at least `scrapes` times.
   *
   * @param scrapes - successful scrapes of each target @default 2
   * @param ms - bound @default 30000
   */
  waitForScrapes(scrapes?: number, ms?: number): Promise<void>;
  /** Kills it (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

/** One instant query's first value, or undefined for an empty result. */
async function instant(base: string, query: string): Promise<number | undefined> {
  const url = new URL("/api/v1/query", base);
  url.searchParams.set("query", query);
  const res = await fetch(url);
  const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
  const v = body.data?.result?.[0]?.value[1];
  return v === undefined ? undefined : Number(v);
}

/**
 * Starts `prometheus` on 127.0.0.1 with a free port, scraping the targets every second, and
 * waits until it is ready (`/-/ready`).
 *
 * @param targets - what to scrape (job `edge`)
 */
export async function startPrometheus(targets: readonly ScrapeTarget[]): Promise<PrometheusServer> {
  const binary = findPrometheusBinary("prometheus");
  if (binary === undefined) throw new Error("prometheus is not installed");
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-prometheus-"));
  const config = [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 1s",
    "  evaluation_interval: 1s",
    "scrape_configs:",
    ...targets.flatMap((t, i) => [
      `  - job_name: edge${i === 0 ? "" : `-${i}`}`,
      `    metrics_path: ${JSON.stringify(t.path)}`,
      "    static_configs:",
      `      - targets: [${JSON.stringify(t.address)}]`,
    ]),
    "",
  ].join("\n");
  await fs.writeFile(path.join(dir, "prometheus.yml"), config);
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=1h",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await fs.rm(dir, { recursive: true, force: true });
  };
  const until = async (what: string, ms: number, probe: () => Promise<boolean>) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (child.exitCode !== null)
        throw new Error(`prometheus exited (${child.exitCode}): ${output.slice(-2000)}`);
      if (await probe().catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`timed out waiting for ${what}: ${output.slice(-2000)}`);
  };
  try {
    await until("prometheus to be ready", 60_000, async () => (await fetch(new URL("/-/ready", url))).ok);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    log: () => output,
    async waitForScrapes(scrapes = 2, ms = 30_000) {
      // `up` is 1 after a successful scrape; counting its samples counts the scrapes.
      await until(`${scrapes} scrapes of every target`, ms, async () => {
        const n = await instant(url, `min(count_over_time(up[1h]) * up) >= ${scrapes}`);
        const targetsUp = await instant(url, "count(up == 1)");
        return n !== undefined && targetsUp === targets.length;
      });
    },
    stop,
  };
}

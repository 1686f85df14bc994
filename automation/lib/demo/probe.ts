/**
 * What the demo asks the edge directly: a release's figures over a window, the releases that
 * answer fresh visitors now, and which pages a release lost against another.
 */
import * as path from "node:path";
import { listFiles } from "../../../providers/targets/bundle";
import type { ReleaseFigures } from "./table";

/**
 * A release's figures over [since, until) as the edge measured them.
 *
 * @param edge - the edge's base URL
 * @param app - the app
 * @param version - the release's version
 * @param since - epoch ms
 * @param until - epoch ms
 */
export async function releaseFigures(
  edge: URL,
  app: string,
  version: string,
  since: number,
  until: number,
): Promise<ReleaseFigures> {
  const url = new URL("/_glidepath/slo", edge);
  for (const [k, v] of Object.entries({ app, version, since: String(since), until: String(until) })) {
    url.searchParams.set(k, v);
  }
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`the edge answered ${res.status} for ${url.pathname}${url.search}`);
  const body = (await res.json()) as ReleaseFigures;
  return { total: body.total, good: body.good, score: body.score };
}

/**
 * Sends `count` requests per app, each as a new visitor, and counts the releases that answered.
 *
 * @param edge - the edge's base URL
 * @param apps - the apps
 * @param count - requests per app @default 50
 */
export async function servingNow(
  edge: URL,
  apps: readonly string[],
  count = 50,
): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const app of apps) {
    const seen: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const res = await fetch(new URL(`/${app}/`, edge), {
        headers: { "x-glidepath-visitor": `probe-${Date.now().toString(36)}-${i}` },
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      const release = res.headers.get("x-glidepath-release") ?? `HTTP ${res.status}`;
      seen[release] = (seen[release] ?? 0) + 1;
    }
    out[app] = seen;
  }
  return out;
}

/**
 * The pages of an app's release as request paths under `/<app>/` (`index.html` as the directory).
 *
 * @param appsDir - the apps' source directory
 * @param app - the app
 * @param version - the version
 */
export async function pagesOf(appsDir: string, app: string, version: string): Promise<string[]> {
  const files = await listFiles(path.join(appsDir, app, version));
  return files.map((f) =>
    f === "index.html" ? "" : f.endsWith("/index.html") ? f.slice(0, -"index.html".length) : f,
  );
}

/**
 * Files `from` has and `to` lacks, as `<app>/<file>`.
 *
 * @param appsDir - the apps' source directory
 * @param app - the app
 * @param from - the version that has them
 * @param to - the version checked
 */
export async function lostFiles(appsDir: string, app: string, from: string, to: string): Promise<string[]> {
  const [a, b] = await Promise.all([
    listFiles(path.join(appsDir, app, from)),
    listFiles(path.join(appsDir, app, to)),
  ]);
  const kept = new Set(b);
  return a.filter((f) => !kept.has(f)).map((f) => `${app}/${f}`);
}

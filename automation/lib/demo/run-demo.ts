/**
 * `glidepath demo`: glidepath's whole job on one machine. In its own project
 * (`.glidepath/demo`), it starts the local edge and bounded synthetic traffic, deploys v1 as
 * stable, ramps v2 of every app through the gated steps and promotes it, then ramps v3 — whose
 * release lost files the stable release serves — and lets the gate catch it and roll back to
 * v2. Every change is a real `pulumi up` in stack history. The result is a report; the CLI
 * renders it.
 */
import * as path from "node:path";
import { startTraffic, type Traffic } from "../../../edge/host/traffic";
import { durationMs } from "../../../infra/config";
import { packageRoot, stackContext } from "../context";
import { type JoinedEntry, joinHistory } from "../driver/history-join";
import { rolloutReportSchema } from "../driver/report";
import { type ServedEdge, serveEdge } from "../edge/serve";
import { eventFiles, readSwarmEvents } from "../events/sinks";
import { readHistory } from "../history";
import { lookBack } from "../slo/edge-source";
import { loadStackConfig } from "../stack-config";
import { runGlidepath } from "./child";
import { screenshotPanel } from "./panel-shot";
import { lostFiles, pagesOf, releaseFigures, servingNow } from "./probe";
import { DEMO_ROLLOUT, prepareDemoProject } from "./project";
import type { DemoReport } from "./report";
import type { StepRow } from "./table";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** The stack (its committed file is the starting point). @default "local" */
  stack?: string;
  /** Edge port on 127.0.0.1. @default 0 - any free port */
  port?: number;
  /** Synthetic requests per second, all apps together. @default 120 */
  rate?: number;
  /** Progress lines. */
  progress: (line: string) => void;
}

/** A finished demo: the report, the history of this run, and the edge if kept. */
export interface DemoRun {
  report: DemoReport;
  history: JoinedEntry[];
  artifacts: string[];
  /** Stops the edge and the traffic (the CLI calls it at once, or after Ctrl-C with `--keep`). */
  close(): Promise<void>;
}

/** The versions the demo ramps. */
export const DEMO_VERSIONS = { stable: "v1", good: "v2", faulty: "v3" } as const;

/** Parsed JSON, or null for text that is not JSON (a command that died before its report). */
function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function ms(from: number): number {
  return Date.now() - from;
}

/**
 * Runs the demo. Never throws for a failed expectation: `report.ok` is false and
 * `report.problems` says why; throws only when it cannot start (toolchain, config, edge).
 *
 * @param opts - stack, port, rate and progress
 */
export async function runDemo(opts: DemoOptions): Promise<DemoRun> {
  const started = Date.now();
  const stack = opts.stack ?? "local";
  const rate = opts.rate ?? 120;
  const say = opts.progress;
  const timings: Record<string, number> = {};
  const problems: string[] = [];
  const root = packageRoot();
  const appsDir = path.join(root, "apps");

  let t = Date.now();
  const projectDir = await prepareDemoProject(root, stack);
  const ctx = await stackContext({ stack, projectDir, progress: say });
  const config = await loadStackConfig(ctx.stack);
  const apps = Object.keys(config.releases).sort();
  timings.prepare = ms(t);

  t = Date.now();
  const edge: ServedEdge = await serveEdge(ctx, config, { port: opts.port ?? 0 });
  timings.edgeStart = ms(t);
  const panelUrl = new URL("/gamma/", edge.url).toString();
  say(`edge on ${edge.url} (workerd); investor panel ${panelUrl}`);
  let traffic: Traffic | undefined;
  const close = async () => {
    await traffic?.stop();
    await edge.close();
  };

  try {
    // The driver's progress lines are passed through; `up` prints the engine's whole stream,
    // which only its last lines summarize.
    const cli = (args: string[], forward = true) =>
      runGlidepath(root, [...args, "--stack", stack, "--project-dir", projectDir], (l) => {
        if (forward && l.trim() !== "") say(`  │ ${l}`);
      });

    t = Date.now();
    say(`[1/4] deploy ${DEMO_VERSIONS.stable} as stable (pulumi up)`);
    const up = await cli(["up", "--json"], false);
    timings.deployStable = ms(t);
    if (up.code !== 0)
      throw new Error(`glidepath up exited ${up.code}: ${up.stderr.trim().split("\n").at(-1)}`);
    const deployed = jsonOrNull(up.stdout) as { message?: string } | null;
    say(`  │ ${deployed?.message ?? "deployed"} (${(timings.deployStable / 1000).toFixed(1)}s)`);

    const paths: Record<string, string[]> = {};
    for (const app of apps) paths[app] = await pagesOf(appsDir, app, DEMO_VERSIONS.stable);
    traffic = startTraffic({ baseUrl: edge.url, paths, ratePerSecond: rate, visitors: 1000 });
    say(
      `traffic: ${rate} requests/s from 1000 visitors over ${apps.map((a) => `${a} (${paths[a]?.length} pages)`).join(", ")}`,
    );

    const regression = (
      await Promise.all(apps.map((a) => lostFiles(appsDir, a, DEMO_VERSIONS.good, DEMO_VERSIONS.faulty)))
    ).flat();
    const ramps: DemoReport["ramps"] = [];
    const rows: StepRow[] = [];
    for (const [n, version, expected, stable] of [
      [2, DEMO_VERSIONS.good, "promoted", DEMO_VERSIONS.stable],
      [3, DEMO_VERSIONS.faulty, "rolled_back", DEMO_VERSIONS.good],
    ] as const) {
      t = Date.now();
      const lost = version === DEMO_VERSIONS.faulty ? ` — it lost ${regression.join(", ") || "nothing"}` : "";
      say(`[${n}/4] ramp ${version} through 5/25/50/100% (expected: ${expected.replace("_", " ")})${lost}`);
      const run = await cli(["rollout", "--version", version, "--json"]);
      timings[`ramp ${version}`] = ms(t);
      const parsed = rolloutReportSchema.safeParse(jsonOrNull(run.stdout));
      if (!parsed.success) {
        problems.push(
          `the ${version} ramp gave no report (exit ${run.code}): ${run.stderr.trim().split("\n").at(-1)}`,
        );
        continue;
      }
      const report = parsed.data;
      ramps.push({ expected, exitCode: run.code, report });
      if (report.outcome !== expected)
        problems.push(`the ${version} ramp was ${report.outcome}, expected ${expected}`);
      for (const s of report.steps) {
        for (const app of report.apps) {
          // Traffic split over the bake window; the canary's SLO over what the gate judged.
          const since = s.startedAt ?? 0;
          const until = s.endedAt ?? Date.now();
          const judgedSince = lookBack(since, durationMs(DEMO_ROLLOUT.interval));
          rows.push({
            version,
            stable,
            app,
            weight: s.weight,
            verdict: s.verdict,
            ...(s.reason ? { reason: s.reason } : {}),
            canaryFigures: await releaseFigures(edge.url, app, version, since, until),
            stableFigures: await releaseFigures(edge.url, app, stable, since, until),
            canaryJudged: await releaseFigures(edge.url, app, version, judgedSince, until),
          });
        }
      }
    }

    t = Date.now();
    say("[4/4] check what the edge serves now, read the history, screenshot the panel");
    const servingAfter = await servingNow(edge.url, apps);
    for (const app of apps) {
      const others = Object.keys(servingAfter[app] ?? {}).filter((r) => r !== `${app}@${DEMO_VERSIONS.good}`);
      if (others.length > 0)
        problems.push(`after the rollback ${app} was also served by ${others.join(", ")}`);
    }
    const events = await readSwarmEvents(eventFiles(projectDir).swarm, stack);
    const since = new Date(started - 1000).toISOString();
    const history = joinHistory(await readHistory(ctx.stack, false), events).filter(
      (h) => h.startTime >= since,
    );
    const screenshot = await screenshotPanel({
      url: panelUrl,
      out: path.join(projectDir, "artifacts", "panel.png"),
    });
    timings.verify = ms(t);
    timings.total = ms(started);
    const stats = traffic.stats();
    const report: DemoReport = {
      schema: "glidepath.demo-report/v1",
      ok: problems.length === 0,
      stack,
      projectDir,
      edgeUrl: edge.url.toString(),
      panelUrl,
      ramps,
      rows,
      servingAfter,
      regression,
      traffic: { sent: stats.sent, skipped: stats.skipped, failed: stats.failed, ratePerSecond: rate },
      screenshot,
      timings,
      problems,
    };
    const artifacts = [
      "swarm-events.jsonl",
      "runtime-events.jsonl",
      "rollout-report.json",
      "demo-report.json",
    ]
      .map((f) => path.join(projectDir, "artifacts", f))
      .concat("file" in screenshot ? [screenshot.file] : []);
    return { report, history, artifacts, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * The bake window of one step: sample every app's SLO every interval until the window ends,
 * judging each app's samples after every round; the first failing app ends the window early.
 * Besides the verdict, a bake hands the driver warnings for people (see {@link BakeResult.warnings}).
 */
import { type GateSpec, type GateVerdict, judgeGate, summarizeSamples } from "../slo/gate";
import type { SloSample, SloSource } from "../slo/sample";
import type { StepVerdict } from "./decide";

/** Per app: its samples and the gate's verdict on them. */
export interface AppBake {
  samples: SloSample[];
  verdict: GateVerdict;
}

/** What a bake observed. */
export interface BakeResult {
  /** The step's verdict over all apps. */
  verdict: StepVerdict;
  /** Per app: samples and verdict. */
  apps: Record<string, AppBake>;
  /** Window start and end (epoch ms). */
  startedAt: number;
  endedAt: number;
  /**
   * For people, at most one per bake: a window that did not fail while some app had only
   * score-only samples and `minRequests` was set (the guard could not apply to that app).
   */
  warnings: string[];
  /** The window was cut short by `signal`: its verdict does not count. @default false */
  interrupted?: boolean;
}

/** One round of samples, for progress display. */
export interface BakeProgress {
  /** Time left in the window (ms). */
  leftMs: number;
  /** Per app: the sample just taken and the summary so far. */
  apps: Record<string, { sample: SloSample; summary: ReturnType<typeof summarizeSamples> }>;
}

/** Options of {@link bake}. */
export interface BakeOptions {
  /** Apps to judge. */
  apps: readonly string[];
  /** Where samples come from. */
  source: SloSource;
  /** The gate. */
  gate: GateSpec;
  /** Window length (ms). */
  windowMs: number;
  /** Time between sampling rounds (ms). */
  intervalMs: number;
  /** Called after every round. @default - nothing */
  onRound?: (p: BakeProgress) => void;
  /** Clock. @default Date.now */
  now?: () => number;
  /** Ends the window early (a signal): samples in flight are aborted, no verdict is given. @default - never */
  signal?: AbortSignal;
  /** Sleep. @default - a timer */
  sleep?: (ms: number) => Promise<void>;
}

/** A timer that ends early when `signal` aborts. */
const timerSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** Combines per-app verdicts: any fail fails; then too little traffic; else pass (all passed). */
function combine(apps: Record<string, AppBake>): StepVerdict | undefined {
  const entries = Object.entries(apps);
  for (const [app, a] of entries) {
    if (a.verdict.status === "fail") {
      return { status: "fail", reason: `${app}: ${a.verdict.reason} (${a.verdict.detail})` };
    }
  }
  if (entries.some(([, a]) => a.verdict.status === "pending")) return undefined;
  const thin = entries.flatMap(([app, a]) =>
    a.verdict.status === "insufficient_traffic"
      ? [`${app} ${a.verdict.requests}/${a.verdict.needed} requests`]
      : [],
  );
  if (thin.length > 0) return { status: "insufficient_traffic", detail: thin.join(", ") };
  return { status: "pass" };
}

/**
 * The warning of a window whose apps' traffic could not be counted (pure).
 *
 * @param gate - the gate (its `minRequests`)
 * @param source - the source's description (no secrets)
 * @param apps - per app: its samples and verdict
 * @param verdict - the step's verdict
 * @returns no warning when the step failed, the guard is off, or every app's traffic was counted
 */
export function bakeWarnings(
  gate: GateSpec,
  source: string,
  apps: Readonly<Record<string, AppBake>>,
  verdict: StepVerdict,
): string[] {
  if (verdict.status === "fail" || gate.minRequests <= 0) return [];
  const blind = Object.entries(apps)
    .filter(([, a]) => a.samples.some((s) => s.ok) && summarizeSamples(a.samples).traffic === "unknown")
    .map(([app]) => app)
    .sort();
  if (blind.length === 0) return [];
  return [
    `the SLO source (${source}) gave scores without good/total counts for ${blind.join(", ")}: the minimum-traffic guard (minRequests ${gate.minRequests}) could not apply; the step's report says traffic: unknown`,
  ];
}

/**
 * Bakes one step.
 *
 * @param opts - apps, source, gate and timing
 */
export async function bake(opts: BakeOptions): Promise<BakeResult> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => timerSleep(ms, opts.signal));
  const startedAt = now();
  const endsAt = startedAt + opts.windowMs;
  const apps: Record<string, AppBake> = Object.fromEntries(
    opts.apps.map((app) => [app, { samples: [], verdict: { status: "pending" } as GateVerdict }]),
  );
  for (;;) {
    const round = await Promise.all(
      opts.apps.map(async (app) => [app, await opts.source.sample(app, opts.signal)] as const),
    );
    const t = now();
    if (opts.signal?.aborted) {
      const verdict: StepVerdict = { status: "fail", reason: "interrupted: the window was cut short" };
      return { verdict, apps, startedAt, endedAt: t, warnings: [], interrupted: true };
    }
    const progress: BakeProgress = { leftMs: Math.max(0, endsAt - t), apps: {} };
    for (const [app, sample] of round) {
      const a = apps[app] as AppBake;
      a.samples.push(sample);
      a.verdict = judgeGate(opts.gate, a.samples, { startedAt, endsAt, now: t });
      progress.apps[app] = { sample, summary: summarizeSamples(a.samples) };
    }
    opts.onRound?.(progress);
    const verdict = combine(apps);
    if (verdict !== undefined) {
      const warnings = bakeWarnings(opts.gate, opts.source.describe(), apps, verdict);
      return { verdict, apps, startedAt, endedAt: t, warnings };
    }
    await sleep(Math.max(0, Math.min(opts.intervalMs, endsAt - now())));
    if (opts.signal?.aborted) {
      const verdict: StepVerdict = { status: "fail", reason: "interrupted: the window was cut short" };
      return { verdict, apps, startedAt, endedAt: now(), warnings: [], interrupted: true };
    }
  }
}

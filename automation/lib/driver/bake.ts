/**
 * The bake window of one step: sample every app's SLO every interval until the window ends,
 * judging each app's samples after every round; the first failing app ends the window early.
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
  /** Sleep. @default - a timer */
  sleep?: (ms: number) => Promise<void>;
}

const timerSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
 * Bakes one step.
 *
 * @param opts - apps, source, gate and timing
 */
export async function bake(opts: BakeOptions): Promise<BakeResult> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? timerSleep;
  const startedAt = now();
  const endsAt = startedAt + opts.windowMs;
  const apps: Record<string, AppBake> = Object.fromEntries(
    opts.apps.map((app) => [app, { samples: [], verdict: { status: "pending" } as GateVerdict }]),
  );
  for (;;) {
    const round = await Promise.all(
      opts.apps.map(async (app) => [app, await opts.source.sample(app)] as const),
    );
    const t = now();
    const progress: BakeProgress = { leftMs: Math.max(0, endsAt - t), apps: {} };
    for (const [app, sample] of round) {
      const a = apps[app] as AppBake;
      a.samples.push(sample);
      a.verdict = judgeGate(opts.gate, a.samples, { startedAt, endsAt, now: t });
      progress.apps[app] = { sample, summary: summarizeSamples(a.samples) };
    }
    opts.onRound?.(progress);
    const verdict = combine(apps);
    if (verdict !== undefined) return { verdict, apps, startedAt, endedAt: t };
    await sleep(Math.max(0, Math.min(opts.intervalMs, endsAt - now())));
  }
}

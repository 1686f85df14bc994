/**
 * Where desired state lives: the backend. The releases, weights, ramp pointer and each ramped
 * app's `CanaryEnabled` flag that a working copy's stack file holds are a copy of what the
 * newest update deployed; glidepath writes them with a generation one higher each time. A stack
 * file whose generation is behind the newest update's was written before the stack's latest
 * change (a fresh or stale checkout): glidepath takes those keys from the backend before it does
 * anything, and keeps every other edit of the file. Pure.
 */
import { configValue, GENERATION_KEY, generationOf, type HistoryConfigValue, toGeneration } from "./history";

/** The newest update, as far as adopting its desired state needs it. */
export interface DeployedUpdate {
  /** Update number. */
  version: number;
  /** Its config (secrets masked: only plain keys are taken). */
  config: Readonly<Record<string, HistoryConfigValue>>;
}

/** What a stale stack file takes from the backend. */
export interface Adoption {
  /** Full key → value to write (`undefined` removes the key). */
  entries: Record<string, unknown>;
  /** The stack file's generation and the backend's. */
  from: number;
  to: number;
  /** One line per app or key whose value changes, for the user. */
  changes: string[];
}

type Releases = Record<string, { stable?: { version?: string }; canary?: { version?: string } }>;
type Flags = Record<string, Record<string, unknown>>;

const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

const releaseText = (r: Releases[string] | undefined): string =>
  r === undefined
    ? "none"
    : `stable ${r.stable?.version ?? "?"}${r.canary ? `, canary ${r.canary.version ?? "?"}` : ""}`;

/**
 * The keys a stack file must take from the newest update, when the file is behind it.
 *
 * @param file - the stack file's `config:` section as stored (plain values decoded)
 * @param deployed - the newest update of the stack
 * @returns undefined when the file is current (its generation is not behind)
 */
export function adoptionOf(
  file: Readonly<Record<string, unknown>>,
  deployed: DeployedUpdate,
): Adoption | undefined {
  const fileGeneration = toGeneration(file[GENERATION_KEY]);
  const generation = generationOf(deployed.config);
  if (fileGeneration >= generation) return undefined;
  const had = (key: string) => record(file[`glidepath:${key}`]);
  const got = (key: string) => record(configValue(deployed.config[`glidepath:${key}`]));
  const fileReleases = had("releases") as Releases;
  const deployedReleases = got("releases") as Releases;
  // Apps the backend deploys take its releases; an app only the file names is a new one: kept.
  const releases = { ...fileReleases, ...deployedReleases };
  const weights = { ...had("weights"), ...got("weights") };
  const flags = structuredClone(had("flags")) as Flags;
  for (const [app, appFlags] of Object.entries(got("flags") as Flags)) {
    const enabled = record(appFlags).CanaryEnabled;
    if (enabled === undefined) continue;
    flags[app] = { ...(flags[app] ?? {}), CanaryEnabled: enabled };
  }
  const ramp = configValue(deployed.config["glidepath:ramp"]);
  const changes: string[] = [];
  for (const app of Object.keys(deployedReleases).sort()) {
    const before = releaseText(fileReleases[app]);
    const after = releaseText(deployedReleases[app]);
    if (before !== after) changes.push(`${app}: ${before} → ${after}`);
  }
  const fileRamp = file["glidepath:ramp"];
  if (JSON.stringify(fileRamp ?? null) !== JSON.stringify(ramp ?? null)) {
    const v = (r: unknown) =>
      r === undefined ? "none" : `${String(record(r).version)} step ${String(record(r).step)}`;
    changes.push(`ramp: ${v(fileRamp)} → ${v(ramp)}`);
  }
  const entries: Record<string, unknown> = {
    "glidepath:releases": releases,
    "glidepath:weights": weights,
    "glidepath:flags": flags,
    "glidepath:ramp": ramp,
    [GENERATION_KEY]: generation,
  };
  if (Object.keys(weights).length === 0 && file["glidepath:weights"] === undefined)
    delete entries["glidepath:weights"];
  if (Object.keys(flags).length === 0 && file["glidepath:flags"] === undefined)
    delete entries["glidepath:flags"];
  if (Object.keys(releases).length === 0 && file["glidepath:releases"] === undefined)
    delete entries["glidepath:releases"];
  return { entries, from: fileGeneration, to: generation, changes };
}

/**
 * Turns `glidepath rollout` arguments plus the stack's config into a validated ramp request,
 * before anything is touched: every problem is exit 2 naming the flag, the value and the fix.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { durationMs, rolloutSchema, type StackConfig, VERSION } from "../../../infra/config";
import { GlidepathError } from "../errors";
import { redactUrl } from "../slo/http-source";
import { canarySource } from "./ramp-config";
import type { RolloutRequest } from "./rollout";

/** Flags of `glidepath rollout` that override `glidepath:rollout`. */
export interface RolloutOverrides {
  /** Canary weights. @default - `glidepath:rollout.steps` */
  steps?: number[];
  /** Bake window of each step but the last. @default - `glidepath:rollout.window` */
  window?: string;
  /** Bake window of the last step. @default - `glidepath:rollout.finalWindow` */
  finalWindow?: string;
  /** Minimum SLO score. @default - `glidepath:rollout.minSlo` */
  min?: number;
  /** Time between samples. @default - `glidepath:rollout.interval` */
  interval?: string;
  /** HTTP SLO source. @default - `glidepath:rollout.slo`, else {@link RolloutOverrides.badgeUrl} */
  sloUrl?: string;
  /**
   * The runbook's `NOTION_SLO_BADGE_URL` (environment or secret config), used when neither
   * `--slo-url` nor an HTTP `glidepath:rollout.slo` is given; it stays off the command line.
   * @default - none
   */
  badgeUrl?: string;
  /** Consecutive misses before failing closed. @default - `glidepath:rollout.maxMisses` */
  maxMisses?: number;
}

/** The config key each override replaces, and the flag that set it. */
const FLAG_OF: Record<string, string> = {
  steps: "--steps",
  window: "--window",
  finalWindow: "--final-window",
  minSlo: "--min",
  interval: "--interval",
  slo: "--slo-url",
  maxMisses: "--max-misses",
};

/** A planned ramp plus where its samples come from. */
export interface PlannedRollout extends RolloutRequest {
  /** The SLO source settings. */
  slo: { source: "edge" } | { source: "http"; url: string };
}

function argError(lines: string[]): GlidepathError {
  return new GlidepathError(
    "GP_ARG_INVALID",
    `invalid rollout; nothing was deployed:\n${lines.map((l) => `  ${l}`).join("\n")}`,
    "correct the flags (see `glidepath rollout --help`) or glidepath:rollout in the stack's config",
  );
}

/**
 * Plans a ramp.
 *
 * @param stack - the stack name (for messages)
 * @param cfg - the stack's validated config
 * @param version - the canary version
 * @param apps - the apps to ramp @default - every app with a release
 * @param overrides - flags that override `glidepath:rollout`
 * @param projectDir - where `apps/<app>/<version>` bundles live
 * @throws GlidepathError `GP_ARG_INVALID`, `GP_RAMP_CONFLICT` (exit 2)
 */
export function planRollout(
  stack: string,
  cfg: StackConfig,
  version: string,
  apps: readonly string[] | undefined,
  overrides: RolloutOverrides,
  projectDir: string,
): PlannedRollout {
  const problems: string[] = [];
  if (!VERSION.test(version))
    problems.push(`--version=${JSON.stringify(version)}: expected a tag matching ${VERSION}`);
  const withReleases = Object.keys(cfg.releases).sort();
  const chosen = [...new Set(apps ?? cfg.ramp?.apps ?? withReleases)].sort();
  if (chosen.length === 0)
    problems.push("--apps: no app has a release; deploy a stable release first with `glidepath up`");
  for (const app of chosen) {
    const r = cfg.releases[app];
    if (r === undefined) {
      problems.push(
        `--apps=${JSON.stringify(app)}: unknown app or no stable release; apps with releases: ${withReleases.join(", ") || "none"}`,
      );
    } else if (r.stable.version === version) {
      problems.push(
        `--version=${JSON.stringify(version)}: ${app} already runs ${version} as its stable release`,
      );
    } else if (
      VERSION.test(version) &&
      !fs
        .statSync(path.join(projectDir, canarySource(app, version)), { throwIfNoEntry: false })
        ?.isDirectory()
    ) {
      problems.push(
        `--version=${JSON.stringify(version)}: no bundle for ${app}; expected the directory ${canarySource(app, version)}`,
      );
    }
  }
  const merged = {
    ...cfg.rollout,
    ...(overrides.steps ? { steps: overrides.steps } : {}),
    ...(overrides.window ? { window: overrides.window } : {}),
    ...(overrides.finalWindow ? { finalWindow: overrides.finalWindow } : {}),
    ...(overrides.min !== undefined ? { minSlo: overrides.min } : {}),
    ...(overrides.interval ? { interval: overrides.interval } : {}),
    ...(overrides.maxMisses !== undefined ? { maxMisses: overrides.maxMisses } : {}),
    ...(overrides.sloUrl ? { slo: { source: "http" as const, url: overrides.sloUrl } } : {}),
    ...(!overrides.sloUrl && cfg.rollout.slo.source === "edge" && overrides.badgeUrl
      ? { slo: { source: "http" as const, url: overrides.badgeUrl } }
      : {}),
  };
  const parsed = rolloutSchema.safeParse(merged);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const key = String(i.path[0] ?? "");
      const flag = FLAG_OF[key] ?? `glidepath:rollout.${i.path.join(".")}`;
      // The SLO URL may carry a token: it is shown redacted.
      const url = key === "slo" ? (merged.slo as { url?: string }).url : undefined;
      const value = key === "slo" ? redactUrl(url ?? "") : (merged as Record<string, unknown>)[key];
      problems.push(`${flag}=${JSON.stringify(value)}: ${i.message}`);
    }
  }
  if (problems.length > 0 || !parsed.success) throw argError(problems);
  const r = parsed.data;
  const ramp = cfg.ramp;
  if (
    ramp !== undefined &&
    (ramp.version !== version ||
      ramp.apps.join(",") !== chosen.join(",") ||
      r.steps[ramp.step] !== ramp.weight)
  ) {
    throw new GlidepathError(
      "GP_RAMP_CONFLICT",
      `stack "${stack}" is in the middle of a ramp of ${ramp.apps.join(", ")} to ${ramp.version} (step ${ramp.step + 1} at ${ramp.weight}%), which this rollout does not continue; nothing was changed`,
      `resume it with \`glidepath rollout --stack ${stack} --version ${ramp.version}\` and the same steps, or end it with \`glidepath rollback --stack ${stack}\``,
    );
  }
  return {
    version,
    apps: chosen,
    steps: r.steps,
    windowMs: durationMs(r.window),
    finalWindowMs: durationMs(r.finalWindow),
    intervalMs: durationMs(r.interval),
    gate: {
      minSlo: r.minSlo,
      maxMisses: r.maxMisses,
      mode: r.mode,
      burn: {
        objective: r.burn.objective,
        longWindowMs: durationMs(r.burn.longWindow),
        shortWindowMs: durationMs(r.burn.shortWindow),
        maxBurnRate: r.burn.maxBurnRate,
      },
      minRequests: r.minRequests,
    },
    maxHolds: r.maxHolds,
    slo: r.slo,
  };
}

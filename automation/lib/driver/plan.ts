/**
 * Turns `glidepath rollout` arguments plus the stack's config into a validated ramp request,
 * before anything is touched: every problem is exit 2 naming the flag, the value and the fix.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  durationMs,
  rolloutSchema,
  type SloSettings,
  type StackConfig,
  VERSION,
} from "../../../infra/config";
import { GlidepathError } from "../errors";
import { redactUrl } from "../redact";
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

/** The `glidepath:rollout` keys the flags override: each flag, and its value among the overrides. */
const OVERRIDES: Readonly<Record<string, { flag: string; of: (o: RolloutOverrides) => unknown }>> = {
  steps: { flag: "--steps", of: (o) => o.steps },
  window: { flag: "--window", of: (o) => o.window },
  finalWindow: { flag: "--final-window", of: (o) => o.finalWindow },
  minSlo: { flag: "--min", of: (o) => o.min },
  interval: { flag: "--interval", of: (o) => o.interval },
  maxMisses: { flag: "--max-misses", of: (o) => o.maxMisses },
};

/** A planned ramp plus where its samples come from. */
export interface PlannedRollout extends RolloutRequest {
  /** The SLO source settings. */
  slo: SloSettings;
  /**
   * For people, before the first update (the ramp goes ahead): today at most one, when an HTTP
   * source may answer scores without counts while `minRequests` is set (see {@link planWarnings}).
   */
  warnings: string[];
}

/** Where an HTTP SLO source was configured, for messages. */
export type SloOrigin = "--slo-url" | "glidepath:rollout.slo" | "NOTION_SLO_BADGE_URL";

/**
 * The runbook's badge URL (`NOTION_SLO_BADGE_URL`), from the environment or the (secret) stack
 * config, as `rollout` and `check` both take it; empty values count as unset.
 *
 * @param env - environment variables
 * @param config - the stack's config, secrets included
 */
export function badgeUrlOf(
  env: Readonly<Record<string, string | undefined>>,
  config: Readonly<Record<string, unknown>>,
): string | undefined {
  const fromEnv = env.NOTION_SLO_BADGE_URL;
  if (fromEnv !== undefined && fromEnv.trim() !== "") return fromEnv;
  const fromConfig = config.NOTION_SLO_BADGE_URL;
  return typeof fromConfig === "string" && fromConfig.trim() !== "" ? fromConfig : undefined;
}

/**
 * Plan-time warnings (pure). An HTTP source cannot be promised to give good/total counts (a
 * badge often answers only a score), and with a score-only answer the minimum-traffic guard
 * cannot apply: so with `minRequests > 0` and an HTTP source, one warning says so.
 *
 * @param slo - the planned source and where it was configured (edge: no origin)
 * @param minRequests - the planned minimum
 */
export function planWarnings(
  slo: { source: "edge" | "prometheus" } | { source: "http"; origin: SloOrigin },
  minRequests: number,
): string[] {
  if (slo.source !== "http" || minRequests <= 0) return [];
  return [
    `the SLO source (${slo.origin}) is HTTP: if it answers a score without good/total counts, the minimum-traffic guard (glidepath:rollout.minRequests ${minRequests}) cannot apply and the step reports say traffic: unknown; have it answer {"good":…,"total":…} to keep the guard`,
  ];
}

/** The value at a path of a plain object (for messages), or undefined. */
function valueAt(root: unknown, at: readonly PropertyKey[]): unknown {
  let v = root;
  for (const k of at)
    v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
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
 * @returns the plan, with warnings for people (see {@link planWarnings})
 * @throws GlidepathError `GP_ARG_INVALID`, `GP_RAMP_CONFLICT` (exit 2); a flag given with an
 *   empty value is refused like any bad value, never replaced by the config's
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
  // An override counts when given (`!== undefined`): an empty value is refused, never a default.
  const origin: SloOrigin =
    overrides.sloUrl !== undefined
      ? "--slo-url"
      : cfg.rollout.slo.source === "edge" && overrides.badgeUrl !== undefined
        ? "NOTION_SLO_BADGE_URL"
        : "glidepath:rollout.slo";
  const sloUrl = origin === "--slo-url" ? overrides.sloUrl : overrides.badgeUrl;
  const merged: Record<string, unknown> = { ...cfg.rollout };
  for (const [key, o] of Object.entries(OVERRIDES)) {
    if (o.of(overrides) !== undefined) merged[key] = o.of(overrides);
  }
  if (origin !== "glidepath:rollout.slo") merged.slo = { source: "http", url: sloUrl };
  const parsed = rolloutSchema.safeParse(merged);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const key = String(i.path[0] ?? "");
      const o = OVERRIDES[key];
      if (key === "slo") {
        // The SLO URL may carry a token: it is shown redacted (an empty one as it is).
        const url = (merged.slo as { url?: string }).url ?? "";
        const where = origin === "glidepath:rollout.slo" ? `glidepath:rollout.${i.path.join(".")}` : origin;
        const value =
          i.path[1] === "url" || i.path.length < 2
            ? url.trim() === ""
              ? url
              : redactUrl(url)
            : valueAt(merged, i.path);
        problems.push(`${where}=${JSON.stringify(value)}: ${i.message}`);
      } else {
        const where = o?.of(overrides) !== undefined ? o.flag : `glidepath:rollout.${i.path.join(".")}`;
        problems.push(`${where}=${JSON.stringify(merged[key])}: ${i.message}`);
      }
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
      maxMissRatio: r.maxMissRatio,
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
    warnings: planWarnings(r.slo.source === "http" ? { source: "http", origin } : r.slo, r.minRequests),
  };
}

/**
 * The SLO badge a registry item shows: a stable category of its app's SLO now — `passing`
 * (a sample at or above `glidepath:rollout.minSlo`), `failing` (below it) or `unknown` (no
 * sample: the source could not be read, or it answered no traffic). A category, not the score:
 * a second sync with the SLO in the same state writes nothing. The source is the one the gate
 * samples, chosen by the same rule as `glidepath rollout`: `--slo-url`, else
 * `NOTION_SLO_BADGE_URL` when `glidepath:rollout.slo` is the edge, else
 * `glidepath:rollout.slo` (the edge, an HTTP endpoint or Prometheus). One sample per app per run.
 */
import { durationMs, rolloutSchema, type SloSettings, type StackConfig } from "../../../infra/config";
import { defaultLocalRoot } from "../../../infra/load-config";
import type { SloOrigin } from "../driver/plan";
import { sloSourceFor } from "../driver/slo-source";
import { GlidepathError, isGlidepathError } from "../errors";
import { redactUrl } from "../redact";
import type { SloSample } from "../slo/sample";

/** The badge categories. */
export const BADGES = ["passing", "failing", "unknown"] as const;

/** A badge. */
export type Badge = (typeof BADGES)[number];

/** One app's badge and why. */
export interface BadgeReading {
  badge: Badge;
  /** For people: the score and the minimum, or why unknown (never a secret). */
  detail: string;
}

/**
 * The badge of one sample (pure).
 *
 * @param sample - the app's sample
 * @param minSlo - `glidepath:rollout.minSlo` (percent)
 */
export function badgeOf(sample: SloSample, minSlo: number): BadgeReading {
  if (!sample.ok) return { badge: "unknown", detail: `${sample.miss}: ${sample.detail}` };
  if (sample.total === 0) return { badge: "unknown", detail: "no traffic in the sampled window" };
  return sample.score >= minSlo
    ? { badge: "passing", detail: `${sample.score} ≥ ${minSlo}` }
    : { badge: "failing", detail: `${sample.score} < ${minSlo}` };
}

/**
 * Where the badges come from (pure), by `glidepath rollout`'s rule.
 *
 * @param cfg - the stack's validated config
 * @param sloUrl - `--slo-url` @default - none
 * @param badgeUrl - `NOTION_SLO_BADGE_URL` (environment or secret config) @default - none
 * @throws GlidepathError `GP_ARG_INVALID` (exit 2) for an `--slo-url` or badge URL that is not an http(s) URL
 */
export function badgeSource(
  cfg: StackConfig,
  sloUrl?: string,
  badgeUrl?: string,
): { slo: SloSettings; origin: SloOrigin } {
  const origin: SloOrigin =
    sloUrl !== undefined
      ? "--slo-url"
      : cfg.rollout.slo.source === "edge" && badgeUrl !== undefined
        ? "NOTION_SLO_BADGE_URL"
        : "glidepath:rollout.slo";
  if (origin === "glidepath:rollout.slo") return { slo: cfg.rollout.slo, origin };
  const url = (origin === "--slo-url" ? sloUrl : badgeUrl) as string;
  const parsed = rolloutSchema.shape.slo.safeParse({ source: "http", url });
  if (!parsed.success)
    throw new GlidepathError(
      "GP_ARG_INVALID",
      `${origin}=${JSON.stringify(url.trim() === "" ? url : redactUrl(url))}: expected an http(s) URL; nothing was written`,
      origin === "--slo-url"
        ? "pass an http(s) URL to --slo-url"
        : "set NOTION_SLO_BADGE_URL to an http(s) URL",
    );
  return { slo: parsed.data, origin };
}

/** Options of {@link readBadges}. */
export interface BadgeReadOptions {
  /** The stack's name. */
  stack: string;
  /** The project directory (the local edge's discovery record). */
  projectDir: string;
  /** The stack's validated config. */
  cfg: StackConfig;
  /** The source, from {@link badgeSource}. */
  slo: SloSettings;
}

/**
 * One sample per app, as badges. Never throws for a source that cannot be read: its apps'
 * badges are `unknown`, and the detail says why.
 *
 * @param apps - the apps the registry's entries name
 * @param opts - the stack and the source
 * @returns per app, its badge; and the source's description (no secret)
 */
export async function readBadges(
  apps: readonly string[],
  opts: BadgeReadOptions,
): Promise<{ source: string; badges: Record<string, BadgeReading> }> {
  const intervalMs = durationMs(opts.cfg.rollout.interval);
  const badges: Record<string, BadgeReading> = {};
  let source = opts.slo.source === "edge" ? "edge" : `${opts.slo.source} ${redactUrl(opts.slo.url)}`;
  for (const app of [...new Set(apps)].sort()) {
    const release = opts.cfg.releases[app];
    if (opts.cfg.apps[app] === undefined) {
      badges[app] = { badge: "unknown", detail: `"${app}" is not an app of stack ${opts.stack}` };
      continue;
    }
    try {
      const s = await sloSourceFor(opts.slo, intervalMs, {
        stack: opts.stack,
        projectDir: opts.projectDir,
        localRoot: opts.cfg.localRoot ?? defaultLocalRoot(opts.projectDir, opts.stack),
        version: release?.canary?.version ?? release?.stable.version ?? "",
        ...(opts.cfg.targets.cloudflare?.edgeUrl === undefined
          ? {}
          : { edgeUrl: opts.cfg.targets.cloudflare.edgeUrl }),
      });
      source = s.describe();
      badges[app] = badgeOf(await s.sample(app), opts.cfg.rollout.minSlo);
    } catch (e) {
      if (!isGlidepathError(e)) throw e;
      badges[app] = { badge: "unknown", detail: `${e.code}: the SLO source cannot be read (${e.message})` };
    }
  }
  return { source, badges };
}

/**
 * Whether a golden tag's config can be restored today, pure. A rollback restores the tag's
 * releases, weights and flags on today's world; it refuses when that world has changed under
 * the tag: the environment, an app added or removed or moved to another target (or its target
 * settings changed), a target's settings (account, namespace, site ids, URLs), a WASM
 * deliverable removed, a secret the tag ran with that no longer exists. Every other key (the
 * releases, weights, flags and ramp above all) is what a rollback restores.
 */
import { configValue, type HistoryConfigValue } from "../history";

type Config = Readonly<Record<string, HistoryConfigValue>>;

const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

const show = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v));

/** Leaf paths where two plain values differ, as `path: then → now`. */
function leafDiff(path: string, then: unknown, now: unknown, out: string[]): void {
  const objects = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  if (objects(then) && objects(now)) {
    const a = record(then);
    const b = record(now);
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      leafDiff(`${path}.${k}`, a[k], b[k], out);
    return;
  }
  if (JSON.stringify(then) !== JSON.stringify(now)) out.push(`${path}: ${show(then)} → ${show(now)}`);
}

/**
 * The fields that make a tag's config incompatible with today's (empty when it can be restored).
 *
 * @param tag - the config of the update the tag recorded (secrets masked)
 * @param now - the stack's config today (secrets masked)
 * @returns one line per field, `field: in the tag → today`, sorted
 */
export function incompatibleFields(tag: Config, now: Config): string[] {
  const out: string[] = [];
  const apps = (c: Config) => record(configValue(c["glidepath:apps"]));
  const thenApps = apps(tag);
  const nowApps = apps(now);
  for (const app of [...new Set([...Object.keys(thenApps), ...Object.keys(nowApps)])].sort()) {
    if (!(app in nowApps)) out.push(`glidepath:apps.${app}: in the tag, removed since`);
    else if (!(app in thenApps))
      out.push(`glidepath:apps.${app}: added since the tag (a rollback would retire its releases)`);
    else leafDiff(`glidepath:apps.${app}`, thenApps[app], nowApps[app], out);
  }
  const thenWasm = record(configValue(tag["glidepath:wasm"]));
  const nowWasm = record(configValue(now["glidepath:wasm"]));
  for (const id of Object.keys(thenWasm).sort())
    if (!(id in nowWasm)) out.push(`glidepath:wasm.${id}: in the tag, removed since`);
  for (const key of ["glidepath:environment", "glidepath:targets"])
    leafDiff(key, configValue(tag[key]), configValue(now[key]), out);
  for (const key of Object.keys(tag).sort())
    if (tag[key]?.secret && now[key] === undefined) out.push(`${key}: a secret in the tag, absent today`);
  return out.sort();
}

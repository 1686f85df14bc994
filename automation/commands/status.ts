/**
 * `glidepath status --stack S [--json]`: releases, weights, ramp step, health
 * (healthy/degraded/failing with failure_streak, last_cycle_failed), rollout_gate, queue_depth,
 * the rollout counts, freshness (last_event_at, stale), the last gate verdicts and whether
 * the stack's config is valid (reported, not refused: status describes what is there).
 */
import type { Argv } from "yargs";
import { readStatus } from "../lib/driver/status";
import { configValidity } from "../lib/stack-config";
import { emit, openExistingStack, parseArgs, stackArgs, withStackOptions } from "./common";

export const command = "status";
export const describe = "what the stack serves, its health and the last gate verdicts";

export function builder(y: Argv) {
  return withStackOptions(y);
}

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(stackArgs, argv);
  const ctx = await openExistingStack(a, { tolerateInvalidStackFile: true });
  const s = { ...(await readStatus(ctx)), config: await configValidity(ctx.stack) };
  emit(a.json, s, () => {
    const apps = Object.keys(s.releases).sort();
    const lines = apps.map((app) => {
      const r = s.releases[app] as { stable?: { version: string }; canary?: { version: string } | null };
      const canary = r.canary ? ` canary ${r.canary.version} at ${s.weights[app] ?? 0}%` : "";
      return `  ${app}: stable ${r.stable?.version ?? "-"}${canary}`;
    });
    const ramp = s.ramp
      ? `ramp ${s.ramp.version}: step ${s.ramp.step} at ${s.ramp.weight}%`
      : "no ramp in progress";
    const gates = s.last_gates.map(
      (g) => `  ${g.ts} ${g.phase} ${g.verdict ?? ""}${g.reason ? ` (${g.reason})` : ""}`,
    );
    return [
      `stack ${s.stack}: ${s.health} (failure_streak ${s.failure_streak}${s.last_cycle_failed ? ", last cycle failed" : ""}), rollout_gate ${s.rollout_gate}`,
      `  ${s.cloud_rollout_count} app release(s), ${s.wasm_rollout_count} WASM deliverable(s); queue_depth ${s.queue_depth}; ${s.last_event_at ? `newest event ${s.last_event_at}` : "no events"}${s.stale ? ` (STALE: none in the last ${s.stale_after_seconds / 3600} h)` : ""}`,
      ...lines,
      ramp,
      s.lock
        ? `locked by ${s.lock.command} (pid ${s.lock.pid} on ${s.lock.host} since ${s.lock.since})${s.lock.alive ? "" : " — that process is gone: the next glidepath command clears the lock"}`
        : "not locked",
      ...(s.closing
        ? [
            `UNFINISHED ${s.closing.phase === "rolling_back" ? "ROLLBACK" : "PROMOTION"} of ${s.closing.apps.join(", ")} to ${s.closing.version}${s.closing.reason ? ` (${s.closing.reason})` : ""}: finish it with \`glidepath rollout --stack ${s.stack} --version ${s.closing.version}\``,
          ]
        : []),
      ...s.hold_reasons.map((r) => `  hold: ${r}`),
      ...(s.swarm_outbox
        ? [
            `SWARM log → ${s.swarm_outbox.destination}: ${s.swarm_outbox.pending === 0 ? "all delivered" : `${s.swarm_outbox.pending} pending (\`glidepath events flush --stack ${s.stack}\` delivers them)`}`,
          ]
        : []),
      s.config.valid
        ? "config valid"
        : `CONFIG INVALID (GP_CONFIG_INVALID): the next up or rollout refuses it:\n${s.config.message}`,
      gates.length ? "last gates:" : "no gate verdicts yet",
      ...gates,
    ].join("\n");
  });
}

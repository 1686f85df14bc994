/** Gate check `preflight`: every secret the stack's targets need is present (by name only). */
import { preflightSummary } from "../../driver/preflight";
import { type GateCheck, needsConfig, outcomeOf } from "./context";

export const preflightCheck: GateCheck = {
  id: "preflight",
  title: "preflight",
  async run(ctx) {
    if (!ctx.config.ok) return needsConfig(ctx) as never;
    const s = preflightSummary(ctx.stack.name, ctx.config.config, ctx.env, ctx.config.secretKeys);
    return outcomeOf(
      s.missing.map(
        (n) =>
          `${n} is missing (needed by ${s.neededBy[n]}): export it or \`pulumi config set --secret glidepath:${n}\``,
      ),
      `${Object.keys(s.secrets).length} required secrets present`,
    );
  },
};

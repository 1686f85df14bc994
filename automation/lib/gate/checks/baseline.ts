/** Gate check `baseline`: the bundles are within the signed baseline's tolerances (`deploy_baseline.env`). */
import { judgeBaseline } from "../../baseline/judge";
import type { GateCheck } from "./context";

export const baselineCheck: GateCheck = {
  id: "baseline",
  title: "baseline drift within tolerance",
  async run(ctx) {
    const j = await judgeBaseline(ctx.projectDir, ctx.stack.name, ctx.releases, ctx.signers);
    if (!j.ok)
      return { status: "FAIL", detail: j.lines.filter((l) => !l.startsWith("warning: ")).join("; ") };
    const warnings = j.lines.length > 0 ? ` (${j.lines.join("; ")})` : "";
    return { status: "PASS", detail: `every watched file within tolerance${warnings}` };
  },
};

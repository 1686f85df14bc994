/** Gate check `rolling-back`: no rollback an earlier driver left unfinished (the stack's closing mark). */
import { readClosing } from "../../driver/closing";
import type { GateCheck } from "./context";

export const rollingBackCheck: GateCheck = {
  id: "rolling-back",
  title: "no open rollback",
  async run(ctx) {
    const closing = await readClosing(ctx.stack).catch(() => "unreadable" as const);
    if (closing === "unreadable")
      return { status: "FAIL", detail: "the stack's closing mark cannot be read" };
    if (closing?.phase === "rolling_back")
      return {
        status: "FAIL",
        detail: `a rollback of ${closing.apps.join(", ")} from ${closing.version} is unfinished: finish it with \`glidepath rollout --stack ${ctx.stack.name} --version ${closing.version}\``,
      };
    return { status: "PASS", detail: "no rollback in progress" };
  },
};

/** Gate check `health`: the stack is not `failing` (three failures in a row in its runtime events). */
import { readHold } from "../../driver/hold";
import { eventFiles } from "../../events/sinks";
import type { GateCheck } from "./context";

export const healthCheck: GateCheck = {
  id: "health",
  title: "stack health not failing",
  async run(ctx) {
    const hold = await readHold(eventFiles(ctx.projectDir).runtime, ctx.stack.name);
    return hold.health === "failing"
      ? {
          status: "FAIL",
          detail: `the stack is failing (${hold.failure_streak} failures in a row: ${hold.reasons.at(-1) ?? ""})`,
        }
      : { status: "PASS", detail: `health ${hold.health}` };
  },
};

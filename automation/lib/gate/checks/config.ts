/** Gate check `config`: the stack's config validates (schema, sources, WASM compliance). */
import type { GateCheck } from "./context";

export const configCheck: GateCheck = {
  id: "config",
  title: "config valid",
  async run(ctx) {
    return ctx.config.ok
      ? { status: "PASS", detail: "the stack's config validates" }
      : { status: "FAIL", detail: ctx.config.error.replace(/\s*\n\s*/g, " ") };
  },
};

/**
 * `glidepath toolchain`: make sure the pinned Pulumi toolchain is installed; print where.
 */
import type { Argv } from "yargs";
import { z } from "zod";
import { ensureCommandPlugin } from "../lib/command-plugin";
import { packageRoot } from "../lib/context";
import { ensureToolchain } from "../lib/toolchain";
import { emit, parseArgs, progressLine } from "./common";

export const command = "toolchain";
export const describe = "install the pinned Pulumi toolchain if needed (installer, else Go build)";

export function builder(y: Argv) {
  return y.option("json", { type: "boolean", default: false, describe: "print one JSON document" });
}

export async function handler(argv: unknown): Promise<void> {
  const a = parseArgs(z.object({ json: z.boolean() }), argv);
  const tc = await ensureToolchain({ projectDir: packageRoot(), progress: progressLine });
  const commandPlugin = await ensureCommandPlugin(packageRoot());
  const { command: _handle, ...rest } = tc;
  const shown = { ...rest, commandPlugin };
  emit(
    a.json,
    shown,
    () => `pulumi ${tc.version} at ${tc.binDir} (${tc.source}); command plugin: ${commandPlugin}`,
  );
}

/**
 * vitest global setup: compile the program, providers and CLI (tsc, incremental) so the
 * program, provider and e2e tiers run exactly what `pulumi up` runs.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

export default function setup(): void {
  const root = path.resolve(__dirname, "../..");
  execFileSync(
    process.execPath,
    [path.join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}

/**
 * vitest global setup: compile the program, providers, CLI and edge Worker (tsc, incremental) so the
 * program, provider and e2e tiers run exactly what `pulumi up` runs.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";

export default function setup(): void {
  const root = path.resolve(__dirname, "../..");
  // The program and CLI (CommonJS), then the edge Worker (an ES module for workerd).
  for (const project of ["tsconfig.build.json", "edge/worker/tsconfig.json"]) {
    execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", project], {
      cwd: root,
      stdio: "inherit",
    });
  }
}

/**
 * The demo's own project: `<package>/.glidepath/demo/`, a git-ignored copy of the project
 * files with its own file backend and `local` target, so the demo never touches the user's
 * `local` stack and every run starts from the committed `Pulumi.local.yaml` (v1 stable) plus
 * the demo's short rollout windows. The compiled program is copied, not linked: the program
 * finds its project from where it runs, and a link would lead it back to the package.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { COMMAND_PLUGIN_DIR } from "../command-plugin";
import { writeStackKeys } from "../driver/stack-file";

/**
 * The demo's rollout settings: the runbook's steps with windows of seconds. `minRequests` is
 * set below the default (100, see `automation/lib/slo/defaults.ts`) on purpose: the demo's
 * traffic (about 120 req/s) gives the canary ~36 requests in a 6 s window at 5%, so the default
 * would hold the first step every time; 10 still refuses a window the canary did not serve.
 */
export const DEMO_ROLLOUT = {
  steps: [5, 25, 50, 100],
  window: "6s",
  finalWindow: "6s",
  interval: "1s",
  minSlo: 99,
  maxMisses: 3,
  mode: "threshold",
  minRequests: 10,
  maxHolds: 2,
  slo: { source: "edge" },
} as const;

/**
 * Creates or refreshes the demo project and returns its directory.
 *
 * @param packageRoot - the glidepath package (holds dist/, apps/, node_modules/)
 * @param stack - the stack file to start from @default "local"
 */
export async function prepareDemoProject(packageRoot: string, stack = "local"): Promise<string> {
  const dir = path.join(packageRoot, ".glidepath", "demo");
  await fs.mkdir(dir, { recursive: true });
  await fs.rm(path.join(dir, "dist"), { recursive: true, force: true });
  await fs.cp(path.join(packageRoot, "dist"), path.join(dir, "dist"), { recursive: true });
  // The bundles are copied, not linked: a release source must really be inside the project
  // (a link out of it is refused), and the demo then never writes into the package's apps/.
  await fs.rm(path.join(dir, "apps"), { recursive: true, force: true });
  await fs.cp(path.join(packageRoot, "apps"), path.join(dir, "apps"), { recursive: true });
  const modules = path.join(dir, "node_modules");
  if ((await fs.readlink(modules).catch(() => undefined)) !== path.join(packageRoot, "node_modules")) {
    await fs.rm(modules, { recursive: true, force: true });
    await fs.symlink(path.join(packageRoot, "node_modules"), modules);
  }
  for (const file of ["Pulumi.yaml", "package.json", `Pulumi.${stack}.yaml`]) {
    await fs.copyFile(path.join(packageRoot, file), path.join(dir, file));
  }
  // The project's command plugin launcher (Pulumi.yaml `plugins.providers`).
  await fs.cp(path.join(packageRoot, COMMAND_PLUGIN_DIR), path.join(dir, COMMAND_PLUGIN_DIR), {
    recursive: true,
  });
  await writeStackKeys(dir, stack, { rollout: DEMO_ROLLOUT });
  return dir;
}

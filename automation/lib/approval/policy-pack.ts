/**
 * The production policy pack every production update of the driver runs with: `--policy-pack
 * <project>/policy/run-pack.sh`. The pack is started through that executable shim because this
 * toolchain's Node language host cannot start a directory policy pack (its plugin runner is a
 * stub that answers "not supported"); the engine runs an executable pack path directly.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GlidepathError } from "../errors";
import { isProductionStack } from "./inputs";

/** The shim, relative to the project. */
export const POLICY_SHIM = path.join("policy", "run-pack.sh");

/**
 * The `pulumi up` arguments that run the production policy pack: none off production.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @throws GlidepathError `GP_TOOLCHAIN_MISSING` (a production update never runs without its pack)
 */
export function policyPackArgs(projectDir: string, stack: string): string[] {
  if (!isProductionStack(projectDir, stack)) return [];
  const shim = path.join(projectDir, POLICY_SHIM);
  try {
    fs.accessSync(shim, fs.constants.X_OK);
  } catch {
    throw new GlidepathError(
      "GP_TOOLCHAIN_MISSING",
      `the production policy pack's shim ${shim} is missing or not executable; nothing was changed`,
      `restore ${POLICY_SHIM} from the repository (\`git checkout -- ${POLICY_SHIM}\`, mode 755) and run \`npm run build\``,
    );
  }
  return ["--policy-pack", shim];
}

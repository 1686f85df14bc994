/**
 * Where `scripts/bootstrap.sh` builds actionlint (the workflow linter), and why the workflow
 * tests cannot run when it is not there. The version is read from `bootstrap.sh` itself, so
 * the two never disagree.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "./dist";

/** The actionlint version `scripts/bootstrap.sh` pins. */
export function actionlintVersion(): string {
  const script = fs.readFileSync(path.join(ROOT, "scripts", "bootstrap.sh"), "utf8");
  const m = /^ACTIONLINT_VERSION=(\S+)$/m.exec(script);
  if (m === null) throw new Error("scripts/bootstrap.sh pins no ACTIONLINT_VERSION");
  return m[1] as string;
}

/** The actionlint binary `bootstrap.sh` builds (under `$GLIDEPATH_CACHE`, default `~/.cache/glidepath`). */
export function actionlintPath(): string {
  const cache = process.env.GLIDEPATH_CACHE ?? path.join(os.homedir(), ".cache", "glidepath");
  return path.join(cache, "actionlint", `v${actionlintVersion()}`, "actionlint");
}

/** Why the workflow lint tests cannot run here, or undefined when actionlint is built. */
export function actionlintProblem(): string | undefined {
  const bin = actionlintPath();
  return fs.existsSync(bin)
    ? undefined
    : `actionlint ${actionlintVersion()} not built at ${bin}; run \`npm test\` (bootstrap.sh builds it with Go)`;
}

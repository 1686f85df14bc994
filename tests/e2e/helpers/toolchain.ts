/**
 * The e2e tier needs the real Pulumi toolchain. In CI its absence is a failure; elsewhere the
 * tier is skipped with the reason printed.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { defaultRoot, PULUMI_VERSION, REQUIRED_BINARIES } from "../../../automation/lib/toolchain";

function versionOf(pulumi: string): string | undefined {
  try {
    return execFileSync(pulumi, ["version"], {
      encoding: "utf8",
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    })
      .trim()
      .replace(/^v/, "");
  } catch {
    return undefined;
  }
}

/** Why the e2e tier cannot run on this machine, or undefined when the toolchain is there. */
export function toolchainProblem(): string | undefined {
  const binDir = path.join(defaultRoot(PULUMI_VERSION), "bin");
  const missing = REQUIRED_BINARIES.filter((b) => !fs.existsSync(path.join(binDir, b)));
  const version = missing.includes("pulumi") ? undefined : versionOf(path.join(binDir, "pulumi"));
  if (missing.length === 0 && version === PULUMI_VERSION) return undefined;
  return `Pulumi ${PULUMI_VERSION} toolchain not installed at ${binDir} (missing: ${missing.join(", ") || "none"}, version: ${version ?? "n/a"}); run \`npm run toolchain\``;
}

/** The toolchain's bin directory, or undefined (outside CI) with the reason printed. */
export function toolchainBinDir(): string | undefined {
  const reason = toolchainProblem();
  if (reason === undefined) return path.join(defaultRoot(PULUMI_VERSION), "bin");
  if (process.env.CI) throw new Error(`e2e tier cannot run in CI: ${reason}`);
  console.warn(`skipping e2e tier: ${reason}`);
  return undefined;
}

/**
 * The environment every Pulumi invocation runs with: backend, secrets passphrase, update
 * check off, and a PATH on which `node` is the Node 22+ running glidepath and `pulumi` is
 * the pinned toolchain. Pure: takes the ambient environment as an argument.
 */
import * as path from "node:path";
import { GlidepathError } from "./errors";

/** The development passphrase of the `local` stack (documented in README.md; local only). */
export const LOCAL_DEV_PASSPHRASE = "glidepath-local-development";

/** Stacks that may fall back to {@link LOCAL_DEV_PASSPHRASE}. */
export const DEV_PASSPHRASE_STACKS: ReadonlySet<string> = new Set(["local"]);

/**
 * Refuses a stack without a passphrase unless it may use the development one. Cheap: call it
 * before anything else so a missing secret fails fast.
 *
 * @param stack - stack name
 * @param env - the ambient environment @default - `process.env`
 * @throws GlidepathError `GP_PASSPHRASE_MISSING` (exit 2)
 */
export function assertPassphrase(stack: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.PULUMI_CONFIG_PASSPHRASE || env.PULUMI_CONFIG_PASSPHRASE_FILE || DEV_PASSPHRASE_STACKS.has(stack))
    return;
  throw new GlidepathError(
    "GP_PASSPHRASE_MISSING",
    `stack "${stack}" needs PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE); only the local stack has a development passphrase`,
    "export PULUMI_CONFIG_PASSPHRASE from your secret store before running glidepath",
  );
}

/** Inputs of {@link pulumiEnv}. */
export interface PulumiEnvInput {
  /** Stack name; decides whether the development passphrase is allowed. */
  stack: string;
  /** Project directory (holds Pulumi.yaml). */
  projectDir: string;
  /** Directory of the Pulumi binaries. */
  pulumiBinDir: string;
  /** Directory of the `node` binary to put first on PATH. @default - the running Node's */
  nodeBinDir?: string;
  /** The ambient environment. @default - `process.env` */
  env?: NodeJS.ProcessEnv;
}

/** Where local state lives unless `PULUMI_BACKEND_URL` says otherwise. */
export function defaultStateDir(projectDir: string): string {
  return path.join(projectDir, ".glidepath", "pulumi");
}

/**
 * Builds the environment variables for Pulumi invocations.
 *
 * @throws GlidepathError `GP_PASSPHRASE_MISSING` for a non-local stack without `PULUMI_CONFIG_PASSPHRASE`
 */
export function pulumiEnv(input: PulumiEnvInput): Record<string, string> {
  const env = input.env ?? process.env;
  const nodeBinDir = input.nodeBinDir ?? path.dirname(process.execPath);
  assertPassphrase(input.stack, env);
  const out: Record<string, string> = {
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_BACKEND_URL: env.PULUMI_BACKEND_URL ?? `file://${defaultStateDir(input.projectDir)}`,
    PATH: [nodeBinDir, input.pulumiBinDir, env.PATH ?? ""].filter(Boolean).join(path.delimiter),
  };
  if (DEV_PASSPHRASE_STACKS.has(input.stack)) {
    // The local stack's encryption salt is committed for this passphrase: an ambient passphrase
    // meant for staging or production would only fail to decrypt it.
    out.PULUMI_CONFIG_PASSPHRASE = LOCAL_DEV_PASSPHRASE;
  } else if (env.PULUMI_CONFIG_PASSPHRASE) {
    out.PULUMI_CONFIG_PASSPHRASE = env.PULUMI_CONFIG_PASSPHRASE;
  } else if (env.PULUMI_CONFIG_PASSPHRASE_FILE) {
    out.PULUMI_CONFIG_PASSPHRASE_FILE = env.PULUMI_CONFIG_PASSPHRASE_FILE;
  }
  return out;
}

/** The backend directory when the backend is a `file://` URL; undefined otherwise. */
export function fileBackendDir(backendUrl: string): string | undefined {
  return backendUrl.startsWith("file://") ? backendUrl.slice("file://".length) : undefined;
}

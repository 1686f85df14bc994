/**
 * Deploy logs on disk, one file per release run of a build, under the stack's audit directory:
 * `<audit dir>/deploy-logs/<build id>/<time>.log`. Each is written once (never replaced) and its
 * SHA-256 is what the run's `deploy` audit entry records as `deployLogDigest`, so an edit of the
 * file shows against the audit log.
 *
 * `recordDeploy` (automation/lib/gate/production.ts) calls {@link writeDeployLog} once per
 * production update or ramp, when it has ended, and puts the returned `digest` into the `deploy`
 * audit entry.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { auditDir } from "../audit/log-file";
import { GlidepathError } from "../errors";
import { type DeployLogSection, renderDeployLog } from "./render";

/** A build id as {@link buildId} makes them. */
const BUILD_ID = /^[0-9a-f]{16}$/;

/**
 * The directory of a build's deploy logs.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param buildId - the build id
 * @param backendUrl - the backend @default - as the audit log's
 */
export function deployLogDir(
  projectDir: string,
  stack: string,
  buildId: string,
  backendUrl?: string,
): string {
  if (!BUILD_ID.test(buildId))
    throw new GlidepathError(
      "GP_ARG_INVALID",
      `build id ${JSON.stringify(buildId)} is not 16 lowercase hex digits`,
      "pass a build id as glidepath gate or evidence capture print it",
    );
  return path.join(auditDir(projectDir, stack, backendUrl), "deploy-logs", buildId);
}

/** Options of {@link writeDeployLog}. */
export interface WriteDeployLogOptions {
  /** The project directory. */
  projectDir: string;
  /** The stack. */
  stack: string;
  /** The build the run released. */
  buildId: string;
  /** The run's parts, in order: gate output, approval (signer, nonce; never a key), update id/version, verification results. */
  sections: readonly DeployLogSection[];
  /** Values to keep out of the file (the stack's passphrase, admin keys, tokens). @default - none */
  secrets?: readonly string[];
  /** The backend. @default - as the audit log's */
  backendUrl?: string;
  /** The clock. @default () => new Date() */
  now?: () => Date;
}

/** A written deploy log. */
export interface DeployLogRef {
  /** Its path. */
  file: string;
  /** SHA-256 hex of its bytes: the `deployLogDigest` of the `deploy` audit entry. */
  digest: string;
}

/**
 * Writes a deploy log (redacted: see {@link renderDeployLog}) and returns its path and digest.
 *
 * @param opts - the stack, the build, the sections and what to keep out
 * @throws GlidepathError `GP_ARG_INVALID` for a build id that is not one
 */
export async function writeDeployLog(opts: WriteDeployLogOptions): Promise<DeployLogRef> {
  const dir = deployLogDir(opts.projectDir, opts.stack, opts.buildId, opts.backendUrl);
  const time = opts.now?.() ?? new Date();
  const text = renderDeployLog({
    stack: opts.stack,
    buildId: opts.buildId,
    time,
    sections: opts.sections,
    secrets: opts.secrets,
  });
  await fs.mkdir(dir, { recursive: true });
  const stamp = time.toISOString().replace(/[:.]/g, "-");
  for (let n = 0; ; n++) {
    const file = path.join(dir, `${stamp}${n === 0 ? "" : `.${n}`}.log`);
    try {
      // Exclusive create: a deploy log is never replaced.
      await fs.writeFile(file, text, { flag: "wx", mode: 0o644 });
      return { file, digest: createHash("sha256").update(text).digest("hex") };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
  }
}

/** Orders `<time>.log`, `<time>.1.log`, `<time>.2.log`, … as they were written. */
function byWriteOrder(a: string, b: string): number {
  const key = (n: string) => {
    const m = /^(.*?)(?:\.(\d+))?\.log$/.exec(n) as RegExpExecArray;
    return { stamp: m[1] as string, n: Number(m[2] ?? 0) };
  };
  const x = key(a);
  const y = key(b);
  return x.stamp < y.stamp ? -1 : x.stamp > y.stamp ? 1 : x.n - y.n;
}

/**
 * The deploy logs of a build, oldest first, each with its digest as it is on disk now.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param buildId - the build id
 * @param backendUrl - the backend @default - as the audit log's
 */
export async function readDeployLogs(
  projectDir: string,
  stack: string,
  buildId: string,
  backendUrl?: string,
): Promise<DeployLogRef[]> {
  const dir = deployLogDir(projectDir, stack, buildId, backendUrl);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const out: DeployLogRef[] = [];
  for (const n of names.filter((x) => x.endsWith(".log")).sort(byWriteOrder)) {
    const file = path.join(dir, n);
    out.push({
      file,
      digest: createHash("sha256")
        .update(await fs.readFile(file))
        .digest("hex"),
    });
  }
  return out;
}

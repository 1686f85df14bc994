/**
 * The setup of the e2e tests on a production-shaped stack: the stack created in a scratch
 * project with the remote world's config for it, and the release manager's key (kept outside
 * the project, as a person keeps it) with its line in the committed allowed-signers file.
 */
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ALLOWED_SIGNERS_FILE, allowedSignerLine } from "../../automation/lib/signing/keys";
import { type RemoteWorld, SCOPES } from "../../bench/helpers/remote-world";
import type { ScratchProject } from "../../bench/helpers/scratch-project";

/**
 * The environment a command on `stack` runs with in the world: the targets' credentials and the
 * scope ids they were issued for (preflight wants both, as production needs them).
 *
 * @param world - the fakes and the edge
 * @param stack - the stack
 */
export function worldEnv(world: RemoteWorld, stack: "staging" | "production"): NodeJS.ProcessEnv {
  const s = SCOPES[stack];
  return {
    ...world.env(stack),
    CLOUDFLARE_ACCOUNT_ID: s.accountId,
    WIX_SITE_ID: s.siteId,
    GAMMA_SPACE_ID: s.folderId,
  };
}

/**
 * Creates `stack` in the project and gives its stack file the world's config for it.
 *
 * @param p - the project (its env points at the backend)
 * @param world - the fakes and the edge
 * @param stack - the stack
 */
export async function initWorldStack(
  p: ScratchProject,
  world: RemoteWorld,
  stack: "staging" | "production",
): Promise<void> {
  const init = await p.pulumi(["stack", "init", stack]);
  if (init.code !== 0) throw new Error(`pulumi stack init ${stack} failed: ${init.stderr}`);
  const file = path.join(p.dir, `Pulumi.${stack}.yaml`);
  const doc = (parse(await fs.readFile(file, "utf8")) ?? {}) as Record<string, unknown>;
  await fs.writeFile(file, stringify({ ...doc, config: world.stackConfig(stack) }));
}

/**
 * A release manager's Ed25519 key, written 0600 in a directory of its own outside the project,
 * and its line in the project's allowed-signers file.
 *
 * @param projectDir - the project that lists the key
 * @param principal - who the key is
 * @param namespaces - what the line lets the key sign
 * @returns the key file
 */
export async function releaseManagerKey(
  projectDir: string,
  principal: string,
  namespaces: readonly string[],
): Promise<string> {
  const { privateKey } = generateKeyPairSync("ed25519");
  const keyFile = path.join(await fs.mkdtemp(path.join(os.tmpdir(), "gp-rm-")), "rm.pem");
  await fs.writeFile(keyFile, privateKey.export({ format: "pem", type: "pkcs8" }), { mode: 0o600 });
  await fs.writeFile(
    path.join(projectDir, ALLOWED_SIGNERS_FILE),
    `${allowedSignerLine(principal, privateKey, [...namespaces])}\n`,
  );
  return keyFile;
}

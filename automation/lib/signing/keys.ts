/**
 * Loading what signatures need from disk: the committed allowed-signers file and the signer's
 * private key. The key is read from a path the person names (`--key`, or
 * `GLIDEPATH_SIGNING_KEY_FILE`), held in memory only, and never copied into the repository, the
 * state or any output.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { GlidepathError } from "../errors";
import { type AllowedSigner, parseAllowedSigners } from "./allowed-signers";
import { ED25519, ed25519Blob } from "./ssh-wire";

/** The allowed-signers file of a project, committed beside `Pulumi.yaml`. */
export const ALLOWED_SIGNERS_FILE = "glidepath.allowed_signers";

/** The environment variable naming the signer's private key file. */
export const SIGNING_KEY_ENV = "GLIDEPATH_SIGNING_KEY_FILE";

/**
 * Reads an allowed-signers file; a missing file lists nobody.
 *
 * @param file - the file
 * @throws GlidepathError `GP_SIGNERS_INVALID` (exit 2) for a line that does not parse
 */
export async function loadAllowedSigners(
  file: string,
): Promise<{ signers: AllowedSigner[]; exists: boolean }> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { signers: [], exists: false };
    throw e;
  }
  return { signers: parseAllowedSigners(text, file), exists: true };
}

/**
 * The signer's Ed25519 private key, from a PEM (PKCS#8) file, e.g. one made by
 * `openssl genpkey -algorithm ed25519 -out release-manager.pem`.
 *
 * @param given - the `--key` value @default - `$GLIDEPATH_SIGNING_KEY_FILE`
 * @param env - the environment @default - `process.env`
 * @throws GlidepathError `GP_SIGNING_KEY_INVALID` (exit 2) naming the file (never its content)
 */
export async function loadSigningKey(
  given?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<KeyObject> {
  const file = given ?? env[SIGNING_KEY_ENV];
  const fix = `pass --key FILE or set ${SIGNING_KEY_ENV} to a PEM Ed25519 private key (\`openssl genpkey -algorithm ed25519 -out key.pem\`), kept outside the repository`;
  if (file === undefined || file === "")
    throw new GlidepathError("GP_SIGNING_KEY_INVALID", "no signing key was named; nothing was written", fix);
  let pem: string;
  try {
    pem = await fs.readFile(path.resolve(file), "utf8");
  } catch (e) {
    throw new GlidepathError(
      "GP_SIGNING_KEY_INVALID",
      `signing key ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"}); nothing was written`,
      fix,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new GlidepathError(
      "GP_SIGNING_KEY_INVALID",
      `signing key ${file} is not a PEM private key node can read (an OpenSSH-format key is not); nothing was written`,
      fix,
    );
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw new GlidepathError(
      "GP_SIGNING_KEY_INVALID",
      `signing key ${file} is a ${key.asymmetricKeyType} key, not Ed25519; nothing was written`,
      fix,
    );
  return key;
}

/**
 * The allowed-signers line of a key (what goes into {@link ALLOWED_SIGNERS_FILE}).
 *
 * @param principal - who the key belongs to (`release-manager@example.com`)
 * @param key - the key (private or public)
 * @param namespaces - what it may sign @default - `glidepath-audit`
 */
export function allowedSignerLine(
  principal: string,
  key: KeyObject,
  namespaces: readonly string[] = ["glidepath-audit"],
): string {
  return `${principal} namespaces="${namespaces.join(",")}" ${ED25519} ${ed25519Blob(key).toString("base64")}`;
}

/**
 * Writes glidepath keys into a stack's config file (`Pulumi.<stack>.yaml`) directly, as
 * `pulumi config set` would: the rest of the file (comments, the encryption salt, secure
 * values) is kept as it is, and the file is replaced atomically. The driver writes a whole
 * phase at once this way instead of one CLI call per key. Values written here are never
 * secrets (the schema refuses secrets outside the secret keys).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { CONFIG_NAMESPACE } from "../../../infra/config";
import { writeFileAtomic } from "../atomic-write";
import { GlidepathError } from "../errors";

/**
 * Sets (or, for `undefined`, removes) `glidepath:<key>` entries of the stack's config file.
 *
 * @param projectDir - the project directory
 * @param stack - the stack name
 * @param values - key (without namespace) → plain value, or `undefined` to remove it
 */
export function writeStackKeys(
  projectDir: string,
  stack: string,
  values: Readonly<Record<string, unknown>>,
): Promise<void> {
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  return writeConfigKeys(file, file, values);
}

/**
 * Sets (or, for `undefined`, removes) config entries of any namespace, by full key
 * (`glidepath:weights`, `aws:region`), in the stack's config file.
 *
 * @param projectDir - the project directory
 * @param stack - the stack name
 * @param entries - full key → plain value, or `undefined` to remove it
 */
export function writeStackEntries(
  projectDir: string,
  stack: string,
  entries: Readonly<Record<string, unknown>>,
): Promise<void> {
  const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
  return writeConfigEntries(file, file, entries);
}

/**
 * Reads a stack config file, sets (or removes) `glidepath:<key>` entries, and writes the
 * result to `to` atomically (the same file, or a copy for a preview).
 *
 * @param from - the config file to start from (a missing file is an empty config)
 * @param to - where to write
 * @param values - key (without namespace) → plain value, or `undefined` to remove it
 */
export function writeConfigKeys(
  from: string,
  to: string,
  values: Readonly<Record<string, unknown>>,
): Promise<void> {
  return writeConfigEntries(
    from,
    to,
    Object.fromEntries(Object.entries(values).map(([k, v]) => [`${CONFIG_NAMESPACE}:${k}`, v])),
  );
}

async function writeConfigEntries(
  from: string,
  to: string,
  entries: Readonly<Record<string, unknown>>,
): Promise<void> {
  const file = from;
  const text = await fs.readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return "config: {}\n";
    throw e;
  });
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new GlidepathError(
      "GP_CONFIG_INVALID",
      `cannot parse ${path.basename(file)}: ${doc.errors[0]?.message.split("\n")[0]}`,
      `correct the YAML of ${file} (indent with spaces, close every quote), then run the command again`,
    );
  }
  if (!doc.has("config")) doc.set("config", doc.createNode({}));
  for (const [full, value] of Object.entries(entries)) {
    if (value === undefined) doc.deleteIn(["config", full]);
    else doc.setIn(["config", full], doc.createNode(value));
  }
  // New strings are double-quoted: Pulumi reads an unquoted ISO time as a YAML timestamp and
  // hands the program another text. Existing entries keep their style.
  await writeFileAtomic(
    to,
    doc.toString({ lineWidth: 0, defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" }),
  );
}

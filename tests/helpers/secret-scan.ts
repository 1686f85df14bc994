/**
 * Secret scans for the e2e tier: look for secret values in texts and in every file under a
 * directory, as they are and base64-encoded (at any alignment inside a longer base64 stream).
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";

/** One place a secret was found. */
export interface SecretHit {
  /** Where (a label or a file path). */
  where: string;
  /** The secret found. */
  secret: string;
  /** How it appeared. */
  as: "plain" | "base64";
}

/**
 * The base64 forms of a secret that appear in any base64 encoding of a text containing it: one
 * per alignment (0, 1, 2 bytes before it), without the characters its neighbours share.
 *
 * @param secret - the secret
 */
export function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, "utf8");
  return [0, 1, 2].map((pad) => {
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString("base64");
    // Characters that depend on the padding bytes, or on bytes after the secret, are dropped.
    const start = Math.ceil((pad * 8) / 6);
    const end = Math.floor(((pad + bytes.length) * 8) / 6);
    return b64.slice(start, end);
  });
}

/**
 * Finds secrets in labelled texts.
 *
 * @param texts - label → text
 * @param secrets - the values that must not appear (at least 8 characters, or base64 forms match by chance)
 */
export function scanTexts(texts: Readonly<Record<string, string>>, secrets: readonly string[]): SecretHit[] {
  const hits: SecretHit[] = [];
  for (const secret of secrets) {
    if (secret.length < 8)
      throw new Error(`scan for a secret of at least 8 characters, not ${secret.length}`);
    const encoded = base64Forms(secret);
    for (const [where, text] of Object.entries(texts)) {
      if (text.includes(secret)) hits.push({ where, secret, as: "plain" });
      else if (encoded.some((e) => text.includes(e))) hits.push({ where, secret, as: "base64" });
    }
  }
  return hits;
}

/**
 * Every regular file under a directory (recursively), as text keyed by its path.
 *
 * @param dir - the directory (a missing one is empty)
 * @param skip - paths relative to `dir` to leave out @default - none
 */
export async function filesUnder(dir: string, skip: readonly string[] = []): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const names = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  for (const name of names) {
    if (skip.includes(name)) continue;
    const file = path.join(dir, name);
    const stat = await fs.lstat(file);
    if (stat.isFile()) out[file] = await fs.readFile(file, "latin1");
  }
  return out;
}

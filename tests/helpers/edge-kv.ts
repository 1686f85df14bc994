/**
 * The edge's KV layout as the tests write it: a release as its `files/<sha256>` entries and,
 * last, its manifest `releases/<app>/<version>@<digest16>/.release.json` with the path → sha
 * index the Worker reads files through.
 */
import { createHash } from "node:crypto";

/** One KV entry. */
export interface KvEntry {
  key: string;
  value: string;
}

/** The sha-256 hex of a text. */
export const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex");

/**
 * A release's KV entries in write order: every file, then the manifest.
 *
 * @param app - the app
 * @param version - the release's version
 * @param digest - the release's digest (64 hex)
 * @param files - release-relative path → content
 */
export function kvRelease(
  app: string,
  version: string,
  digest: string,
  files: Record<string, string>,
): KvEntry[] {
  const index: Record<string, string> = {};
  const entries: KvEntry[] = [];
  for (const [p, text] of Object.entries(files)) {
    index[p] = sha256Hex(text);
    entries.push({ key: `files/${sha256Hex(text)}`, value: text });
  }
  const manifest = { app, version, digest, files: entries.length, owner: "test", index };
  entries.push({
    key: `releases/${app}/${version}@${digest.slice(0, 16)}/.release.json`,
    value: JSON.stringify(manifest),
  });
  return entries;
}

/**
 * A release on the Gamma target: one generation of the investor page, into the stack's folder,
 * whose `gammaUrl` the edge proxies the app to. Generations cost credits and the API has no
 * idempotency key, so the edge store keeps `gamma/<digest>.json` (the generation id as soon as it
 * is started, then the gamma): a release with a digest already generated reuses it, and an update
 * that died while polling resumes the same generation instead of starting another. Retirement
 * archives the gamma once no release uses it. Runs inside serialized providers.
 */
import { walkBundle } from "./bundle";
import { kvStore } from "./edge-store";
import { gammaClient } from "./gamma-api";
import { ensureScope, type RemoteTarget } from "./remote";

type GammaTarget = Extract<RemoteTarget, { kind: "gamma" }>;

/** What the edge store records per digest. */
interface GammaRecord {
  generationId: string;
  gammaId?: string;
  gammaUrl?: string;
  /** Owner tokens of the releases using it. */
  owners: string[];
}

/** What a release resource needs to name its release. */
interface Named {
  app: string;
  version: string;
  digest: string;
}

const recordKey = (digest: string) => `gamma/${digest}.json`;

/**
 * The text Gamma generates the page from: the release's name, then the visible text of the
 * bundle's HTML files (tags, scripts and styles dropped), at most 100,000 characters.
 *
 * @param r - the release
 * @param source - absolute directory of the built bundle
 */
export async function gammaInputText(r: Named, source: string): Promise<string> {
  const fs = await import("node:fs/promises");
  const parts = [`# ${r.app} ${r.version}`, `Release digest ${r.digest.slice(0, 16)}.`];
  for (const rel of (await walkBundle(source)).files.filter((f) => f.endsWith(".html"))) {
    const html = await fs.readFile(`${source}/${rel}`, "utf8");
    const text = html
      .replace(/<(script|style)[\s\S]*?<\/\1>/gi, " ")
      .replace(/<[^>]+>/g, " ")
      .replace(/&nbsp;/g, " ")
      .replace(/\s+/g, " ")
      .trim();
    if (text !== "") parts.push(text);
  }
  return parts.join("\n\n").slice(0, 100_000);
}

async function readRecord(target: GammaTarget, digest: string): Promise<GammaRecord | undefined> {
  const found = await kvStore(target).readJson(recordKey(digest));
  if (!found.found || !("value" in found)) return undefined;
  const v = found.value as Partial<GammaRecord>;
  return typeof v?.generationId === "string" ? { owners: [], ...v, generationId: v.generationId } : undefined;
}

/**
 * Generates (or reuses) the page of a release.
 *
 * @param target - the gamma target
 * @param r - the release
 * @param source - absolute directory of the built bundle (its digest already checked)
 * @param owner - the publication's owner token
 */
export async function publishGammaRelease(
  target: GammaTarget,
  r: Named,
  source: string,
  owner: string,
): Promise<{ path: string; files: number; origin: string; gammaId: string; gammaUrl: string }> {
  await ensureScope(target);
  const store = kvStore(target);
  const client = gammaClient(target.gamma);
  const files = (await walkBundle(source)).files.length;
  let record = await readRecord(target, r.digest);
  if (record?.gammaId !== undefined && (await client.getGamma(record.gammaId)) === undefined)
    record = undefined;
  if (record === undefined) {
    const generationId = await client.startGeneration({
      inputText: await gammaInputText(r, source),
      folderId: target.gamma.folderId,
      additionalInstructions: `Investor status page for ${r.app} ${r.version}.`,
    });
    record = { generationId, owners: [] };
    await store.writeJson(recordKey(r.digest), record);
  }
  if (record.gammaId === undefined || record.gammaUrl === undefined) {
    const done = await client.waitForGeneration(record.generationId);
    record = { ...record, gammaId: done.gammaId, gammaUrl: done.gammaUrl };
  }
  if (!record.owners.includes(owner)) record = { ...record, owners: [...record.owners, owner] };
  await store.writeJson(recordKey(r.digest), record);
  const gammaId = record.gammaId as string;
  const gammaUrl = record.gammaUrl as string;
  return { path: `gamma://${target.gamma.folderId}/${gammaId}`, files, origin: gammaUrl, gammaId, gammaUrl };
}

/**
 * Whether the release's gamma is still there: its digest when it is, undefined when it was
 * deleted (by hand, in Gamma) or never finished.
 *
 * @param target - the gamma target
 * @param r - the release
 * @param gammaId - the gamma the resource holds @default - the one the edge store records
 */
export async function readGammaRelease(
  target: GammaTarget,
  r: Named,
  gammaId?: string,
): Promise<{ digest: string } | undefined> {
  const id = gammaId ?? (await readRecord(target, r.digest))?.gammaId;
  if (id === undefined) return undefined;
  return (await gammaClient(target.gamma).getGamma(id)) === undefined ? undefined : { digest: r.digest };
}

/**
 * Retires a release: drops its owner from the digest's record, and archives the gamma once no
 * release uses it.
 *
 * @param target - the gamma target
 * @param r - the release
 * @param owner - the owner token the resource holds
 * @param gammaId - the gamma the resource holds @default - the one the edge store records
 */
export async function removeGammaRelease(
  target: GammaTarget,
  r: Named,
  owner: string | undefined,
  gammaId?: string,
): Promise<void> {
  await ensureScope(target);
  const store = kvStore(target);
  const record = await readRecord(target, r.digest);
  const owners = (record?.owners ?? []).filter((o) => o !== owner);
  if (record !== undefined && owners.length > 0) {
    await store.writeJson(recordKey(r.digest), { ...record, owners });
    return;
  }
  const id = gammaId ?? record?.gammaId;
  if (id !== undefined) await gammaClient(target.gamma).archive(id);
  if (record !== undefined) await store.remove(recordKey(r.digest));
}

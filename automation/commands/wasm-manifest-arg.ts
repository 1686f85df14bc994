/**
 * The `--manifest` argument of `glidepath wasm inspect` and `wasm sign`: a packaged
 * deliverable's manifest, read with the artifact beside it. Anything that is not a readable
 * manifest is bad input (exit 2).
 */
import { GlidepathError } from "../lib/errors";
import { manifestReadSchema, type ReadManifest, readPackage } from "../lib/wasm-inspect";

/** A manifest as the command read it. */
export interface ManifestArg {
  /** The parsed manifest. */
  manifest: ReadManifest;
  /** The manifest as the file has it (its members in the file's order). */
  raw: Record<string, unknown>;
  /** The artifact beside it; undefined when missing. */
  artifact: Uint8Array | undefined;
}

/**
 * Reads `--manifest`.
 *
 * @param file - the path given
 * @throws GlidepathError `GP_ARG_INVALID` when it cannot be read, is not JSON, or is not a manifest
 */
export async function readManifestArg(file: string): Promise<ManifestArg> {
  const bad = (why: string, fix: string) =>
    new GlidepathError(
      "GP_ARG_INVALID",
      `--manifest=${JSON.stringify(file)}: ${why}; nothing was changed`,
      fix,
    );
  if (!file.endsWith(".manifest.json")) {
    throw bad("expected a <sha>.manifest.json file", "name the manifest `glidepath wasm package` wrote");
  }
  const read = await readPackage(file).catch((e: NodeJS.ErrnoException) => {
    throw bad(`cannot read it (${e.code ?? e.message})`, "name an existing manifest");
  });
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch (e) {
    throw bad(
      `is not JSON (${e instanceof Error ? e.message : String(e)})`,
      "name the manifest, not another file",
    );
  }
  const parsed = manifestReadSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw bad(
      `is not a WASM manifest (${first?.path.join(".") || "root"}: ${first?.message})`,
      "name the manifest `glidepath wasm package` wrote",
    );
  }
  return { manifest: parsed.data, raw: json as Record<string, unknown>, artifact: read.artifact };
}

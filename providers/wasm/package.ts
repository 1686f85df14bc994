/**
 * Packaging a WASM deliverable: the module's bytes as they are plus its manifest, written as
 * `<dir>/<sha>.wasm` and `<dir>/<sha>.manifest.json` into an edge store. The WasmDeliverable
 * provider (dir `wasm/<blueprint>` under its target) and `glidepath wasm package` (dir
 * `<blueprint>` under `--output-dir`) both package through here, so the same module gives the
 * same files byte for byte. Runs inside the serialized provider: Node built-ins are imported
 * inside the functions.
 */
import type { EdgeStore } from "../targets/edge-store";
import { inspectWasm } from "./inspect";
import { buildManifest, type RuntimeProfile, type WasmManifest } from "./manifest";
import type { ManifestSignature } from "./signature";

/** What a deliverable is packaged as. */
export interface PackageOptions {
  /** Blueprint the deliverable belongs to. */
  blueprintId: string;
  /** Runtime profile the manifest judges the module against. */
  runtimeProfile: RuntimeProfile;
  /** A signature to record in the manifest. @default - none: the manifest is unsigned */
  signature?: ManifestSignature;
}

/** A packaged module: its bytes and its manifest. */
export interface WasmPackage {
  bytes: Uint8Array;
  manifest: WasmManifest;
}

/**
 * Inspects a module and builds its manifest; the sha-256 and size come from the bytes.
 *
 * @param bytes - the module
 * @param options - blueprint, runtime profile and signature
 */
export async function packageWasm(bytes: Uint8Array, options: PackageOptions): Promise<WasmPackage> {
  const crypto = await import("node:crypto");
  const manifest = buildManifest({
    blueprintId: options.blueprintId,
    sha256: crypto.createHash("sha256").update(bytes).digest("hex"),
    size: bytes.length,
    runtimeProfile: options.runtimeProfile,
    inspection: await inspectWasm(bytes),
  });
  if (options.signature !== undefined) manifest.signature = options.signature;
  return { bytes, manifest };
}

/**
 * The keys of a package in its store: `<dir>/<sha>.wasm`, `.manifest.json` and `.owner.json`
 * (the provider's owner token).
 *
 * @param dir - the package's folder in the store
 * @param sha256 - the module's sha-256 (hex)
 */
export function packageKeys(dir: string, sha256: string) {
  return {
    artifact: `${dir}/${sha256}.wasm`,
    manifest: `${dir}/${sha256}.manifest.json`,
    owner: `${dir}/${sha256}.owner.json`,
  };
}

/**
 * Writes a package: the artifact first, then its manifest (pretty JSON, newline-terminated).
 *
 * @param store - where to write
 * @param dir - the package's folder in the store
 * @param pkg - the package
 */
export async function writePackage(store: EdgeStore, dir: string, pkg: WasmPackage): Promise<void> {
  const keys = packageKeys(dir, pkg.manifest.artifact_sha256);
  await store.writeBytes(keys.artifact, pkg.bytes);
  await store.writeJson(keys.manifest, pkg.manifest);
}

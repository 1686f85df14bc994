/**
 * `WasmDeliverable`: a WebAssembly module packaged into a content-addressed artifact plus its
 * compliance manifest. On the `local` target: `<root>/wasm/<blueprint_id>/<sha>.wasm` and
 * `<sha>.manifest.json`. `check` inspects the module and refuses a non-compliant one, naming
 * its reason codes, unless the deliverable explicitly allows it.
 *
 * A change that moves the artifact (another blueprint, module sha or root) replaces the
 * deliverable; one that keeps its path (a drifted sha read back from a swapped artifact, a new
 * runtime profile, a root spelled with a trailing slash) re-packages it in place. Each
 * packaging has an owner token (in the outputs and in `<sha>.owner.json` beside the artifact),
 * and `delete` removes the files only while that file names the deleted resource, so deleting a
 * deliverable never removes an artifact another one packaged at the same path.
 */
import * as pulumi from "@pulumi/pulumi";
import { toCheckResult, unknownInputs, withoutProvider } from "./check-result";
import { edgeStoreOf } from "./targets/edge-store";
import { trimRoot } from "./targets/local";
import { ONE_TARGET, type RemoteTarget, remoteTargetSchema, targetChange } from "./targets/remote";
import type { RuntimeProfile, WasmManifest } from "./wasm/manifest";
import { packageKeys, packageWasm, writePackage } from "./wasm/package";
import { type ManifestSignature, type SignaturePolicy, signatureIssue } from "./wasm/signature";

/** Inputs of a WASM deliverable, resolved. */
export interface WasmDeliverableInputs {
  /** Blueprint the deliverable belongs to; its folder on the target. */
  blueprintId: string;
  /** Absolute path of the built module. */
  module: string;
  /** sha-256 (hex) of the module. */
  sha256: string;
  /** Runtime profile. */
  runtimeProfile: RuntimeProfile;
  /** Package a non-compliant module anyway. */
  allowNonCompliant: boolean;
  /** Absolute root directory of the `local` target. @default - none: `target` says where */
  root?: string;
  /** The remote target (its edge store; a secret input). @default - none: the `local` target at `root` */
  target?: RemoteTarget;
  /** The manifest's signature (`glidepath wasm sign`). @default - none: the manifest is unsigned */
  signature?: ManifestSignature;
  /** The stack's signature policy; check refuses a manifest that misses it. @default - none: unsigned accepted */
  signing?: SignaturePolicy;
}

/** Outputs of a WASM deliverable. */
export interface WasmDeliverableOutputs extends WasmDeliverableInputs {
  /** The packaged artifact. */
  artifactPath: string;
  /** Its manifest. */
  manifestPath: string;
  /** `compliant` or `non_compliant`. */
  verdict: WasmManifest["compliance"]["verdict"];
  /** Reason codes of the verdict. */
  reasonCodes: string[];
  /**
   * The packaging's owner token, also in `<sha>.owner.json`.
   * @default - none for a deliverable packaged before owner tokens; its delete then removes files without an owner file
   */
  owner?: string;
}

/** The edge store keys of a deliverable: `wasm/<blueprint>/<sha>.wasm`, `.manifest.json`, `.owner.json`. */
export function artifactKeys(blueprintId: string, sha256: string) {
  return packageKeys(`wasm/${blueprintId}`, sha256);
}

/** Where a deliverable's artifact and manifest go on the local target. */
export function artifactPaths(root: string, blueprintId: string, sha256: string) {
  const k = artifactKeys(blueprintId, sha256);
  const at = (key: string) => `${trimRoot(root)}/${key}`;
  return { artifactPath: at(k.artifact), manifestPath: at(k.manifest), ownerPath: at(k.owner) };
}

/** Where a deliverable is, as the outputs name it: local paths, or `kv://<namespace>/<key>`. */
function locationOf(i: Pick<WasmDeliverableInputs, "root" | "target" | "blueprintId" | "sha256">) {
  if (i.target === undefined) return artifactPaths(i.root ?? "", i.blueprintId, i.sha256);
  const k = artifactKeys(i.blueprintId, i.sha256);
  const at = (key: string) => `kv://${i.target?.cloudflare.namespaceId}/${key}`;
  return { artifactPath: at(k.artifact), manifestPath: at(k.manifest), ownerPath: at(k.owner) };
}

/** The store key of a location (`…/wasm/<bp>/<file>` → `wasm/<bp>/<file>`). */
function keyOf(location: string): string {
  const m = /(wasm\/[^/]+\/[^/]+)$/.exec(location);
  return m?.[1] ?? location;
}

/** Who packaged the artifact at `artifactPath`, by the owner entry beside it. */
async function ownerOf(i: Pick<WasmDeliverableInputs, "root" | "target">, artifactPath: string) {
  const found = await edgeStoreOf(i).readJson(keyOf(artifactPath).replace(/\.wasm$/, ".owner.json"));
  if (!found.found || !("value" in found)) return undefined;
  const owner = (found.value as { owner?: unknown } | null)?.owner;
  return typeof owner === "string" ? owner : undefined;
}

/** Reads a module and packages it; the sha is recomputed from the bytes. */
async function manifestOf(i: WasmDeliverableInputs): Promise<{ bytes: Uint8Array; manifest: WasmManifest }> {
  const fs = await import("node:fs/promises");
  const bytes = new Uint8Array(await fs.readFile(i.module));
  return packageWasm(bytes, {
    blueprintId: i.blueprintId,
    runtimeProfile: i.runtimeProfile,
    signature: i.signature,
  });
}

async function validate(news: unknown): Promise<pulumi.dynamic.CheckResult<WasmDeliverableInputs>> {
  const { z } = await import("zod");
  const schema = z
    .strictObject({
      blueprintId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, { error: "expected a blueprint id" }),
      module: z.string().startsWith("/", { error: "expected an absolute path" }),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, { error: "expected a sha-256 hex digest" }),
      runtimeProfile: z.enum(["wasm_wasi", "channel_automation_wasi"]),
      allowNonCompliant: z.boolean(),
      root: z.string().startsWith("/", { error: "expected an absolute path" }).optional(),
      target: remoteTargetSchema(z).optional(),
      signature: z
        .strictObject({ algorithm: z.literal("Ed25519"), signer: z.string(), value: z.string() })
        .optional(),
      signing: z
        .strictObject({ required: z.boolean().optional(), signers: z.array(z.string()).optional() })
        .optional(),
    })
    .refine((v) => (v.root === undefined) !== (v.target === undefined), {
      error: ONE_TARGET,
      path: ["root"],
    });
  const result = toCheckResult(news, schema.safeParse(withoutProvider(news)));
  // The module is inspected once it is built (the update's check).
  if (result.failures?.length || unknownInputs(news).length > 0) return result;
  const inputs = result.inputs as WasmDeliverableInputs;
  let manifest: WasmManifest;
  try {
    manifest = (await manifestOf(inputs)).manifest;
  } catch (e) {
    return {
      inputs,
      failures: [{ property: "module", reason: `cannot read ${inputs.module}: ${String(e)}` }],
    };
  }
  if (manifest.artifact_sha256 !== inputs.sha256) {
    return {
      inputs,
      failures: [{ property: "sha256", reason: "the module changed after the program read it" }],
    };
  }
  if (manifest.compliance.verdict === "non_compliant" && !inputs.allowNonCompliant) {
    const why = manifest.compliance.findings.map((f) => `${f.code} (${f.subject})`).join(", ");
    return {
      inputs,
      failures: [
        {
          property: "module",
          reason: `non-compliant: ${why}; rebuild it for WASI preview2, or set allowNonCompliant to package it anyway`,
        },
      ],
    };
  }
  // An invalid signature always fails; a missing or untrusted one when the stack requires it.
  const unsigned = await signatureIssue(manifest, inputs.signing ?? {});
  if (unsigned !== undefined) return { inputs, failures: [{ property: "signature", reason: unsigned }] };
  return { inputs };
}

async function publish(i: WasmDeliverableInputs, owner: string): Promise<WasmDeliverableOutputs> {
  const { bytes, manifest } = await manifestOf(i);
  const store = edgeStoreOf(i);
  const keys = artifactKeys(i.blueprintId, manifest.artifact_sha256);
  const { artifactPath, manifestPath } = locationOf({ ...i, sha256: manifest.artifact_sha256 });
  await writePackage(store, `wasm/${i.blueprintId}`, { bytes, manifest });
  if ((await ownerOf(i, artifactPath)) !== owner) await store.writeJson(keys.owner, { owner });
  return {
    ...i,
    artifactPath,
    manifestPath,
    verdict: manifest.compliance.verdict,
    reasonCodes: manifest.compliance.reason_codes,
    owner,
  };
}

/** The provider object; one instance shared by every WASM deliverable. */
export const wasmDeliverableProvider: pulumi.dynamic.ResourceProvider<
  WasmDeliverableInputs,
  WasmDeliverableOutputs
> = {
  async check(_olds, news) {
    return validate(news);
  },

  async diff(_id, olds, news) {
    const differs = (
      [
        "blueprintId",
        "sha256",
        "runtimeProfile",
        "root",
        "target",
        "allowNonCompliant",
        "module",
        "signature",
        "signing",
      ] as const
    ).filter((k) => {
      if (k === "root") return trimRoot(olds.root ?? "") !== trimRoot(news.root ?? "");
      if (k === "target") return targetChange(olds, news).moved;
      if (k === "signature" || k === "signing") return JSON.stringify(olds[k]) !== JSON.stringify(news[k]);
      return olds[k] !== news[k];
    });
    const before = olds.artifactPath ?? locationOf(olds).artifactPath;
    const after = locationOf(news).artifactPath;
    // Another path is another artifact; the same path is re-packaged in place, because a
    // replacement there would end with the old one's delete removing the new files.
    if (before !== after) {
      const replaces = differs.filter(
        (k) => k === "blueprintId" || k === "sha256" || k === "root" || k === "target",
      );
      return { changes: true, replaces, deleteBeforeReplace: false };
    }
    // New credentials for the same scope are recorded (an update that packages again).
    if (targetChange(olds, news).rotated) {
      return { changes: true, replaces: [], deleteBeforeReplace: false };
    }
    return { changes: differs.length > 0, replaces: [], deleteBeforeReplace: false };
  },

  async create(inputs) {
    const crypto = await import("node:crypto");
    const outs = await publish(inputs, crypto.randomUUID());
    return { id: `${inputs.blueprintId}/${inputs.sha256}`, outs };
  },

  async read(id, props) {
    if (props === undefined) return { id, props };
    const crypto = await import("node:crypto");
    const store = edgeStoreOf(props);
    const bytes = await store.readBytes(keyOf(props.artifactPath)).catch(() => undefined);
    const manifest = await store.readBytes(keyOf(props.manifestPath)).catch(() => undefined);
    if (bytes === undefined || manifest === undefined) return { id: "", props: undefined };
    // A replaced artifact reads with its real digest: the next `up` packages the module again.
    return { id, props: { ...props, sha256: crypto.createHash("sha256").update(bytes).digest("hex") } };
  },

  async update(_id, olds, news) {
    // Same path (diff replaces otherwise): package again there, keeping the owner.
    const crypto = await import("node:crypto");
    return { outs: await publish(news, olds.owner ?? crypto.randomUUID()) };
  },

  async delete(_id, props) {
    // Only what this resource packaged: files another packaging owns stay.
    if ((await ownerOf(props, props.artifactPath)) !== props.owner) return;
    const store = edgeStoreOf(props);
    await store.remove(keyOf(props.artifactPath));
    await store.remove(keyOf(props.manifestPath));
    await store.remove(keyOf(props.artifactPath).replace(/\.wasm$/, ".owner.json"));
  },
};

/** Arguments of a {@link WasmDeliverable}. */
export interface WasmDeliverableArgs {
  /** Blueprint the deliverable belongs to. */
  blueprintId: pulumi.Input<string>;
  /** Absolute path of the built module. */
  module: pulumi.Input<string>;
  /** sha-256 (hex) of the module. */
  sha256: pulumi.Input<string>;
  /** Runtime profile. @default "wasm_wasi" (set by the program from config) */
  runtimeProfile: pulumi.Input<RuntimeProfile>;
  /** Package a non-compliant module anyway. @default false (set by the program from config) */
  allowNonCompliant: pulumi.Input<boolean>;
  /** Absolute root directory of the `local` target. @default - none: `target` says where */
  root?: pulumi.Input<string>;
  /** The remote target; pass it as a secret (it carries credentials). @default - none: the `local` target */
  target?: pulumi.Input<RemoteTarget>;
  /** The manifest's signature (`glidepath wasm sign`). @default - none: the manifest is unsigned */
  signature?: pulumi.Input<ManifestSignature>;
  /** The stack's signature policy (`glidepath:wasmSigning`). @default - none: unsigned accepted */
  signing?: pulumi.Input<SignaturePolicy>;
}

/** A packaged WASM module and its compliance manifest (`glidepath:WasmDeliverable`). */
export class WasmDeliverable extends pulumi.dynamic.Resource {
  declare readonly sha256: pulumi.Output<string>;
  declare readonly artifactPath: pulumi.Output<string>;
  declare readonly manifestPath: pulumi.Output<string>;
  declare readonly verdict: pulumi.Output<string>;
  declare readonly reasonCodes: pulumi.Output<string[]>;

  /**
   * @param name - logical name, `wasm:<blueprint_id>`
   * @param args - the deliverable
   * @param opts - Pulumi resource options
   */
  constructor(name: string, args: WasmDeliverableArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      wasmDeliverableProvider,
      name,
      {
        ...args,
        artifactPath: undefined,
        manifestPath: undefined,
        verdict: undefined,
        reasonCodes: undefined,
      },
      { ...opts, additionalSecretOutputs: ["target"] },
      "glidepath",
      "WasmDeliverable",
    );
  }
}

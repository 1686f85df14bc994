/**
 * `WasmDeliverables`: one {@link WasmDeliverable} per configured blueprint. A `.wasm` module
 * is packaged as it is; a `.wat` source is first built by a `local.Command`
 * (`build:wasm:<blueprint_id>`, `dist/apps/build/wasm-module.js`) that runs again only when
 * the source or the assembler changes, into an output named by both.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { local } from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { trimRoot } from "../providers/targets/local";
import type { RemoteTarget } from "../providers/targets/remote";
import { WasmDeliverable } from "../providers/wasm-deliverable";
import { buildCommand } from "./build-command";
import { parseWasmBuildReport } from "./build-report";
import type { StackConfig } from "./config";
import { assemblerId, isWatSource } from "./wat";

/** Arguments of {@link WasmDeliverables}. */
export interface WasmDeliverablesArgs {
  /** The deliverables by blueprint id. @default - `{}` */
  wasm?: StackConfig["wasm"];
  /** Project directory module paths are relative to (holds `dist/apps/build` and `artifacts/`). */
  projectDir: string;
  /** Absolute root directory of the `local` target (also where modules are built). */
  root: string;
  /** The edge store's remote target, as a secret. @default - none: the `local` target at `root` */
  target?: pulumi.Input<RemoteTarget>;
  /** The stack's signature policy (`glidepath:wasmSigning`). @default - none: unsigned accepted */
  signing?: StackConfig["wasmSigning"];
}

/** What the stack exports per deliverable. */
export interface DeliverableSummary {
  sha256: string;
  verdict: string;
  reasonCodes: string[];
  artifactPath: string;
  /** Id of the build that assembled the module; absent for a prebuilt `.wasm`. */
  buildId?: string;
}

/** The module a deliverable packages: its path and sha, and the build that made it if any. */
interface ModuleRef {
  module: pulumi.Input<string>;
  sha256: pulumi.Input<string>;
  buildId?: pulumi.Output<string>;
}

/** The packaged WASM deliverables of the stack. */
export class WasmDeliverables extends pulumi.ComponentResource {
  /** Blueprint id → sha, verdict, reason codes, artifact. */
  readonly summaries: pulumi.Output<Record<string, DeliverableSummary>>;

  /**
   * @param name - logical name; children are `wasm:<blueprint_id>`
   * @param args - deliverables, project and target
   * @param opts - Pulumi component options
   */
  constructor(name: string, args: WasmDeliverablesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("glidepath:index:WasmDeliverables", name, {}, opts);
    const entries = Object.entries(args.wasm ?? {}).sort(([a], [b]) => a.localeCompare(b));
    const children = entries.map(([id, w]) => {
      const file = path.resolve(args.projectDir, w.module);
      const ref = isWatSource(file) ? this.build(id, file, args) : prebuilt(file);
      const d = new WasmDeliverable(
        `wasm:${id}`,
        {
          blueprintId: id,
          module: ref.module,
          sha256: ref.sha256,
          runtimeProfile: w.runtimeProfile,
          allowNonCompliant: w.allowNonCompliant,
          // Only when set, so a stack without signatures keeps its deliverables' inputs unchanged.
          ...(w.signature === undefined ? {} : { signature: w.signature }),
          ...(args.signing?.required || (args.signing?.signers.length ?? 0) > 0
            ? { signing: args.signing }
            : {}),
          ...(args.target === undefined ? { root: args.root } : { target: args.target }),
        },
        { parent: this },
      );
      return pulumi
        .all([d.sha256, d.verdict, d.reasonCodes, d.artifactPath, ref.buildId])
        .apply(([s, verdict, reasonCodes, artifactPath, buildId]) => {
          const summary: DeliverableSummary = { sha256: s, verdict, reasonCodes, artifactPath };
          if (buildId !== undefined) summary.buildId = buildId;
          return [id, summary] as const;
        });
    });
    this.summaries = pulumi.all(children).apply((pairs) => Object.fromEntries(pairs));
    this.registerOutputs({ summaries: this.summaries });
  }

  /** Declares the build of a `.wat` source; the deliverable takes the module it reports. */
  private build(id: string, source: string, args: WasmDeliverablesArgs): ModuleRef {
    const text = fs.readFileSync(source);
    const sourceDigest = crypto.createHash("sha256").update(text).digest("hex");
    const builder = assemblerId();
    // The output is named by everything that triggers the build (source and assembler), so
    // a build that runs again writes elsewhere and the old build's delete never removes it.
    const trigger = crypto.createHash("sha256").update(`${sourceDigest}\0${builder}`).digest("hex");
    const out = `${trimRoot(args.root)}/builds/wasm/${id}/${trigger.slice(0, 16)}.wasm`;
    const script = path.join(args.projectDir, "dist", "apps", "build", "wasm-module.js");
    const report = path.join(args.projectDir, "artifacts", `wasm-${id}-build.json`);
    const build = new local.Command(
      `build:wasm:${id}`,
      {
        ...buildCommand(script, { id, builder, source, out, report }, "file"),
        triggers: [sourceDigest, builder],
      },
      { parent: this },
    );
    const built = build.stdout.apply((t) => parseWasmBuildReport(t, `wasm:${id}`));
    return { module: built.outFile, sha256: built.artifactSha256, buildId: build.id };
  }
}

/** A prebuilt `.wasm` module: packaged as it is, its sha read now. */
function prebuilt(file: string): ModuleRef {
  return { module: file, sha256: crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex") };
}

/**
 * `WasmDeliverables`: one {@link WasmDeliverable} per configured blueprint.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { WasmDeliverable } from "../providers/wasm-deliverable";
import type { StackConfig } from "./config";

/** Arguments of {@link WasmDeliverables}. */
export interface WasmDeliverablesArgs {
  /** The deliverables by blueprint id. @default - `{}` */
  wasm?: StackConfig["wasm"];
  /** Project directory module paths are relative to. */
  projectDir: string;
  /** Absolute root directory of the `local` target. */
  root: string;
}

/** What the stack exports per deliverable. */
export interface DeliverableSummary {
  sha256: string;
  verdict: string;
  reasonCodes: string[];
  artifactPath: string;
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
      const module = path.resolve(args.projectDir, w.module);
      const sha256 = crypto.createHash("sha256").update(fs.readFileSync(module)).digest("hex");
      const d = new WasmDeliverable(
        `wasm:${id}`,
        {
          blueprintId: id,
          module,
          sha256,
          runtimeProfile: w.runtimeProfile,
          allowNonCompliant: w.allowNonCompliant,
          root: args.root,
        },
        { parent: this },
      );
      return pulumi
        .all([d.sha256, d.verdict, d.reasonCodes, d.artifactPath])
        .apply(
          ([s, verdict, reasonCodes, artifactPath]) =>
            [id, { sha256: s, verdict, reasonCodes, artifactPath }] as const,
        );
    });
    this.summaries = pulumi.all(children).apply((pairs) => Object.fromEntries(pairs));
    this.registerOutputs({ summaries: this.summaries });
  }
}

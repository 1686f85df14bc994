/**
 * `glidepath wasm package --stack S`: records a packaged deliverable in the stack the honest
 * way, through the real engine. The deliverable's entry of `glidepath:wasm` is set (the module
 * relative to the project, its runtime profile, whether it may be non-compliant) and the stack's
 * update runs (`deploy`, the one `runUp`), so its WasmDeliverable resource packages the same
 * module into the stack's target and holds it in state. Under the driver lock, refused while a
 * rollback or promotion is unfinished; if validation or the update fails, the stack's config
 * file is put back as it was.
 */
import * as path from "node:path";
import { withConfigGuard } from "./config-restore";
import type { StackContext } from "./context";
import { type DeployResult, deploy } from "./deploy";
import { refuseWhileClosing } from "./driver/closing";
import { withDriverLock } from "./driver/session";
import { writeStackKeys } from "./driver/stack-file";
import { GlidepathError } from "./errors";
import { stackFileConfig } from "./stack-config";

/** What {@link recordDeliverable} records. */
export interface RecordedDeliverable {
  /** The module as given (`--module`). */
  module: string;
  /** The blueprint (`--blueprint-id`). */
  blueprintId: string;
  /** Its runtime profile. */
  runtimeProfile: string;
  /** Whether a non-compliant module may be packaged. */
  allowNonCompliant: boolean;
}

/**
 * The deliverable's `glidepath:wasm.<id>` entry (pure): the existing entry's signature is kept
 * only when module and runtime profile are unchanged (it signs that manifest, no other).
 *
 * @param existing - the entry as the stack file has it, if any
 * @param module - the module, relative to the project
 * @param d - what is recorded
 */
export function deliverableEntry(
  existing: Record<string, unknown> | undefined,
  module: string,
  d: Pick<RecordedDeliverable, "runtimeProfile" | "allowNonCompliant">,
): Record<string, unknown> {
  const same = existing?.module === module && (existing?.runtimeProfile ?? "wasm_wasi") === d.runtimeProfile;
  return {
    module,
    runtimeProfile: d.runtimeProfile,
    ...(d.allowNonCompliant ? { allowNonCompliant: true } : {}),
    ...(same && existing?.signature !== undefined ? { signature: existing.signature } : {}),
  };
}

/**
 * The module's path relative to the project, as `glidepath:wasm.<id>.module` holds it.
 *
 * @param projectDir - the stack's project directory
 * @param module - `--module` as given
 * @param blueprintId - the blueprint (for the fix)
 * @throws GlidepathError `GP_ARG_INVALID` when the module is outside the project
 */
export function projectModulePath(projectDir: string, module: string, blueprintId: string): string {
  const rel = path.relative(projectDir, path.resolve(module)).split(path.sep).join("/");
  if (rel === "" || rel === ".." || rel.startsWith("../") || path.isAbsolute(rel)) {
    throw new GlidepathError(
      "GP_ARG_INVALID",
      `--module=${JSON.stringify(module)}: outside the project ${projectDir}; a stack builds its deliverables from the project's files; nothing was written`,
      `copy the module into the project (e.g. apps/${blueprintId}/), then run the command again`,
    );
  }
  return rel;
}

/**
 * Sets the deliverable in the stack's config and runs the stack's update.
 *
 * @param ctx - the opened stack (`changesStack`)
 * @param d - the deliverable
 * @param onOutput - engine output lines @default - discarded
 * @throws GlidepathError `GP_ARG_INVALID` (the module is outside the project), `GP_STACK_LOCKED`,
 *   `GP_CLOSING_PENDING`, `GP_CONFIG_INVALID` (nothing deployed), `GP_UPDATE_FAILED`
 */
export async function recordDeliverable(
  ctx: StackContext,
  d: RecordedDeliverable,
  onOutput?: (line: string) => void,
): Promise<DeployResult> {
  const rel = projectModulePath(ctx.projectDir, d.module, d.blueprintId);
  const command = `glidepath wasm package --stack ${ctx.stack.name}`;
  return withDriverLock(ctx, "wasm package", async () => {
    await refuseWhileClosing(ctx.stack, command);
    const file = await stackFileConfig(ctx.projectDir, ctx.stack.name);
    const wasm = (file["glidepath:wasm"] ?? {}) as Record<string, Record<string, unknown> | undefined>;
    const entry = deliverableEntry(wasm[d.blueprintId], rel, d);
    return withConfigGuard(ctx.stack, async () => {
      await writeStackKeys(ctx.projectDir, ctx.stack.name, { wasm: { ...wasm, [d.blueprintId]: entry } });
      return deploy(ctx.stack, ctx, {
        message: `glidepath wasm package ${d.blueprintId}: ${rel}`,
        ...(onOutput ? { onOutput } : {}),
      });
    });
  });
}

/**
 * The audit heads a stack's history carries: every update message's `audit=<seq>:<hash>`, read
 * through the Automation API. Opens the stack only (no toolchain install, no stack-file checks,
 * nothing written), so any project's log can be checked against its own history.
 */
import { packageRoot } from "../context";
import { readHistory } from "../history";
import { ensureToolchain } from "../toolchain";
import { openStack } from "../workspace";
import { type AuditAnchor, anchorsFromHistory } from "./anchor";

/**
 * The anchors in a stack's whole history.
 *
 * @param projectDir - the project directory
 * @param stack - the stack
 * @param progress - progress lines @default - none
 * @throws GlidepathError `GP_TOOLCHAIN_MISSING`, `GP_PASSPHRASE_MISSING`, `GP_STACK_NOT_FOUND`
 */
export async function stackHistoryAnchors(
  projectDir: string,
  stack: string,
  progress?: (line: string) => void,
): Promise<AuditAnchor[]> {
  const toolchain = await ensureToolchain({ projectDir: packageRoot(), progress, provision: false });
  const opened = await openStack({ projectDir, stack, toolchain, create: false });
  return anchorsFromHistory(await readHistory(opened.stack, false));
}

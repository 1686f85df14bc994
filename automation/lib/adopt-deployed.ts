/**
 * Brings a stale stack file up to date with the backend before a command works from it (see
 * `desired-state.ts`): the newest update's releases, weights, ramp pointer, `CanaryEnabled`
 * flags and generation are written into `Pulumi.<stack>.yaml`; every other key is left as is.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { type Adoption, adoptionOf } from "./desired-state";
import { writeStackEntries } from "./driver/stack-file";
import { readHistory, toHistoryEntry } from "./history";
import { stackFileConfig } from "./stack-config";

/** Entries looked at for the newest update before reading the whole history. */
const RECENT = 20;

/**
 * Takes the desired state from the backend into the stack file when the file is behind it.
 *
 * @param stack - the opened stack
 * @param projectDir - the project directory
 * @returns what was taken, or undefined when the file was current (or the stack has no update)
 */
export async function adoptDeployedState(stack: Stack, projectDir: string): Promise<Adoption | undefined> {
  const recent = (await stack.history(RECENT)).map((s) => toHistoryEntry(s, 0));
  let newest = recent.find((h) => h.kind === "update");
  if (newest === undefined && recent.length === RECENT) {
    newest = (await readHistory(stack)).find((h) => h.kind === "update");
  }
  if (newest === undefined) return undefined;
  const adoption = adoptionOf(await stackFileConfig(projectDir, stack.name), newest);
  if (adoption !== undefined) await writeStackEntries(projectDir, stack.name, adoption.entries);
  return adoption;
}

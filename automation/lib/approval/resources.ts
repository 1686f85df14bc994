/**
 * What the policy pack reads from the resources of an update: the stack's name (every URN
 * carries it) and the bundles the update deploys. Each release is built by a
 * `command:local:Command` named `build:<app>@<version>` whose first trigger is the digest of
 * the release's source directory (known in a preview, unlike the built bundle's): the same
 * digest a gate verdict and an approval name. Pure.
 */

/** The part of a policy resource read here. */
export interface PolicyResourceLike {
  /** The resource type, e.g. `command:local:Command`. */
  type: string;
  /** The logical name. */
  name: string;
  /** The URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
  urn: string;
  /** Its input properties. */
  props: Record<string, unknown>;
}

/** The type of the command resources that build releases. */
export const BUILD_COMMAND_TYPE = "command:local:Command";

/**
 * The stack an update's resources belong to, from their URNs.
 *
 * @param resources - the resources
 */
export function stackOfResources(resources: readonly PolicyResourceLike[]): string | undefined {
  for (const r of resources) {
    const m = /^urn:pulumi:([^:]+)::/.exec(r.urn);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}

/**
 * The bundles of an update: `<app>@<version>` → source digest, from the release builds. WASM
 * builds (`build:wasm:<id>`) are left out: their trigger is the module source's digest, while a
 * verdict binds the assembled module's bytes, which only the driver computes (it compares them).
 *
 * @param resources - the resources
 */
export function bundlesOfResources(resources: readonly PolicyResourceLike[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of resources) {
    if (r.type !== BUILD_COMMAND_TYPE || !r.name.startsWith("build:") || r.name.startsWith("build:wasm:"))
      continue;
    const triggers = r.props.triggers;
    const digest = Array.isArray(triggers) ? triggers[0] : undefined;
    // An unknown or malformed trigger counts as a digest nothing approves: fail closed.
    out[r.name.slice("build:".length)] = typeof digest === "string" ? digest : "unknown";
  }
  return out;
}

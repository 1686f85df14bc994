/**
 * Loads compiled modules from dist/ with Node's own `require`, bypassing vitest's transform:
 * Pulumi serializes dynamic providers from the code it finds at run time, and that must be
 * the code `pulumi up` runs (tsc's CommonJS output), not a test transform of it.
 */
import { createRequire } from "node:module";
import * as path from "node:path";

/** Repository root. */
export const ROOT = path.resolve(__dirname, "../..");

const nodeRequire = createRequire(path.join(ROOT, "package.json"));

/** `require`s `dist/<rel>` natively. */
export function requireDist<T>(rel: string): T {
  return nodeRequire(path.join(ROOT, "dist", rel)) as T;
}

/**
 * Config namespaces other than glidepath's own (pure). Pulumi reads every key of a stack file,
 * but a program reads only its namespaces: a misspelled `glidpath:weights` would be ignored
 * without a word while `up` runs. A namespace close to `glidepath` is refused; one that no
 * part of this project reads is reported as a warning; Pulumi's and the providers' pass.
 */

/**
 * Namespaces read by something this project runs: Pulumi itself (`pulumi:`), and the
 * providers the program declares resources of (`command:` for `@pulumi/command`,
 * `cloudflare:` for `@pulumi/cloudflare`).
 */
export const KNOWN_NAMESPACES: ReadonlySet<string> = new Set(["pulumi", "command", "cloudflare"]);

/** A namespace this close to `glidepath` (edits, after case and separators) is taken for a typo. */
export const NEAR_MISS_DISTANCE = 2;

/**
 * Levenshtein distance (insertions, deletions, substitutions).
 *
 * @param a - one string
 * @param b - the other
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** One key of another namespace, and what to say about it. */
export interface NamespaceFinding {
  /** The full key, e.g. `glidpath:weights`. */
  key: string;
  /** `refuse`: taken for a misspelling of `own`; `warn`: read by nothing this project runs. */
  level: "refuse" | "warn";
  /** The sentence for people. */
  message: string;
}

/**
 * Classifies the keys of namespaces other than `own`.
 *
 * @param keys - every config key of the stack (`namespace:name`)
 * @param own - this project's namespace, e.g. `glidepath`
 */
export function namespaceFindings(keys: Iterable<string>, own: string): NamespaceFinding[] {
  const findings: NamespaceFinding[] = [];
  const norm = (s: string) => s.toLowerCase().replace(/[-_.\s]/g, "");
  for (const key of keys) {
    const colon = key.indexOf(":");
    if (colon < 0) continue;
    const ns = key.slice(0, colon);
    const name = key.slice(colon + 1);
    if (ns === own || KNOWN_NAMESPACES.has(ns)) continue;
    if (editDistance(norm(ns), norm(own)) <= NEAR_MISS_DISTANCE) {
      findings.push({
        key,
        level: "refuse",
        message: `unknown namespace "${ns}": no program reads this key; did you mean "${own}:${name}"? rename it, or remove it`,
      });
    } else {
      findings.push({
        key,
        level: "warn",
        message: `namespace "${ns}" is read by nothing this project runs (glidepath reads "${own}:", Pulumi "pulumi:", the providers ${[
          ...KNOWN_NAMESPACES,
        ]
          .filter((n) => n !== "pulumi")
          .map((n) => `"${n}:"`)
          .join(", ")}); the key is ignored`,
      });
    }
  }
  return findings;
}

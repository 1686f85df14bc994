/**
 * The text of a deploy log (pure): a header naming the stack, the build and the time, then one
 * `## <title>` section per part of the release (gate output, approval, update, verification),
 * structured values as indented JSON. Nothing secret survives rendering: values under a key
 * that names a secret become `***`, every given secret value becomes `***` wherever it appears,
 * and every URL that carries credentials is redacted.
 */
import { redactText, redactUrls } from "../redact";

/** The first line of every deploy log. */
export const DEPLOY_LOG_HEADER = "glidepath deploy log v1";

/** One section of a deploy log. */
export interface DeployLogSection {
  /** The section's title, e.g. `gate`, `approval`, `update`, `verification`. */
  title: string;
  /** Text (kept as it is) or a structured value (rendered as JSON). */
  body: unknown;
}

/** Keys whose values are never written, whatever they hold. */
export const SECRET_KEY =
  /pass(word|phrase)|secret|token|api[-_]?key|admin[-_]?key|credential|private[-_]?key|authorization/i;

/** The replacement of every redacted value. */
export const REDACTED = "***";

function maskKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(maskKeys);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>).map(([k, x]) => [
        k,
        SECRET_KEY.test(k) ? REDACTED : maskKeys(x),
      ]),
    );
  return v;
}

/** What a deploy log's text is rendered from. */
export interface DeployLogInput {
  stack: string;
  buildId: string;
  /** When the log was written. */
  time: Date;
  sections: readonly DeployLogSection[];
  /** Values that must not appear (the passphrase, keys); each is replaced by `***`. @default - none */
  secrets?: readonly string[];
}

/**
 * Renders a deploy log.
 *
 * @param input - the header's fields, the sections and the secrets to keep out
 */
export function renderDeployLog(input: DeployLogInput): string {
  const parts = [
    DEPLOY_LOG_HEADER,
    `stack ${input.stack}`,
    `build ${input.buildId}`,
    `time ${input.time.toISOString()}`,
  ];
  for (const s of input.sections) {
    const body =
      typeof s.body === "string"
        ? s.body.replace(/\n+$/, "")
        : JSON.stringify(redactUrls(maskKeys(s.body)), null, 2);
    parts.push("", `## ${s.title.replace(/\s+/g, " ")}`, body ?? "null");
  }
  let text = redactText(`${parts.join("\n")}\n`);
  // Longest first, so a secret that contains another is replaced whole.
  for (const secret of [...(input.secrets ?? [])].filter((x) => x !== "").sort((a, b) => b.length - a.length))
    text = text.split(secret).join(REDACTED);
  return text;
}

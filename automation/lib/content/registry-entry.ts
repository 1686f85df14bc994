/**
 * One page of the Notion registry → one registry entry (pure). The registry's data source has
 * these properties (names are exact; any other property of the data source is ignored):
 *
 * | property | Notion type        | required | meaning                                                   |
 * |----------|--------------------|----------|-----------------------------------------------------------|
 * | Name     | title              | yes      | the item's title (1–200 characters)                       |
 * | Domain   | select             | yes      | `Business` or `Gaming`: which collection the item goes to |
 * | Status   | select or status   | yes      | `Draft`, `Live` or `Retired`                              |
 * | Summary  | rich_text          | no       | at most 2000 characters                                   |
 * | URL      | url                | no       | an http(s) URL                                            |
 * | App      | rich_text or select| no       | the glidepath app whose SLO badge the item shows          |
 * | Tags     | multi_select       | no       | at most 20 tags                                           |
 *
 * A page that does not fit is refused with its page id, the property and why; a refused page is
 * never written. The Wix `_id` of an entry is derived from its Notion page id alone
 * (`notion-<32 hex digits>`), so it is the same on every run and for every stack.
 */
import { z } from "zod";
import { APP_NAME } from "../../../infra/config";
import { DOMAINS, type Domain } from "../../../infra/content-config";

/** The registry's property names. */
export const REGISTRY_PROPERTIES = {
  name: "Name",
  domain: "Domain",
  status: "Status",
  summary: "Summary",
  url: "URL",
  app: "App",
  tags: "Tags",
} as const;

/** Each property's accepted Notion types, and whether a page must set it. */
export const REGISTRY_SCHEMA: Readonly<Record<string, { types: readonly string[]; required: boolean }>> = {
  Name: { types: ["title"], required: true },
  Domain: { types: ["select"], required: true },
  Status: { types: ["select", "status"], required: true },
  Summary: { types: ["rich_text"], required: false },
  URL: { types: ["url"], required: false },
  App: { types: ["rich_text", "select"], required: false },
  Tags: { types: ["multi_select"], required: false },
};

/** The values of `Status`. */
export const STATUSES = ["Draft", "Live", "Retired"] as const;

/** One registry entry, as it will be written (before its SLO badge). */
export interface RegistryEntry {
  /** The Notion page id. */
  pageId: string;
  /** The Wix `_id` (see {@link wixIdOf}). */
  id: string;
  /** Business or Gaming: the only input of the firewall. */
  domain: Domain;
  title: string;
  status: (typeof STATUSES)[number];
  summary: string | null;
  url: string | null;
  app: string | null;
  tags: string[];
}

/** A page that was not written: its id, the property at fault and why. */
export interface Refusal {
  /** The Notion page id. */
  pageId: string;
  /** The property (e.g. `Domain`), or `(page)` when the page itself does not fit. */
  field: string;
  /** Why, for people (never a secret: registry content only). */
  reason: string;
}

/**
 * The Wix `_id` of a Notion page: `notion-` and the page id's 32 hex digits, lower case.
 *
 * @param pageId - the Notion page id, with or without dashes
 * @returns the id, or undefined when `pageId` is not a Notion id
 */
export function wixIdOf(pageId: string): string | undefined {
  const hex = pageId.replace(/-/g, "").toLowerCase();
  return /^[0-9a-f]{32}$/.test(hex) ? `notion-${hex}` : undefined;
}

/**
 * Which registry properties are missing from the data source or have another type (pure).
 *
 * @param properties - the data source's properties: name → `{type}`
 * @returns one line per problem; empty when the data source fits
 */
export function registrySchemaProblems(properties: Readonly<Record<string, { type: string }>>): string[] {
  const problems: string[] = [];
  for (const [name, want] of Object.entries(REGISTRY_SCHEMA)) {
    const got = properties[name]?.type;
    if (got === undefined) {
      if (want.required) problems.push(`"${name}" (${want.types.join(" or ")}) is missing`);
    } else if (!want.types.includes(got)) {
      problems.push(`"${name}" is ${got}, expected ${want.types.join(" or ")}`);
    }
  }
  return problems;
}

const plainText = z
  .array(z.object({ plain_text: z.string() }))
  .transform((items) => items.map((i) => i.plain_text).join(""));
const textValue = z.discriminatedUnion("type", [
  z.object({ type: z.literal("title"), title: plainText }).transform((v) => v.title),
  z.object({ type: z.literal("rich_text"), rich_text: plainText }).transform((v) => v.rich_text),
]);
const optionName = z.object({ name: z.string() }).nullable();
const choiceValue = z.discriminatedUnion("type", [
  z.object({ type: z.literal("select"), select: optionName }).transform((v) => v.select?.name ?? ""),
  z.object({ type: z.literal("status"), status: optionName }).transform((v) => v.status?.name ?? ""),
]);
const urlValue = z
  .object({ type: z.literal("url"), url: z.string().nullable() })
  .transform((v) => v.url ?? "");
const tagsValue = z
  .object({ type: z.literal("multi_select"), multi_select: z.array(z.object({ name: z.string() })) })
  .transform((v) => v.multi_select.map((o) => o.name));
const appValue = z.union([textValue, choiceValue]);

/** Trimmed text; empty → null. */
const optionalText = (max: number) =>
  z
    .string()
    .transform((s) => s.trim())
    .pipe(z.string().max(max, { error: `expected at most ${max} characters` }))
    .transform((s) => (s === "" ? null : s));

/** The message of a choice outside `allowed`. */
const oneOf = (allowed: readonly string[], got: unknown): string =>
  got === ""
    ? `is empty; expected one of ${allowed.join(", ")}`
    : `expected one of ${allowed.join(", ")}, got ${JSON.stringify(got)}`;

const properties = z.object({
  Name: textValue.pipe(
    z
      .string()
      .transform((s) => s.trim())
      .pipe(
        z
          .string()
          .min(1, { error: "expected a title" })
          .max(200, { error: "expected at most 200 characters" }),
      ),
  ),
  Domain: choiceValue.pipe(z.enum(DOMAINS, { error: (i) => oneOf(DOMAINS, i.input) })),
  Status: choiceValue.pipe(z.enum(STATUSES, { error: (i) => oneOf(STATUSES, i.input) })),
  Summary: textValue.pipe(optionalText(2000)).optional(),
  URL: urlValue
    .pipe(optionalText(2000))
    .pipe(
      z
        .url({
          protocol: /^https?$/,
          error: (i) => `expected an http(s) URL, got ${JSON.stringify(i.input)}`,
        })
        .nullable(),
    )
    .optional(),
  App: appValue
    .pipe(optionalText(32))
    .pipe(
      z
        .string()
        .regex(APP_NAME, {
          error: (i) => `expected an app name matching ${APP_NAME}, got ${JSON.stringify(i.input)}`,
        })
        .nullable(),
    )
    .optional(),
  Tags: tagsValue.pipe(z.array(z.string()).max(20, { error: "expected at most 20 tags" })).optional(),
});

/** The zod schema of one registry page (`{id, properties}`; the rest of the page is ignored). */
export const registryPageSchema = z.object({
  id: z.string().refine((id) => wixIdOf(id) !== undefined, { error: "expected a Notion page id" }),
  properties,
});

/** Why a property's value was refused: zod's message, or the wrong type. */
function reasonOf(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === "invalid_union" || issue.code === "invalid_type") {
    const type = (value as { type?: unknown } | undefined)?.type;
    if (value === undefined) return "is missing";
    return typeof type === "string"
      ? `has the type ${type}, which the registry does not use here`
      : issue.message;
  }
  return issue.message;
}

/**
 * Maps one registry page to an entry, or refuses it (pure).
 *
 * @param page - a page as `dataSources.query` returns it
 * @returns the entry, or the refusal naming the page, the property and why
 */
export function registryEntryOf(page: unknown): { entry: RegistryEntry } | { refused: Refusal } {
  const pageId = (page as { id?: unknown } | null)?.id;
  const shownId = typeof pageId === "string" ? pageId : "(no id)";
  const parsed = registryPageSchema.safeParse(page);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const [top, name] = issue.path;
    if (top === "properties" && typeof name === "string") {
      const value = (page as { properties?: Record<string, unknown> }).properties?.[name];
      return { refused: { pageId: shownId, field: name, reason: reasonOf(issue, value) } };
    }
    return {
      refused: {
        pageId: shownId,
        field: "(page)",
        reason: top === "id" ? issue.message : "not a full page object (no properties)",
      },
    };
  }
  const p = parsed.data.properties;
  return {
    entry: {
      pageId: parsed.data.id,
      id: wixIdOf(parsed.data.id) as string,
      domain: p.Domain,
      title: p.Name,
      status: p.Status,
      summary: p.Summary ?? null,
      url: p.URL ?? null,
      app: p.App ?? null,
      tags: [...new Set(p.Tags ?? [])].sort(),
    },
  };
}

/**
 * Maps every page (pure): the entries, in page order, and the refusals.
 *
 * @param pages - the pages as read
 */
export function registryEntriesOf(pages: readonly unknown[]): {
  entries: RegistryEntry[];
  refused: Refusal[];
} {
  const entries: RegistryEntry[] = [];
  const refused: Refusal[] = [];
  for (const page of pages) {
    const r = registryEntryOf(page);
    if ("entry" in r) entries.push(r.entry);
    else refused.push(r.refused);
  }
  return { entries, refused };
}

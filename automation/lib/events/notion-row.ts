/**
 * One SWARM event as one row of the SWARM Notion data source (pure): the properties the data
 * source must have, the property values of an event, whether a row already holds them, and what
 * is wrong with a data source's schema. The Notion sink does the I/O.
 */
import type { SwarmEvent } from "./schema";

/** The Notion property types the SWARM row uses. */
export type SwarmPropertyType = "title" | "rich_text" | "number" | "select" | "multi_select" | "date";

/**
 * The SWARM data source's properties: field → property name and type. The title property is
 * whatever the data source names its title (it holds the phase); every other name is fixed.
 * SLO figures are aggregated over the event's apps (minimum scores, summed counts), and the
 * per-app figures are spelled out in `SLO`.
 */
export const SWARM_NOTION_PROPERTIES = {
  eventId: { name: "Event ID", type: "rich_text" },
  phase: { name: "Phase", type: "select" },
  stack: { name: "Stack", type: "select" },
  environment: { name: "Environment", type: "select" },
  version: { name: "Version", type: "rich_text" },
  ramp: { name: "Ramp", type: "rich_text" },
  apps: { name: "Apps", type: "multi_select" },
  weight: { name: "Weight", type: "number" },
  verdict: { name: "Verdict", type: "select" },
  reason: { name: "Reason", type: "rich_text" },
  update: { name: "Update", type: "rich_text" },
  minScore: { name: "Min score", type: "number" },
  lastScore: { name: "Last score", type: "number" },
  samples: { name: "Samples", type: "number" },
  misses: { name: "Misses", type: "number" },
  requests: { name: "Requests", type: "number" },
  good: { name: "Good requests", type: "number" },
  slo: { name: "SLO", type: "rich_text" },
  time: { name: "Time", type: "date" },
} as const satisfies Record<string, { name: string; type: SwarmPropertyType }>;

/** The property name of the event id (the key rows are found by). */
export const EVENT_ID_PROPERTY = SWARM_NOTION_PROPERTIES.eventId.name;

/** Notion's limit on one text item. */
const TEXT_LIMIT = 2000;
/** Notion's limit on an option name (a select option also may not hold a comma). */
const OPTION_LIMIT = 100;

/** A property value as `pages.create` / `pages.update` take it. */
export type PropertyRequest =
  | { title: { text: { content: string } }[] }
  | { rich_text: { text: { content: string } }[] }
  | { number: number | null }
  | { select: { name: string } | null }
  | { multi_select: { name: string }[] }
  | { date: { start: string } | null };

const text = (s: string | undefined): { text: { content: string } }[] =>
  s === undefined || s === ""
    ? []
    : [{ text: { content: s.length > TEXT_LIMIT ? `${s.slice(0, TEXT_LIMIT - 1)}…` : s } }];

const optionName = (s: string): string => s.replace(/,/g, ";").slice(0, OPTION_LIMIT);

const option = (s: string | undefined): { name: string } | null =>
  s === undefined || s === "" ? null : { name: optionName(s) };

const round = (n: number): number => Math.round(n * 1e6) / 1e6;

function sloFigures(slo: SwarmEvent["slo"]) {
  const apps = Object.entries(slo ?? {});
  const nums = (pick: (s: (typeof apps)[number][1]) => number | null | undefined): number[] =>
    apps.map(([, s]) => pick(s)).filter((n): n is number => typeof n === "number");
  const min = (xs: number[]) => (xs.length === 0 ? null : round(Math.min(...xs)));
  const sum = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0));
  const detail = apps
    .map(([app, s]) => {
      const parts = [`${s.count} samples`, `${s.misses} misses`];
      if (s.minScore !== null) parts.push(`min ${round(s.minScore)}`);
      if (s.lastScore !== null) parts.push(`last ${round(s.lastScore)}`);
      if (s.requests !== undefined)
        parts.push(`${s.requests} requests${s.good === undefined ? "" : ` (${s.good} good)`}`);
      if (s.traffic !== undefined) parts.push(`traffic ${s.traffic}`);
      return `${app}: ${parts.join(", ")}`;
    })
    .join("; ");
  return {
    minScore: min(nums((s) => s.minScore)),
    lastScore: min(nums((s) => s.lastScore)),
    samples: sum(nums((s) => s.count)),
    misses: sum(nums((s) => s.misses)),
    requests: sum(nums((s) => s.requests)),
    good: sum(nums((s) => s.good)),
    detail,
  };
}

/**
 * The property values of an event's row. Every property is set (absent fields as empty), so an
 * update leaves nothing of an earlier version of the event.
 *
 * @param event - the SWARM event
 * @param titleProperty - the data source's title property name
 * @param environment - the environment the stack deploys to
 */
export function swarmRowProperties(
  event: SwarmEvent,
  titleProperty: string,
  environment: string,
): Record<string, PropertyRequest> {
  const p = SWARM_NOTION_PROPERTIES;
  const slo = sloFigures(event.slo);
  return {
    [titleProperty]: { title: text(event.phase) },
    [p.eventId.name]: { rich_text: text(event.id) },
    [p.phase.name]: { select: option(event.phase) },
    [p.stack.name]: { select: option(event.stack) },
    [p.environment.name]: { select: option(environment) },
    [p.version.name]: { rich_text: text(event.version) },
    [p.ramp.name]: { rich_text: text(event.rampId) },
    [p.apps.name]: {
      multi_select: [...new Set((event.apps ?? []).map(optionName))].map((name) => ({ name })),
    },
    [p.weight.name]: { number: event.weight ?? null },
    [p.verdict.name]: { select: option(event.verdict) },
    [p.reason.name]: { rich_text: text(event.reason) },
    [p.update.name]: { rich_text: text(event.update) },
    [p.minScore.name]: { number: slo.minScore },
    [p.lastScore.name]: { number: slo.lastScore },
    [p.samples.name]: { number: slo.samples },
    [p.misses.name]: { number: slo.misses },
    [p.requests.name]: { number: slo.requests },
    [p.good.name]: { number: slo.good },
    [p.slo.name]: { rich_text: text(slo.detail) },
    [p.time.name]: { date: { start: event.ts } },
  };
}

/** A property value as a page returns it (only what the comparison reads). */
type PropertyResponse = { type: string } & Record<string, unknown>;

function plainOfRequest(v: PropertyRequest): unknown {
  if ("title" in v) return v.title.map((t) => t.text.content).join("");
  if ("rich_text" in v) return v.rich_text.map((t) => t.text.content).join("");
  if ("number" in v) return v.number;
  if ("select" in v) return v.select?.name ?? null;
  if ("multi_select" in v) return v.multi_select.map((o) => o.name);
  return v.date === null ? null : Date.parse(v.date.start);
}

function plainOfResponse(v: PropertyResponse | undefined): unknown {
  if (v === undefined) return undefined;
  const inner = v[v.type];
  switch (v.type) {
    case "title":
    case "rich_text":
      return (inner as { plain_text: string }[]).map((t) => t.plain_text).join("");
    case "select":
      return (inner as { name: string } | null)?.name ?? null;
    case "multi_select":
      return (inner as { name: string }[]).map((o) => o.name);
    case "date":
      return inner === null ? null : Date.parse((inner as { start: string }).start);
    default:
      return inner;
  }
}

/**
 * Whether a row already holds these values (then no write is needed).
 *
 * @param row - the page's `properties`
 * @param wanted - the values {@link swarmRowProperties} gives
 */
export function rowHolds(
  row: Record<string, PropertyResponse>,
  wanted: Record<string, PropertyRequest>,
): boolean {
  return Object.entries(wanted).every(
    ([name, value]) => JSON.stringify(plainOfResponse(row[name])) === JSON.stringify(plainOfRequest(value)),
  );
}

/**
 * Checks a data source's schema against {@link SWARM_NOTION_PROPERTIES}.
 *
 * @param properties - the data source's `properties` (name → `{type}`)
 * @returns the title property's name, and one line per missing or mistyped property
 */
export function swarmSchemaProblems(properties: Record<string, { type: string }>): {
  titleProperty: string | undefined;
  problems: string[];
} {
  const titleProperty = Object.entries(properties).find(([, p]) => p.type === "title")?.[0];
  const problems: string[] = [];
  if (titleProperty === undefined) problems.push("no title property");
  for (const { name, type } of Object.values(SWARM_NOTION_PROPERTIES)) {
    const found = properties[name];
    if (found === undefined) problems.push(`"${name}" (${type}) is missing`);
    else if (found.type !== type) problems.push(`"${name}" is ${found.type}, expected ${type}`);
  }
  return { titleProperty, problems };
}

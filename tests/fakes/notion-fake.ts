/**
 * A loopback fake of the Notion API at version 2025-09-03, for the routes `@notionhq/client`
 * 5.x calls for databases and their data sources: `GET /v1/databases/{id}` (with its
 * `data_sources`), `GET /v1/data_sources/{id}` (with its property schema),
 * `POST /v1/data_sources/{id}/query`, `POST /v1/pages` (a `data_source_id` or single-source
 * `database_id` parent), `GET /v1/pages/{id}` and `PATCH /v1/pages/{id}`.
 *
 * Like the real service: every request needs `Notion-Version` (missing → 400 `missing_version`)
 * and `Authorization: Bearer <token>` (missing or unknown → 401 `unauthorized`); an integration
 * sees only the databases shared with it, and anything else (or an unknown id) is 404
 * `object_not_found`; every error body is `{object:"error", status, code, message, request_id}`
 * (so the client exposes `.code` and retries a 429, whose `Retry-After` the base's `throttle`
 * fault sets); property values are checked against the data source's schema (an unknown
 * property, a value of the wrong type or a text over 2000 characters → 400 `validation_error`);
 * a select or multi-select option that does not exist yet is added to the schema; query results
 * come in pages of `page_size` (at most 100) with `has_more` and an opaque `next_cursor`; trashed
 * (archived) pages leave queries unless `in_trash: true`, and cannot be edited until restored.
 * Every page write (allowed or refused) goes to the write log with the token's scope name
 * (never the token) and `<databaseId>/<dataSourceId>` as the target scope.
 */
import * as crypto from "node:crypto";
import {
  type FakeRequest,
  type FakeResponse,
  type FakeServer,
  startFake,
  type WriteRecord,
} from "./fake-http";

/** The property types the fake stores and filters. */
export type NotionPropertyType =
  | "title"
  | "rich_text"
  | "number"
  | "select"
  | "multi_select"
  | "status"
  | "date"
  | "url"
  | "email"
  | "phone_number"
  | "checkbox";

/** One database of the fake, with its single data source. */
export interface NotionFakeDatabase {
  /** The database id. */
  id: string;
  /** The id of its data source. @default - a fresh UUID */
  dataSourceId?: string;
  /** Its title. @default - the id */
  title?: string;
  /** The data source's schema: property name → type (exactly one `title`). */
  properties: Record<string, NotionPropertyType>;
}

/** One integration token the fake knows. */
export interface NotionFakeToken {
  /** The token's name in the write log (never the token). */
  scope: string;
  /** The databases shared with the integration. */
  databaseIds: string[];
}

/** Options of {@link startNotionFake}. */
export interface NotionFakeOptions {
  /** Token text → its scope. */
  tokens: Record<string, NotionFakeToken>;
  /** The databases. */
  databases: NotionFakeDatabase[];
}

/** A page as the API returns it. */
export interface NotionFakePage {
  object: "page";
  id: string;
  created_time: string;
  last_edited_time: string;
  in_trash: boolean;
  archived: boolean;
  is_archived: boolean;
  is_locked: boolean;
  url: string;
  public_url: null;
  parent: { type: "data_source_id"; data_source_id: string; database_id: string };
  properties: Record<string, Record<string, unknown>>;
  icon: null;
  cover: null;
  created_by: { object: "user"; id: string };
  last_edited_by: { object: "user"; id: string };
}

/** A running Notion fake. */
export interface NotionFake extends FakeServer {
  /** The data source id of a database. */
  dataSourceId(databaseId: string): string;
  /** The pages of a database's data source, in creation order (trashed ones too). */
  pages(databaseId: string): NotionFakePage[];
  /** The plain text, number, name(s) or date start of each property of a page (for assertions). */
  plain(page: NotionFakePage): Record<string, unknown>;
  /** Hand-edits a page without the API (no write log entry), in request value shapes. */
  editPage(pageId: string, edit: { properties?: Record<string, unknown>; inTrash?: boolean }): void;
}

const CODES: Record<number, string> = {
  400: "invalid_request",
  401: "unauthorized",
  403: "restricted_resource",
  404: "object_not_found",
  409: "conflict_error",
  429: "rate_limited",
  500: "internal_server_error",
  503: "service_unavailable",
  504: "gateway_timeout",
  529: "service_overload",
};

/** The only version the fake implements. */
const VERSION = "2025-09-03";
const TEXT_LIMIT = 2000;
const INTEGRATION_USER = { object: "user" as const, id: "00000000-0000-4000-8000-00000000b07" };

function errorBody(status: number, message: string, code = CODES[status] ?? "internal_server_error") {
  return { object: "error", status, code, message, request_id: crypto.randomUUID() };
}

class Refusal extends Error {
  constructor(readonly answer: FakeResponse) {
    super("refused");
  }
}

function refuse(status: number, code: string, message: string): never {
  const body = errorBody(status, message, code);
  throw new Refusal({ status, body, headers: { "x-notion-request-id": body.request_id } });
}

const invalid = (message: string): never => refuse(400, "validation_error", message);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Notion ids compare without dashes and case. */
const norm = (id: string): string => id.replace(/-/g, "").toLowerCase();

/** Where a query's next page starts (the cursor itself is random). */
interface CursorState {
  dataSourceId: string;
  offset: number;
}

interface Source {
  database: { id: string; title: string; created: string };
  id: string;
  /** name → {id, type, options (select-like)} */
  schema: Map<string, { id: string; type: NotionPropertyType; options: Map<string, string> }>;
}

function richText(content: string, link: string | null) {
  return {
    type: "text",
    text: { content, link: link === null ? null : { url: link } },
    annotations: {
      bold: false,
      italic: false,
      strikethrough: false,
      underline: false,
      code: false,
      color: "default",
    },
    plain_text: content,
    href: link,
  };
}

function plainOf(value: Record<string, unknown>): unknown {
  const type = String(value.type);
  const v = value[type];
  if (type === "title" || type === "rich_text")
    return (v as { plain_text: string }[]).map((t) => t.plain_text).join("");
  if (type === "select" || type === "status") return v === null ? null : (v as { name: string }).name;
  if (type === "multi_select") return (v as { name: string }[]).map((o) => o.name);
  if (type === "date") return v === null ? null : (v as { start: string }).start;
  return v;
}

/** Compares two property plain values for sorting (nulls first). */
function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined || a === "") return -1;
  if (b === null || b === undefined || b === "") return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

const TEXT_OPS = new Set([
  "equals",
  "does_not_equal",
  "contains",
  "does_not_contain",
  "starts_with",
  "ends_with",
  "is_empty",
  "is_not_empty",
]);

function textMatch(text: string, op: string, arg: unknown, at: string): boolean {
  if (op === "is_empty") return text === "";
  if (op === "is_not_empty") return text !== "";
  if (typeof arg !== "string") invalid(`body failed validation: ${at}.${op} should be a string`);
  const s = arg as string;
  switch (op) {
    case "equals":
      return text === s;
    case "does_not_equal":
      return text !== s;
    case "contains":
      return text.includes(s);
    case "does_not_contain":
      return !text.includes(s);
    case "starts_with":
      return text.startsWith(s);
    default:
      return text.endsWith(s);
  }
}

function numberMatch(n: number | null, op: string, arg: unknown, at: string): boolean {
  if (op === "is_empty") return n === null;
  if (op === "is_not_empty") return n !== null;
  if (typeof arg !== "number") invalid(`body failed validation: ${at}.${op} should be a number`);
  const x = arg as number;
  if (n === null) return op === "does_not_equal";
  switch (op) {
    case "equals":
      return n === x;
    case "does_not_equal":
      return n !== x;
    case "greater_than":
      return n > x;
    case "less_than":
      return n < x;
    case "greater_than_or_equal_to":
      return n >= x;
    case "less_than_or_equal_to":
      return n <= x;
    default:
      return invalid(`body failed validation: ${at}.${op} is not a number filter condition`);
  }
}

function dateMatch(start: string | null, op: string, arg: unknown, at: string): boolean {
  if (op === "is_empty") return start === null;
  if (op === "is_not_empty") return start !== null;
  if (typeof arg !== "string" || Number.isNaN(Date.parse(arg)))
    invalid(`body failed validation: ${at}.${op} should be an ISO 8601 date`);
  if (start === null) return false;
  const t = Date.parse(start);
  const x = Date.parse(arg as string);
  switch (op) {
    case "equals":
      return t === x;
    case "before":
      return t < x;
    case "after":
      return t > x;
    case "on_or_before":
      return t <= x;
    case "on_or_after":
      return t >= x;
    default:
      return invalid(`body failed validation: ${at}.${op} is not a date filter condition`);
  }
}

/**
 * Starts the Notion fake on loopback.
 *
 * @param opts - the tokens and databases it knows
 */
export async function startNotionFake(opts: NotionFakeOptions): Promise<NotionFake> {
  const now = () => new Date().toISOString();
  const sources = new Map<string, Source>();
  const byDatabase = new Map<string, Source>();
  for (const db of opts.databases) {
    const titles = Object.values(db.properties).filter((t) => t === "title").length;
    if (titles !== 1) throw new Error(`database ${db.id}: exactly one title property, got ${titles}`);
    const source: Source = {
      database: { id: db.id, title: db.title ?? db.id, created: now() },
      id: db.dataSourceId ?? crypto.randomUUID(),
      schema: new Map(
        Object.entries(db.properties).map(([name, type]) => [
          name,
          {
            id: type === "title" ? "title" : crypto.randomBytes(3).toString("base64url"),
            type,
            options: new Map(),
          },
        ]),
      ),
    };
    sources.set(norm(source.id), source);
    byDatabase.set(norm(db.id), source);
  }
  const pages = new Map<string, NotionFakePage>();
  const cursors = new Map<string, CursorState>();

  /** Request value → response value, checked against the property's type. */
  const toValue = (source: Source, name: string, raw: unknown, at: string): Record<string, unknown> => {
    const prop = source.schema.get(name);
    if (!prop) invalid(`${name} is not a property that exists.`);
    const { id, type } = prop as NonNullable<typeof prop>;
    if (!isRecord(raw)) invalid(`body failed validation: ${at} should be an object`);
    const value = raw as Record<string, unknown>;
    const given = Object.keys(value).filter((k) => k !== "type" && k !== "id");
    if (given.length !== 1 || given[0] !== type)
      invalid(`${name} is expected to be ${type}. (${at} gave ${given.join(", ") || "nothing"})`);
    const v = value[type];
    const option = (o: unknown, where: string) => {
      if (!isRecord(o) || typeof o.name !== "string" || o.name === "")
        invalid(`body failed validation: ${where}.name should be a non-empty string`);
      const optName = (o as { name: string }).name;
      if (optName.includes(",")) invalid(`body failed validation: ${where}.name must not contain a comma`);
      const optId = prop?.options.get(optName) ?? crypto.randomBytes(3).toString("base64url");
      prop?.options.set(optName, optId);
      return { id: optId, name: optName, color: "default" };
    };
    const text = (s: unknown, where: string) => {
      if (s === null) return null;
      if (typeof s !== "string")
        return invalid(`body failed validation: ${where} should be a string or null`);
      if (s.length > TEXT_LIMIT)
        invalid(
          `body failed validation: ${where}.length should be ≤ \`${TEXT_LIMIT}\`, instead was \`${s.length}\`.`,
        );
      return s;
    };
    switch (type) {
      case "title":
      case "rich_text": {
        if (!Array.isArray(v)) return invalid(`body failed validation: ${at}.${type} should be an array`);
        if (v.length > 100)
          invalid(
            `body failed validation: ${at}.${type}.length should be ≤ \`100\`, instead was \`${v.length}\`.`,
          );
        const items = v.map((item, i) => {
          const where = `${at}.${type}[${i}].text`;
          if (!isRecord(item) || !isRecord(item.text))
            return invalid(`body failed validation: ${where} should be defined, instead was \`undefined\`.`);
          const content = text(item.text.content, `${where}.content`);
          if (content === null) return invalid(`body failed validation: ${where}.content should be a string`);
          const link = isRecord(item.text.link) ? String(item.text.link.url) : null;
          return richText(content, link);
        });
        return { id, type, [type]: items };
      }
      case "number":
        if (v !== null && (typeof v !== "number" || !Number.isFinite(v)))
          invalid(`body failed validation: ${at}.number should be a number or null`);
        return { id, type, number: v };
      case "select":
      case "status":
        return { id, type, [type]: v === null ? null : option(v, `${at}.${type}`) };
      case "multi_select":
        if (!Array.isArray(v))
          return invalid(`body failed validation: ${at}.multi_select should be an array`);
        if (v.length > 100)
          invalid(
            `body failed validation: ${at}.multi_select.length should be ≤ \`100\`, instead was \`${v.length}\`.`,
          );
        return { id, type, multi_select: v.map((o, i) => option(o, `${at}.multi_select[${i}]`)) };
      case "date": {
        if (v === null) return { id, type, date: null };
        if (!isRecord(v) || typeof v.start !== "string" || Number.isNaN(Date.parse(v.start)))
          return invalid(`body failed validation: ${at}.date.start should be an ISO 8601 date`);
        return { id, type, date: { start: v.start, end: v.end ?? null, time_zone: v.time_zone ?? null } };
      }
      case "checkbox":
        if (typeof v !== "boolean") invalid(`body failed validation: ${at}.checkbox should be a boolean`);
        return { id, type, checkbox: v };
      default:
        return { id, type, [type]: text(v, `${at}.${type}`) };
    }
  };

  const emptyValue = (prop: { id: string; type: NotionPropertyType }): Record<string, unknown> => {
    const { id, type } = prop;
    if (type === "title" || type === "rich_text" || type === "multi_select") return { id, type, [type]: [] };
    if (type === "checkbox") return { id, type, checkbox: false };
    return { id, type, [type]: null };
  };

  const matches = (
    source: Source,
    page: NotionFakePage,
    filter: unknown,
    at: string,
    depth: number,
  ): boolean => {
    if (!isRecord(filter)) return invalid(`body failed validation: ${at} should be an object`);
    for (const combinator of ["and", "or"] as const) {
      const list = filter[combinator];
      if (list === undefined) continue;
      if (!Array.isArray(list))
        return invalid(`body failed validation: ${at}.${combinator} should be an array`);
      if (depth >= 2) invalid(`body failed validation: ${at} nests compound filters deeper than 2 levels`);
      const results = list.map((f, i) => matches(source, page, f, `${at}.${combinator}[${i}]`, depth + 1));
      return combinator === "and" ? results.every(Boolean) : results.some(Boolean);
    }
    if (filter.timestamp === "created_time" || filter.timestamp === "last_edited_time") {
      const cond = filter[filter.timestamp];
      if (!isRecord(cond))
        return invalid(`body failed validation: ${at}.${filter.timestamp} should be defined`);
      const t = filter.timestamp === "created_time" ? page.created_time : page.last_edited_time;
      return Object.entries(cond).every(([op, arg]) => dateMatch(t, op, arg, `${at}.${filter.timestamp}`));
    }
    if (typeof filter.property !== "string")
      return invalid(`body failed validation: ${at}.property should be defined, instead was \`undefined\`.`);
    const prop = source.schema.get(filter.property);
    if (!prop) return invalid(`Could not find property with name or id: ${filter.property}`);
    const kinds = Object.keys(filter).filter((k) => k !== "property");
    const kind = kinds[0];
    if (kinds.length !== 1 || kind === undefined)
      return invalid(`body failed validation: ${at} needs one condition`);
    const textual = ["title", "rich_text", "url", "email", "phone_number"];
    const fits =
      kind === prop.type ||
      (kind === "rich_text" && textual.includes(prop.type)) ||
      (kind === "text" && textual.includes(prop.type));
    if (!fits)
      return invalid(
        `body failed validation: ${at}.${kind} does not match the type of ${filter.property} (${prop.type})`,
      );
    const cond = filter[kind];
    if (!isRecord(cond) || Object.keys(cond).length !== 1)
      return invalid(`body failed validation: ${at}.${kind} should hold one condition`);
    const [op, arg] = Object.entries(cond)[0] as [string, unknown];
    const where = `${at}.${kind}`;
    const value = page.properties[filter.property] ?? emptyValue(prop);
    const plain = plainOf(value);
    switch (prop.type) {
      case "number":
        return numberMatch(plain as number | null, op, arg, where);
      case "date":
        return dateMatch(plain as string | null, op, arg, where);
      case "checkbox":
        if (typeof arg !== "boolean") invalid(`body failed validation: ${where}.${op} should be a boolean`);
        if (op === "equals") return plain === arg;
        if (op === "does_not_equal") return plain !== arg;
        return invalid(`body failed validation: ${where}.${op} is not a checkbox filter condition`);
      case "select":
      case "status":
        if (op === "is_empty") return plain === null;
        if (op === "is_not_empty") return plain !== null;
        if (op === "equals") return plain === arg;
        if (op === "does_not_equal") return plain !== arg;
        return invalid(`body failed validation: ${where}.${op} is not a ${prop.type} filter condition`);
      case "multi_select": {
        const names = plain as string[];
        if (op === "is_empty") return names.length === 0;
        if (op === "is_not_empty") return names.length > 0;
        if (op === "contains") return names.includes(String(arg));
        if (op === "does_not_contain") return !names.includes(String(arg));
        return invalid(`body failed validation: ${where}.${op} is not a multi_select filter condition`);
      }
      default:
        if (!TEXT_OPS.has(op))
          invalid(`body failed validation: ${where}.${op} is not a text filter condition`);
        return textMatch((plain as string | null) ?? "", op, arg, where);
    }
  };

  const handle = (req: FakeRequest, log: (w: WriteRecord) => void): FakeResponse => {
    const auth = req.headers.authorization ?? "";
    const token = auth.startsWith("Bearer ") ? opts.tokens[auth.slice("Bearer ".length)] : undefined;
    const pageRoute = /^\/v1\/pages(?:\/([^/]+))?$/.exec(req.path);
    const write = pageRoute !== null && (req.method === "POST" || req.method === "PATCH");
    let target = "";
    const record = (applied: boolean) => {
      if (!write) return;
      log({
        method: req.method,
        path: req.path,
        credentialScope: token?.scope ?? (auth === "" ? "(none)" : "(unknown token)"),
        targetScope: target,
        applied,
      });
    };
    try {
      const version = req.headers["notion-version"];
      if (version === undefined || version === "")
        refuse(
          400,
          "missing_version",
          "Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.",
        );
      if (version !== VERSION)
        refuse(
          400,
          "invalid_request",
          `Notion-Version ${version} is not supported by this fake; use ${VERSION}.`,
        );
      if (!token) refuse(401, "unauthorized", "API token is invalid.");
      let body: Record<string, unknown> = {};
      if (req.body.length > 0) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(req.body.toString("utf8"));
        } catch {
          refuse(400, "invalid_json", "Error parsing JSON body.");
        }
        if (!isRecord(parsed)) invalid("body failed validation: body should be an object");
        body = parsed as Record<string, unknown>;
      }
      const shared = (source: Source) =>
        (token as NotionFakeToken).databaseIds.some((d) => norm(d) === norm(source.database.id));
      const sourceOf = (kind: "database" | "data_source", id: string): Source => {
        const found = (kind === "database" ? byDatabase : sources).get(norm(id));
        if (!found || !shared(found))
          refuse(
            404,
            "object_not_found",
            `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
          );
        return found as Source;
      };
      const pageOf = (id: string): { page: NotionFakePage; source: Source } => {
        const page = pages.get(norm(id));
        const source = page ? sources.get(norm(page.parent.data_source_id)) : undefined;
        if (!page || !source || !shared(source))
          refuse(
            404,
            "object_not_found",
            `Could not find page with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
          );
        return { page: page as NotionFakePage, source: source as Source };
      };
      const out = route(req, body, sourceOf, pageOf, (t) => {
        target = t;
      });
      record(out.status < 300);
      return out;
    } catch (e) {
      record(false);
      if (e instanceof Refusal) return e.answer;
      throw e;
    }
  };

  const scopeOf = (source: Source) => `${source.database.id}/${source.id}`;

  const route = (
    req: FakeRequest,
    body: Record<string, unknown>,
    sourceOf: (kind: "database" | "data_source", id: string) => Source,
    pageOf: (id: string) => { page: NotionFakePage; source: Source },
    setTarget: (t: string) => void,
  ): FakeResponse => {
    const { method, path } = req;
    const db = /^\/v1\/databases\/([^/]+)$/.exec(path);
    if (method === "GET" && db?.[1] !== undefined)
      return { status: 200, body: databaseJson(sourceOf("database", decodeURIComponent(db[1]))) };
    const ds = /^\/v1\/data_sources\/([^/]+)(\/query)?$/.exec(path);
    if (ds?.[1] !== undefined) {
      const source = sourceOf("data_source", decodeURIComponent(ds[1]));
      if (method === "GET" && ds[2] === undefined) return { status: 200, body: dataSourceJson(source) };
      if (method === "POST" && ds[2] === "/query") return query(source, body);
    }
    const pg = /^\/v1\/pages(?:\/([^/]+))?$/.exec(path);
    if (pg && method === "POST" && pg[1] === undefined) {
      const parent = body.parent;
      if (!isRecord(parent))
        invalid("body failed validation: body.parent should be defined, instead was `undefined`.");
      const p = parent as Record<string, unknown>;
      let source: Source;
      if (typeof p.data_source_id === "string") source = sourceOf("data_source", p.data_source_id);
      else if (typeof p.database_id === "string") source = sourceOf("database", p.database_id);
      else
        return invalid(
          "body failed validation: body.parent.data_source_id should be defined, instead was `undefined`.",
        );
      setTarget(scopeOf(source));
      const properties = isRecord(body.properties) ? body.properties : {};
      const values = Object.fromEntries(
        Object.entries(properties).map(([name, raw]) => [
          name,
          toValue(source, name, raw, `body.properties.${name}`),
        ]),
      );
      const full = Object.fromEntries(
        [...source.schema.entries()].map(([name, prop]) => [name, values[name] ?? emptyValue(prop)]),
      );
      const id = crypto.randomUUID();
      const t = now();
      const page: NotionFakePage = {
        object: "page",
        id,
        created_time: t,
        last_edited_time: t,
        in_trash: false,
        archived: false,
        is_archived: false,
        is_locked: false,
        url: `https://notion.invalid/${norm(id)}`,
        public_url: null,
        parent: { type: "data_source_id", data_source_id: source.id, database_id: source.database.id },
        properties: full,
        icon: null,
        cover: null,
        created_by: INTEGRATION_USER,
        last_edited_by: INTEGRATION_USER,
      };
      pages.set(norm(id), page);
      return { status: 200, body: page };
    }
    if (pg?.[1] !== undefined && (method === "GET" || method === "PATCH")) {
      const { page, source } = pageOf(decodeURIComponent(pg[1]));
      if (method === "GET") return { status: 200, body: page };
      setTarget(scopeOf(source));
      const trash = body.in_trash ?? body.archived ?? body.is_archived;
      if (trash !== undefined && typeof trash !== "boolean")
        invalid("body failed validation: body.in_trash should be a boolean");
      const properties = body.properties === undefined ? {} : body.properties;
      if (!isRecord(properties))
        return invalid("body failed validation: body.properties should be an object");
      const editing = Object.keys(properties).length > 0;
      if (page.in_trash && trash !== false && editing)
        invalid("Can't edit block that is archived. You must unarchive the block before editing.");
      const values = Object.entries(properties).map(
        ([name, raw]) => [name, toValue(source, name, raw, `body.properties.${name}`)] as const,
      );
      for (const [name, value] of values) page.properties[name] = value;
      if (typeof trash === "boolean") {
        page.in_trash = trash;
        page.archived = trash;
        page.is_archived = trash;
      }
      page.last_edited_time = now();
      return { status: 200, body: page };
    }
    return refuse(400, "invalid_request_url", `Invalid request URL: ${method} ${path}`);
  };

  const databaseJson = (source: Source) => ({
    object: "database",
    id: source.database.id,
    title: [richText(source.database.title, null)],
    description: [],
    parent: { type: "workspace", workspace: true },
    is_inline: false,
    in_trash: false,
    archived: false,
    is_locked: false,
    created_time: source.database.created,
    last_edited_time: source.database.created,
    data_sources: [{ id: source.id, name: source.database.title }],
    icon: null,
    cover: null,
    url: `https://notion.invalid/${norm(source.database.id)}`,
    public_url: null,
  });

  const dataSourceJson = (source: Source) => ({
    object: "data_source",
    id: source.id,
    title: [richText(source.database.title, null)],
    description: [],
    parent: { type: "database_id", database_id: source.database.id },
    database_parent: { type: "workspace", workspace: true },
    is_inline: false,
    in_trash: false,
    archived: false,
    created_time: source.database.created,
    last_edited_time: source.database.created,
    created_by: INTEGRATION_USER,
    last_edited_by: INTEGRATION_USER,
    properties: Object.fromEntries(
      [...source.schema.entries()].map(([name, prop]) => {
        const options = [...prop.options.entries()].map(([n, id]) => ({ id, name: n, color: "default" }));
        const config =
          prop.type === "select" || prop.type === "multi_select" || prop.type === "status"
            ? { options }
            : prop.type === "number"
              ? { format: "number" }
              : {};
        return [name, { id: prop.id, name, description: null, type: prop.type, [prop.type]: config }];
      }),
    ),
    icon: null,
    cover: null,
    url: `https://notion.invalid/${norm(source.id)}`,
    public_url: null,
  });

  const query = (source: Source, body: Record<string, unknown>): FakeResponse => {
    const size =
      typeof body.page_size === "number" ? body.page_size : body.page_size === undefined ? 100 : Number.NaN;
    if (!Number.isInteger(size) || size < 1 || size > 100)
      invalid(
        `body failed validation: body.page_size should be ≤ \`100\` and ≥ \`1\`, instead was \`${String(body.page_size)}\`.`,
      );
    let offset = 0;
    if (body.start_cursor !== undefined) {
      const saved = typeof body.start_cursor === "string" ? cursors.get(body.start_cursor) : undefined;
      if (!saved || saved.dataSourceId !== source.id)
        invalid("body failed validation: body.start_cursor should be a valid cursor returned by this query.");
      offset = (saved as CursorState).offset;
    }
    const inTrash = body.in_trash === true || body.archived === true;
    let rows = [...pages.values()].filter(
      (p) => p.parent.data_source_id === source.id && (inTrash ? p.in_trash : !p.in_trash),
    );
    if (body.filter !== undefined)
      rows = rows.filter((p) => matches(source, p, body.filter, "body.filter", 0));
    if (body.sorts !== undefined) {
      if (!Array.isArray(body.sorts)) invalid("body failed validation: body.sorts should be an array");
      const sorts = (body.sorts as unknown[]).map((s, i) => {
        if (!isRecord(s)) return invalid(`body failed validation: body.sorts[${i}] should be an object`);
        if (typeof s.property === "string" && !source.schema.has(s.property))
          invalid(`Could not find sort property with name or id: ${s.property}`);
        return s;
      });
      rows.sort((a, b) => {
        for (const s of sorts) {
          const pick = (p: NotionFakePage) =>
            typeof s.property === "string"
              ? plainOf(p.properties[s.property] ?? {})
              : s.timestamp === "last_edited_time"
                ? p.last_edited_time
                : p.created_time;
          const c = compare(pick(a), pick(b));
          if (c !== 0) return s.direction === "descending" ? -c : c;
        }
        return 0;
      });
    }
    const results = rows.slice(offset, offset + size);
    const more = offset + results.length < rows.length;
    let next: string | null = null;
    if (more) {
      next = crypto.randomUUID();
      cursors.set(next, { dataSourceId: source.id, offset: offset + results.length });
    }
    return {
      status: 200,
      body: {
        object: "list",
        type: "page_or_data_source",
        page_or_data_source: {},
        results,
        next_cursor: next,
        has_more: more,
        request_status: { type: "complete" },
      },
    };
  };

  const server = await startFake({ handle, errorBody: (status, message) => errorBody(status, message) });
  const sourceOfDatabase = (databaseId: string): Source => {
    const source = byDatabase.get(norm(databaseId));
    if (!source) throw new Error(`no database ${databaseId} in the fake`);
    return source;
  };
  return Object.assign(server, {
    dataSourceId: (databaseId: string) => sourceOfDatabase(databaseId).id,
    pages: (databaseId: string) => {
      const id = sourceOfDatabase(databaseId).id;
      return [...pages.values()].filter((p) => p.parent.data_source_id === id);
    },
    plain: (page: NotionFakePage) =>
      Object.fromEntries(Object.entries(page.properties).map(([name, value]) => [name, plainOf(value)])),
    editPage(pageId: string, edit: { properties?: Record<string, unknown>; inTrash?: boolean }) {
      const page = pages.get(norm(pageId));
      const source = page ? sources.get(norm(page.parent.data_source_id)) : undefined;
      if (!page || !source) throw new Error(`no page ${pageId} in the fake`);
      for (const [name, raw] of Object.entries(edit.properties ?? {}))
        page.properties[name] = toValue(source, name, raw, `properties.${name}`);
      if (edit.inTrash !== undefined) {
        page.in_trash = edit.inTrash;
        page.archived = edit.inTrash;
        page.is_archived = edit.inTrash;
      }
      page.last_edited_time = now();
    },
  });
}

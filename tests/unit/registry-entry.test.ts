/**
 * One Notion registry page → one entry: the fields it keeps, the refusals (page id, property,
 * why), and the deterministic Wix `_id`.
 */
import { describe, expect, it } from "vitest";
import {
  REGISTRY_SCHEMA,
  registryEntriesOf,
  registryEntryOf,
  registrySchemaProblems,
  wixIdOf,
} from "../../automation/lib/content/registry-entry";
import { registryPage } from "../helpers/registry";

const ID = "5f0c2a9e-1111-4111-8111-0000000000a1";

describe("registryEntryOf", () => {
  it("maps a page to its entry: trimmed text, empty optional fields as null, tags sorted and unique", () => {
    const r = registryEntryOf(
      registryPage(ID, {
        name: "  Launch deck ",
        domain: "Business",
        status: "Live",
        tags: ["q4", "deck", "q4"],
        owner: "ignored",
      }),
    );
    expect(r).toEqual({
      entry: {
        pageId: ID,
        id: "notion-5f0c2a9e1111411181110000000000a1",
        domain: "Business",
        title: "Launch deck",
        status: "Live",
        summary: null,
        url: null,
        app: null,
        tags: ["deck", "q4"],
      },
    });
  });

  it("keeps summary, URL and app; Status may be a select as well as a status", () => {
    const page = registryPage(ID, {
      name: "Arena",
      domain: "Gaming",
      summary: "the arena",
      url: "https://example.com/arena",
      app: "gamma",
    });
    const props = page.properties as Record<string, unknown>;
    props.Status = { id: "s", type: "select", select: { id: "1", name: "Draft", color: "gray" } };
    const r = registryEntryOf(page);
    expect(r).toMatchObject({
      entry: {
        domain: "Gaming",
        status: "Draft",
        summary: "the arena",
        url: "https://example.com/arena",
        app: "gamma",
      },
    });
  });

  it.each([
    [{ domain: null }, "Domain", /is empty; expected one of Business, Gaming/],
    [{ domain: "Gamin" }, "Domain", /expected one of Business, Gaming, got "Gamin"/],
    [{ domain: "business" }, "Domain", /got "business"/],
    [{ status: "Published" }, "Status", /expected one of Draft, Live, Retired, got "Published"/],
    [{ name: "   " }, "Name", /expected a title/],
    [{ name: "x".repeat(201) }, "Name", /at most 200/],
    [{ url: "javascript:alert(1)" }, "URL", /expected an http\(s\) URL/],
    [{ app: "Wix App" }, "App", /expected an app name/],
    [{ summary: "s".repeat(2001) }, "Summary", /at most 2000/],
    [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, "Tags", /at most 20 tags/],
  ])("refuses %j: names the page, the property %s and why", (over, field, why) => {
    const r = registryEntryOf(registryPage(ID, { name: "Entry", domain: "Business", ...over }));
    expect("refused" in r && r.refused).toMatchObject({ pageId: ID, field });
    expect("refused" in r && r.refused.reason).toMatch(why);
  });

  it("refuses a property of another type, a missing required one, a partial page and a page without a Notion id", () => {
    const wrongType = registryPage(ID, { name: "E", domain: "Business" });
    (wrongType.properties as Record<string, unknown>).Domain = {
      id: "d",
      type: "rich_text",
      rich_text: [{ plain_text: "Business" }],
    };
    expect(registryEntryOf(wrongType)).toEqual({
      refused: {
        pageId: ID,
        field: "Domain",
        reason: "has the type rich_text, which the registry does not use here",
      },
    });
    const missing = registryPage(ID, { name: "E", domain: "Business" });
    delete (missing.properties as Record<string, unknown>).Status;
    expect(registryEntryOf(missing)).toEqual({
      refused: { pageId: ID, field: "Status", reason: "is missing" },
    });
    expect(registryEntryOf({ object: "page", id: ID })).toMatchObject({
      refused: { pageId: ID, field: "(page)" },
    });
    expect(registryEntryOf(registryPage("not-an-id", { name: "E", domain: "Business" }))).toMatchObject({
      refused: { pageId: "not-an-id", field: "(page)", reason: "expected a Notion page id" },
    });
  });

  it("splits pages into entries and refusals, in page order", () => {
    const other = "5f0c2a9e-2222-4222-8222-0000000000b2";
    const r = registryEntriesOf([
      registryPage(ID, { name: "A", domain: "Business" }),
      registryPage(other, { name: "B", domain: "Nope" }),
    ]);
    expect(r.entries.map((e) => e.pageId)).toEqual([ID]);
    expect(r.refused.map((x) => [x.pageId, x.field])).toEqual([[other, "Domain"]]);
  });
});

describe("wixIdOf", () => {
  it("is the page id's hex digits, whatever the dashes and case: the same on every run", () => {
    expect(wixIdOf(ID)).toBe("notion-5f0c2a9e1111411181110000000000a1");
    expect(wixIdOf(ID.replace(/-/g, "").toUpperCase())).toBe(wixIdOf(ID));
    expect(wixIdOf("5f0c2a9e")).toBeUndefined();
  });
});

describe("registrySchemaProblems", () => {
  it("lists missing required properties and wrong types; ignores extra properties", () => {
    expect(
      registrySchemaProblems({
        Name: { type: "title" },
        Domain: { type: "select" },
        Status: { type: "status" },
        Extra: { type: "number" },
      }),
    ).toEqual([]);
    expect(
      registrySchemaProblems({
        Name: { type: "title" },
        Domain: { type: "rich_text" },
        URL: { type: "rich_text" },
      }),
    ).toEqual([
      `"Domain" is rich_text, expected select`,
      `"Status" (select or status) is missing`,
      `"URL" is rich_text, expected url`,
    ]);
    expect(Object.keys(REGISTRY_SCHEMA)).toEqual([
      "Name",
      "Domain",
      "Status",
      "Summary",
      "URL",
      "App",
      "Tags",
    ]);
  });
});

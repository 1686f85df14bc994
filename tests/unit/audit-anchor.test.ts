/**
 * The audit head in `pulumi up --message`: formatted, parsed back out of history messages.
 */
import { describe, expect, it } from "vitest";
import { anchorsFromHistory, formatAnchor, parseAnchors } from "../../automation/lib/audit/anchor";
import { GENESIS } from "../../automation/lib/audit/entry";

const hash = "ab".repeat(32);

describe("audit anchors", () => {
  it("formats audit=<seq>:<16 hex digits> by default, at least 12, at most 64", () => {
    expect(formatAnchor({ seq: 42, hash })).toBe(`audit=42:${hash.slice(0, 16)}`);
    expect(formatAnchor({ seq: 42, hash }, 4)).toBe(`audit=42:${hash.slice(0, 12)}`);
    expect(formatAnchor({ seq: 0, hash: GENESIS }, 99)).toBe(`audit=0:${GENESIS}`);
    expect(() => formatAnchor({ seq: 1, hash: "xyz" })).toThrow(/not a SHA-256/);
  });

  it("parses the anchor back out of a message, as a separate word only", () => {
    const m = `glidepath up production: wix@v1>v2:25% ${formatAnchor({ seq: 7, hash })} wix.beta=true`;
    expect(parseAnchors(m, "update 3")).toEqual([
      { seq: 7, hashPrefix: hash.slice(0, 16), source: "update 3" },
    ]);
    expect(parseAnchors(`${formatAnchor({ seq: 7, hash })}`, "u")).toHaveLength(1);
    expect(parseAnchors(`xaudit=7:${hash.slice(0, 16)}`, "u")).toEqual([]);
    expect(parseAnchors(`audit=7:${hash.slice(0, 11)}`, "u")).toEqual([]);
    expect(parseAnchors("glidepath up local: wix@v1", "u")).toEqual([]);
  });

  it("collects the anchors of a whole history, naming each update", () => {
    const history = [
      { version: 2, message: `glidepath up production ${formatAnchor({ seq: 9, hash })}` },
      { version: 1, message: "glidepath up production" },
    ];
    expect(anchorsFromHistory(history)).toEqual([
      { seq: 9, hashPrefix: hash.slice(0, 16), source: "stack history update 2" },
    ]);
  });
});

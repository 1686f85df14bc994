/**
 * The audit anchor in production update messages: appended as the last word, replaced (never
 * doubled) on a message that carries one, and ignored where messages are compared or quoted.
 */
import { describe, expect, it } from "vitest";
import { joinHistory } from "../../automation/lib/driver/history-join";
import {
  originalDescription,
  rollbackMessage,
  withAnchor,
  withoutAnchors,
} from "../../automation/lib/messages";

describe("withAnchor", () => {
  it("appends the head as the last word, once", () => {
    const m = withAnchor("glidepath up production: wix@v1", "audit=3:0123456789abcdef");
    expect(m).toBe("glidepath up production: wix@v1 audit=3:0123456789abcdef");
    expect(withAnchor(m, "audit=4:fedcba9876543210")).toBe(
      "glidepath up production: wix@v1 audit=4:fedcba9876543210",
    );
    expect(withoutAnchors(m)).toBe("glidepath up production: wix@v1");
  });

  it("a rollback quotes the restored update without its anchor", () => {
    const restored = "glidepath up production: wix@v1 audit=3:0123456789abcdef";
    expect(
      originalDescription(withAnchor(rollbackMessage("production", 2, restored), "audit=5:0123456789abcdef")),
    ).toBe("glidepath up production: wix@v1");
  });

  it("events join the update whose message carries an anchor", () => {
    const joined = joinHistory(
      [
        {
          version: 2,
          message: "glidepath canary production wix v2 at 5% audit=9:0123456789abcdef",
          startTime: "2026-12-02T10:00:00.000Z",
        } as never,
      ],
      [
        {
          id: "e1",
          ts: "2026-12-02T10:00:01.000Z",
          phase: "canary:step",
          update: "glidepath canary production wix v2 at 5%",
        } as never,
      ],
    );
    expect(joined[0]?.events.map((e) => e.id)).toEqual(["e1"]);
  });
});

import { describe, expect, it } from "vitest";
import { summarize } from "../helpers/run-summary";

describe("the run summary line", () => {
  it("counts what ran and names why the rest was skipped, grouped by reason", () => {
    const line = summarize(
      [
        { file: "tests/unit/a.test.ts", passed: 10, failed: 1, skipped: 0 },
        { file: "tests/e2e/b.test.ts", passed: 0, failed: 0, skipped: 4 },
        { file: "tests/e2e/c.test.ts", passed: 0, failed: 0, skipped: 3 },
        { file: "tests/unit/d.test.ts", passed: 2, failed: 0, skipped: 1 },
      ],
      (f) => (f.startsWith("tests/e2e/") ? "no toolchain" : "skipped by the test itself"),
    );
    expect(line).toBe(
      "run summary: 12 passed, 1 failed, 8 skipped; 2 of 4 files ran; skipped: 7 tests in 2 files: no toolchain; 1 test in 1 file: skipped by the test itself",
    );
  });

  it("says nothing was skipped when nothing was", () => {
    expect(summarize([{ file: "tests/unit/a.test.ts", passed: 1, failed: 0, skipped: 0 }])).toBe(
      "run summary: 1 passed, 0 failed, 0 skipped; 1 of 1 files ran; nothing skipped",
    );
  });
});

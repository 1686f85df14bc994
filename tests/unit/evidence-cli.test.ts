/**
 * The evidence and history --build command lines refuse bad input before any work: exit 2,
 * `GP_ARG_INVALID`, naming the flag and the value.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../automation/cli";
import { capture } from "../helpers/capture";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("evidence and history --build arguments", () => {
  it.each([
    [["evidence", "compare", "--against", "0123456789abcdef", "--threshold", "5x"], '--threshold="5x"'],
    [["evidence", "compare", "--against", "0123456789abcdef", "--threshold", "120%"], '--threshold="120%"'],
    [["evidence", "compare", "--against", "../etc"], '--against="../etc"'],
    [["evidence", "capture", "--base-url", "ftp://x/"], '--base-url="ftp://x/"'],
    [["history", "--build", "not-a-build"], '--build="not-a-build"'],
  ])("%j → exit 2 naming %s", async (args, named) => {
    const io = capture();
    expect(await main([...args, "--stack", "local"])).toBe(2);
    expect(io.err()).toContain("GP_ARG_INVALID");
    expect(io.err()).toContain(named);
  });
});

/**
 * Captures what an in-process CLI run (`main`) writes to stdout and stderr. Undo with
 * `vi.restoreAllMocks()`.
 */
import { vi } from "vitest";

/** Starts capturing; the getters return everything written so far. */
export function capture(): { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
    out.push(String(c));
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => {
    err.push(String(c));
    return true;
  });
  return { out: () => out.join(""), err: () => err.join("") };
}

/**
 * Reading a release's files from the disk service, through the isolate's file cache. A read
 * has three outcomes, and the router answers each differently: the bytes (200), no such file
 * in the release (404, or a re-read of the route when the release itself is gone), and a disk
 * error (503 with `retry-after`) — the disk service can fail while the target removes a
 * retired release's directory under a read, and that is never the visitor's 500.
 */
import type { FileCache } from "./file-cache.js";

/** A release file as read: its bytes, `null` when the release has no such file, or `"disk-error"`. */
export type FileRead = Uint8Array<ArrayBuffer> | null | "disk-error";

/** The disk service binding. */
interface Disk {
  fetch(input: string): Promise<Response>;
}

/**
 * A release file's bytes, from the cache or the disk service (then kept in the cache).
 *
 * @param disk - the `DISK` binding (the target's root)
 * @param cache - the isolate's file cache
 * @param id - `<app>/<version>@<digest16>/<file>`
 */
export async function readReleaseFile(disk: Disk, cache: FileCache, id: string): Promise<FileRead> {
  const hit = cache.get(id);
  if (hit !== undefined) return hit;
  try {
    const res = await disk.fetch(`http://disk/releases/${id}`);
    if (!res.ok) {
      await res.body?.cancel();
      return res.status === 404 ? null : "disk-error";
    }
    const body = new Uint8Array(await res.arrayBuffer());
    cache.set(id, body);
    return body;
  } catch {
    return "disk-error";
  }
}

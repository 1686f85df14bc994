/**
 * Release files kept in the isolate's memory. A release directory is content-addressed
 * (`<version>@<digest>`) and published whole before any route points at it, so a file read
 * once never changes: the cache needs no invalidation, only a size bound (least recently used
 * out first). Missing files are not cached: they cost a disk read each time.
 */

/** Bytes kept at most. */
export const CACHE_BYTES = 32 * 1024 * 1024;

/** Files larger than this are read from disk on every request, never kept. */
export const CACHE_FILE_MAX = 1024 * 1024;

/** A byte-bounded LRU of file contents. */
export class FileCache {
  private readonly entries = new Map<string, Uint8Array<ArrayBuffer>>();
  private bytes = 0;

  /**
   * @param maxBytes - total size kept @default CACHE_BYTES
   * @param maxFile - largest file kept @default CACHE_FILE_MAX
   */
  constructor(
    private readonly maxBytes = CACHE_BYTES,
    private readonly maxFile = CACHE_FILE_MAX,
  ) {}

  /**
   * A file's bytes, marking it recently used.
   *
   * @param key - `<app>/<release key>/<file>`
   */
  get(key: string): Uint8Array<ArrayBuffer> | undefined {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    return hit;
  }

  /**
   * Keeps a file (unless it is larger than the per-file bound), evicting the least recently
   * used ones beyond the total bound.
   *
   * @param key - `<app>/<release key>/<file>`
   * @param body - the file's bytes
   */
  set(key: string, body: Uint8Array<ArrayBuffer>): void {
    if (body.byteLength > this.maxFile) return;
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.bytes -= old.byteLength;
      this.entries.delete(key);
    }
    this.entries.set(key, body);
    this.bytes += body.byteLength;
    for (const [k, v] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= v.byteLength;
    }
  }

  /** Bytes held now. */
  size(): number {
    return this.bytes;
  }
}

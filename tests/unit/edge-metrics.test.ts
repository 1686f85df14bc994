import { describe, expect, it } from "vitest";
import { FileCache } from "../../edge/worker/file-cache";
import { isGood, OutcomeStore, quantile, summarize } from "../../edge/worker/metrics";

describe("edge SLO figures", () => {
  it("counts 5xx, lost pages and slow answers as bad, and a 404 both releases give as good", () => {
    expect(isGood({ at: 0, status: 200, ms: 5 }, 500)).toBe(true);
    expect(isGood({ at: 0, status: 404, ms: 5 }, 500)).toBe(true);
    expect(isGood({ at: 0, status: 404, ms: 5, missing: true }, 500)).toBe(false);
    expect(isGood({ at: 0, status: 503, ms: 5 }, 500)).toBe(false);
    expect(isGood({ at: 0, status: 200, ms: 501 }, 500)).toBe(false);
  });

  it("summarizes counts, score, percentiles and the traffic guard", () => {
    const outcomes = Array.from({ length: 100 }, (_, i) => ({ at: i, status: i < 3 ? 503 : 200, ms: i + 1 }));
    const s = summarize(outcomes, 500, 20);
    expect(s).toMatchObject({ total: 100, good: 97, score: 97, enough: true, errors: 3, p50: 50, p99: 99 });
    expect(summarize([], 500, 20)).toMatchObject({ total: 0, score: 100, enough: false, p99: null });
    expect(summarize(outcomes.slice(0, 5), 500, 20).enough).toBe(false);
  });

  it("takes nearest-rank quantiles", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.99)).toBe(4);
    expect(quantile([7], 0)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });

  it("returns a release's outcomes in a time range, and keeps releases apart", () => {
    const store = new OutcomeStore();
    for (let t = 0; t < 100; t++) store.record("wix", "v2@x", { at: t, status: 200, ms: 1 });
    store.record("wix", "v1@y", { at: 50, status: 500, ms: 1 });
    expect(store.range("wix", "v2@x", 10, 20)).toHaveLength(10);
    expect(store.range("wix", "v2@x", 95)).toHaveLength(5);
    expect(store.range("wix", "v1@y", 0)).toHaveLength(1);
    expect(store.range("gamma", "v2@x", 0)).toHaveLength(0);
    store.clear();
    expect(store.range("wix", "v2@x", 0)).toHaveLength(0);
  });

  it("keeps at most about its capacity per release, newest kept", () => {
    const store = new OutcomeStore(100);
    for (let t = 0; t < 1000; t++) store.record("wix", "k", { at: t, status: 200, ms: 1 });
    const kept = store.range("wix", "k", 0);
    expect(kept.length).toBeLessThanOrEqual(125);
    expect(kept.at(-1)?.at).toBe(999);
  });
});

describe("release file cache", () => {
  const bytes = (n: number) => new Uint8Array(n);

  it("keeps files up to its byte bound, dropping the least recently used first", () => {
    const cache = new FileCache(100, 60);
    cache.set("a", bytes(40));
    cache.set("b", bytes(40));
    expect(cache.get("a")?.byteLength).toBe(40); // a is now the most recent
    cache.set("c", bytes(40));
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBeDefined();
    expect(cache.get("c")).toBeDefined();
    expect(cache.size()).toBe(80);
  });

  it("fails if a file over the per-file bound is kept, or a replaced file is counted twice", () => {
    const cache = new FileCache(100, 60);
    cache.set("big", bytes(61));
    expect(cache.get("big")).toBeUndefined();
    cache.set("a", bytes(50));
    cache.set("a", bytes(30));
    expect(cache.size()).toBe(30);
  });
});

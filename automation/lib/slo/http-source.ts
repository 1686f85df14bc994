/**
 * The HTTP SLO source: GET a URL that answers JSON (see `http-shapes.ts`). Every failure is a
 * miss: connection errors and non-2xx (`error`), past the timeout (`timeout`), a body that is
 * not JSON (`not_json`), JSON of another shape (`bad_shape`), impossible figures
 * (`out_of_range`). Descriptions and details never carry the URL's userinfo or query (they
 * may hold tokens), and quote at most 120 characters of a body.
 */
import { type SloFigures, sloBodySchema } from "./http-shapes";
import type { MissKind, SloSample, SloSource } from "./sample";

/** Options of {@link httpSloSource}. */
export interface HttpSloOptions {
  /** The endpoint. */
  url: string;
  /** Per-request timeout (ms). */
  timeoutMs: number;
  /** Clock. @default Date.now */
  now?: () => number;
}

/** The URL without userinfo and with query values masked. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    for (const k of [...u.searchParams.keys()]) u.searchParams.set(k, "***");
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}

/** Turns figures into a sample (pure). */
export function figuresToSample(f: SloFigures, at: number): SloSample {
  const miss = (detail: string): SloSample => ({ ok: false, at, miss: "out_of_range", detail });
  const { good, total } = f;
  if (good !== undefined && total !== undefined) {
    if (!Number.isFinite(good) || !Number.isFinite(total) || good < 0 || total < 0 || good > total) {
      return miss(`counts good=${good} total=${total} are impossible`);
    }
  }
  // No requests and no score: a sample with no data; the gate's traffic guard judges it.
  const score = f.score ?? (total ? (100 * (good as number)) / total : 100);
  if (!Number.isFinite(score) || score < 0 || score > 100) return miss(`score ${score} is outside 0–100`);
  const sample: SloSample = { ok: true, at, score };
  if (good !== undefined && total !== undefined) {
    sample.good = good;
    sample.total = total;
  }
  return sample;
}

/**
 * An HTTP SLO source.
 *
 * @param opts - URL and timeout
 */
export function httpSloSource(opts: HttpSloOptions): SloSource {
  const now = opts.now ?? Date.now;
  const where = redactUrl(opts.url);
  return {
    describe: () => `http ${where}`,
    async sample(app) {
      const at = now();
      const miss = (kind: MissKind, detail: string): SloSample => ({ ok: false, at, miss: kind, detail });
      let text: string;
      try {
        const res = await fetch(opts.url, { signal: AbortSignal.timeout(opts.timeoutMs) });
        text = await res.text();
        if (!res.ok) return miss("error", `HTTP ${res.status} from ${where}`);
      } catch (e) {
        const name = (e as Error).name;
        if (name === "TimeoutError" || name === "AbortError") {
          return miss("timeout", `no answer from ${where} within ${opts.timeoutMs} ms`);
        }
        const cause = (e as { cause?: { code?: string } }).cause?.code ?? name;
        return miss("error", `cannot reach ${where} (${cause})`);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return miss("not_json", `not JSON: ${JSON.stringify(text.slice(0, 120))}`);
      }
      const parsed = sloBodySchema.safeParse(body);
      if (!parsed.success) {
        return miss("bad_shape", `unexpected body: ${parsed.error.issues[0]?.message ?? "shape"}`);
      }
      const data = parsed.data;
      const figures =
        "apps" in data && typeof data.apps === "object" && data.apps !== null
          ? (data.apps as Record<string, SloFigures>)[app]
          : (data as SloFigures);
      if (figures === undefined) return miss("bad_shape", `no figures for app "${app}" in the body`);
      return figuresToSample(figures, at);
    },
  };
}

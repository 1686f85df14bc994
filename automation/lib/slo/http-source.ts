/**
 * The HTTP SLO source: GET a URL that answers JSON (shapes and their reading in
 * `http-shapes.ts`). Every failure is a miss: connection errors, non-2xx and aborts (`error`),
 * past the timeout (`timeout`), a body that is not JSON (`not_json`), JSON of another shape
 * (`bad_shape`), impossible figures (`out_of_range`).
 *
 * The request (credentials from the URL's userinfo, same-origin redirects only, nothing secret
 * in a detail) is `http-get.ts`'s. Details quote at most 60 characters of a body.
 */
import { redactUrl } from "../redact";

/** The one URL redaction (`automation/lib/redact.ts`), as the SLO sources use it. */
export { redactUrl };

import { followRedirect, getText, MAX_REDIRECTS, targetOf } from "./http-get";
import { readSloBody } from "./http-shapes";
import { clip, type MissKind, missSample, type SloSample, type SloSource } from "./sample";

export {
  readSloBody,
  type SloFigures,
  sloCountsSchema,
  sloFiguresSchema,
  sloPerAppSchema,
  sloScoreSchema,
} from "./http-shapes";
export { followRedirect, MAX_REDIRECTS };

/** Options of {@link httpSloSource}. */
export interface HttpSloOptions {
  /** The endpoint, `http(s)://[user:password@]host[:port]/path[?query]`. */
  url: string;
  /** Per-request timeout (ms), covering connection, headers and body. */
  timeoutMs: number;
  /** Clock for the samples' `at`. @default Date.now */
  now?: () => number;
}

/**
 * An HTTP SLO source.
 *
 * @param opts - URL, timeout and clock
 */
export function httpSloSource(opts: HttpSloOptions): SloSource {
  const now = opts.now ?? Date.now;
  const where = redactUrl(opts.url);
  const target = targetOf(opts.url);
  return {
    describe: () => `http ${where}`,
    async sample(app, signal) {
      const at = now();
      const miss = (kind: MissKind, detail: string): SloSample => missSample(at, kind, detail);
      if (target === undefined) return miss("error", "the SLO URL is not a valid URL");
      const got = await getText(target, target.href, opts.timeoutMs, signal);
      if (!got.ok) return miss(got.kind, got.detail);
      if (got.status < 200 || got.status > 299) {
        return miss("error", `HTTP ${got.status}${got.statusText ? ` ${got.statusText}` : ""}`);
      }
      const text = got.text;
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return miss("not_json", `not JSON: ${JSON.stringify(clip(text.trim(), 60))}`);
      }
      return readSloBody(body, app, at);
    },
  };
}

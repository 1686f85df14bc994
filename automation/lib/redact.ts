/**
 * Redaction of URLs for anything people or files see (pure). A URL may carry credentials in
 * its userinfo (`user:password@`) or its query (`?token=…`): shown, it keeps its scheme, host,
 * port and path, loses its userinfo and fragment, and every query value becomes `***`.
 *
 * {@link redactUrl} is for one URL; {@link redactText} for free text (error messages, update
 * messages, JSON text) that may contain URLs; {@link redactUrls} for structured values (a
 * history entry's config, a report) before they are printed or written.
 */

/** Every http(s) URL in free text: up to whitespace, a quote, `<`, `>`, a backslash or a backtick. */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>\\`]+/gi;

/**
 * The URL for people: no userinfo, no fragment, query values replaced by `***`.
 *
 * @param url - the URL, possibly with credentials
 * @returns the redacted URL, or `(invalid URL)`
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.hash = "";
    for (const k of new Set(u.searchParams.keys())) u.searchParams.set(k, "***");
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}

/**
 * Whether a URL carries what may be a credential: userinfo, or a query with a value. Such a URL
 * must be kept as a secret wherever it is stored.
 *
 * @param url - the URL
 * @returns false for an invalid URL (the schema refuses those on its own)
 */
export function urlCarriesCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== "" || u.password !== "" || [...u.searchParams.values()].some((v) => v !== "");
  } catch {
    return false;
  }
}

/**
 * Free text with every http(s) URL that carries credentials redacted ({@link redactUrl});
 * other text, and URLs without credentials, are left as they are.
 *
 * @param text - the text
 */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (url) => (urlCarriesCredentials(url) ? redactUrl(url) : url));
}

/**
 * A copy of a structured value (objects, arrays, strings, numbers, …) with {@link redactText}
 * applied to every string in it, keys included. The input is not changed.
 *
 * @param value - the value
 */
export function redactUrls<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redactText(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [redactText(k), walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

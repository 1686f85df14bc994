/**
 * Static content, pure: which file a request path names inside a release, and its media type.
 */

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  txt: "text/plain; charset=utf-8",
  wasm: "application/wasm",
};

/**
 * The media type of a file name.
 *
 * @param file - a file name or path
 */
export function contentType(file: string): string {
  const ext = file.slice(file.lastIndexOf(".") + 1).toLowerCase();
  return TYPES[ext] ?? "application/octet-stream";
}

/**
 * The release-relative file a path under an app names: `index.html` for a directory, the
 * decoded path otherwise; null for anything that could leave the release or reach its
 * metadata (`..`, dot files such as `.release.json`, backslashes, NUL, bad escapes).
 *
 * @param rest - the path after `/<app>/`, still percent-encoded
 */
export function releaseFile(rest: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return null;
  }
  if (decoded.includes("\\") || decoded.includes("\0")) return null;
  const parts = decoded.split("/");
  if (parts.some((p) => p === ".." || p === "." || p.startsWith("."))) return null;
  if (parts.slice(0, -1).some((p) => p === "")) return null;
  const last = parts.at(-1);
  return last === "" || last === undefined ? `${parts.slice(0, -1).concat("index.html").join("/")}` : decoded;
}

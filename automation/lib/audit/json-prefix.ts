/**
 * Whether a text is the start of some JSON document (a complete one included): what a write
 * cut short by a crash leaves. Pure.
 */

type Want = "value" | "value-or-close" | "key" | "key-or-close" | "colon" | "comma-or-close" | "end";

const WS = new Set([" ", "\t", "\n", "\r"]);
const LITERALS = ["true", "false", "null"];
const NUMBER_DONE = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const NUMBER_START = /^-?(0|[1-9]\d*)?(\.\d*)?([eE][+-]?\d*)?$/;

/** Index after a string's closing quote; `text.length` when it is cut short; -1 when invalid. */
function scanString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '"') return i + 1;
    if (c.charCodeAt(0) < 0x20) return -1;
    if (c !== "\\") continue;
    const e = text[i + 1];
    if (e === undefined) return text.length;
    if (e === "u") {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]*$/.test(hex)) return -1;
      if (hex.length < 4) return text.length;
      i += 5;
    } else if ('"\\/bfnrt'.includes(e)) i += 1;
    else return -1;
  }
  return text.length;
}

/**
 * Whether `text` can be completed into valid JSON (or already is valid JSON).
 *
 * @param text - the text
 */
export function isJsonPrefix(text: string): boolean {
  const stack: string[] = [];
  let want: Want = "value";
  const after = (): Want => (stack.length === 0 ? "end" : "comma-or-close");
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (WS.has(c)) {
      i++;
      continue;
    }
    if (want === "end") return false;
    if (want === "colon") {
      if (c !== ":") return false;
      want = "value";
      i++;
    } else if (want === "comma-or-close") {
      const top = stack[stack.length - 1];
      if (c === ",") want = top === "{" ? "key" : "value";
      else if (c === (top === "{" ? "}" : "]")) {
        stack.pop();
        want = after();
      } else return false;
      i++;
    } else if (want === "key" || want === "key-or-close") {
      if (c === "}" && want === "key-or-close") {
        stack.pop();
        want = after();
        i++;
      } else if (c === '"') {
        const j = scanString(text, i);
        if (j < 0) return false;
        i = j;
        want = "colon";
      } else return false;
    } else if (c === "]" && want === "value-or-close") {
      stack.pop();
      want = after();
      i++;
    } else if (c === "{" || c === "[") {
      stack.push(c);
      want = c === "{" ? "key-or-close" : "value-or-close";
      i++;
    } else if (c === '"') {
      const j = scanString(text, i);
      if (j < 0) return false;
      i = j;
      want = after();
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      const m = /^[-+0-9.eE]+/.exec(text.slice(i))?.[0] ?? "";
      const atEnd = i + m.length === text.length;
      if (!(atEnd ? NUMBER_START : NUMBER_DONE).test(m)) return false;
      i += m.length;
      want = after();
    } else {
      const rest = text.slice(i, i + 5);
      const lit = LITERALS.find(
        (l) => rest.startsWith(l) || (i + rest.length === text.length && l.startsWith(rest)),
      );
      if (lit === undefined) return false;
      i += Math.min(lit.length, rest.length);
      want = after();
    }
  }
  return true;
}

/**
 * The committed list of people whose signatures glidepath accepts, in OpenSSH's
 * `allowed_signers` format (ssh-keygen(1), "ALLOWED SIGNERS"), so the same file serves
 * `ssh-keygen -Y verify` and `git verify-tag`:
 *
 * ```
 * # principals [options] keytype base64-key [comment]
 * release-manager@example.com namespaces="glidepath-audit,glidepath-deploy",valid-after="20260101Z" ssh-ed25519 AAAAC3Nza…
 * ```
 *
 * Supported options: `namespaces="a,b"` (the signature's namespace must match one; without the
 * option every namespace is accepted, as in OpenSSH), `valid-after="YYYYMMDD[HHMM[SS]][Z]"` and
 * `valid-before=…` (read as UTC), principals and namespaces as comma-separated patterns with `*`
 * and `?`. `cert-authority` and key types other than `ssh-ed25519` are refused, never ignored.
 * Pure.
 */
import { GlidepathError } from "../errors";
import { ED25519, fingerprintOf, keyFromBlob } from "./ssh-wire";

/** One line of an allowed-signers file. */
export interface AllowedSigner {
  /** Principal patterns (`release-manager@example.com`, `*@example.com`). */
  principals: string[];
  /** Namespace patterns the key may sign for; undefined: any. */
  namespaces?: string[];
  /** The key is valid from this instant on. */
  validAfter?: Date;
  /** The key is valid before this instant. */
  validBefore?: Date;
  /** The `ssh-ed25519` public-key blob. */
  keyBlob: Buffer;
  /** Its fingerprint (`SHA256:…`). */
  fingerprint: string;
  /** The 1-based line of the file it came from. */
  line: number;
}

/** Splits on unquoted separators (options hold quoted commas and spaces), dropping empty parts when asked. */
function splitUnquoted(text: string, isSep: (c: string) => boolean, keepEmpty: boolean): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    if (!quoted && isSep(c)) {
      if (keepEmpty || cur !== "") out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (keepEmpty || cur !== "") out.push(cur);
  return out;
}

/** `YYYYMMDD[HHMM[SS]][Z]` as an instant (UTC), or undefined when malformed. */
export function parseSshTime(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z?$/.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as number[];
  const date = new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) || date.getUTCMonth() !== (mo as number) - 1 ? undefined : date;
}

/**
 * Whether a name matches an OpenSSH pattern (`*` any run, `?` one character).
 *
 * @param pattern - the pattern
 * @param name - the name
 */
export function matchPattern(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(name);
}

/**
 * Parses an allowed-signers file.
 *
 * @param text - the file's text
 * @param file - its path, for messages
 * @throws GlidepathError `GP_SIGNERS_INVALID` (exit 2) naming the file, the line and what is wrong
 */
export function parseAllowedSigners(text: string, file: string): AllowedSigner[] {
  const out: AllowedSigner[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const bad = (what: string): GlidepathError =>
      new GlidepathError(
        "GP_SIGNERS_INVALID",
        `${file}:${line}: ${what}; nothing was verified`,
        'write each line as `principal[,principal] [namespaces="…",valid-after="YYYYMMDD",valid-before="YYYYMMDD"] ssh-ed25519 <base64 key>` (`glidepath audit signer --key FILE --principal NAME` prints one)',
      );
    const f = splitUnquoted(trimmed, (c) => /\s/.test(c), false);
    const principals = f[0];
    if (principals === undefined || f.length < 3)
      throw bad("expected principals, optional options, key type and key");
    const hasOptions = f[1] !== ED25519 && !/^(ssh|ecdsa|sk)-/.test(f[1] as string);
    const [type, key] = hasOptions ? [f[2], f[3]] : [f[1], f[2]];
    if (type !== ED25519) throw bad(`key type ${JSON.stringify(type)} is not supported (only ${ED25519})`);
    if (key === undefined) throw bad("the key is missing");
    const signer: AllowedSigner = {
      principals: principals.split(","),
      keyBlob: Buffer.from(key, "base64"),
      fingerprint: "",
      line,
    };
    try {
      keyFromBlob(signer.keyBlob);
    } catch (e) {
      throw bad(`the key does not decode: ${(e as Error).message}`);
    }
    signer.fingerprint = fingerprintOf(signer.keyBlob);
    for (const opt of hasOptions ? splitUnquoted(f[1] as string, (c) => c === ",", true) : []) {
      const m = /^([A-Za-z-]+)(?:="(.*)")?$/.exec(opt);
      const name = m?.[1]?.toLowerCase();
      const value = m?.[2];
      if (name === "namespaces" && value !== undefined) signer.namespaces = value.split(",");
      else if ((name === "valid-after" || name === "valid-before") && value !== undefined) {
        const at = parseSshTime(value);
        if (at === undefined) throw bad(`${name}="${value}" is not YYYYMMDD[HHMM[SS]][Z]`);
        if (name === "valid-after") signer.validAfter = at;
        else signer.validBefore = at;
      } else
        throw bad(`option ${JSON.stringify(opt)} is not supported (namespaces, valid-after, valid-before)`);
    }
    out.push(signer);
  });
  return out;
}

/** What {@link findSigner} concluded. */
export type SignerVerdict =
  | { status: "ok"; signer: AllowedSigner }
  | { status: "unlisted" | "expired"; reason: string };

/** What a signature claims, for {@link findSigner}. */
export interface SignerClaim {
  /** The signing key's fingerprint. */
  fingerprint: string;
  /** The principal the signature names. */
  principal: string;
  /** The signature's namespace. */
  namespace: string;
  /** When it claims to have been made. */
  at: Date;
}

/**
 * The allowed signer a signature's key, principal and namespace correspond to, and whether the
 * key was valid at the claimed time.
 *
 * @param signers - the allowed signers
 * @param claim - key, principal, namespace and time of the signature
 */
export function findSigner(signers: readonly AllowedSigner[], claim: SignerClaim): SignerVerdict {
  const byKey = signers.filter((s) => s.fingerprint === claim.fingerprint);
  if (byKey.length === 0) return { status: "unlisted", reason: `key ${claim.fingerprint} is not listed` };
  const forPrincipal = byKey.filter((s) => s.principals.some((p) => matchPattern(p, claim.principal)));
  if (forPrincipal.length === 0)
    return {
      status: "unlisted",
      reason: `key ${claim.fingerprint} is not listed for principal ${JSON.stringify(claim.principal)}`,
    };
  const forNamespace = forPrincipal.filter(
    (s) => s.namespaces === undefined || s.namespaces.some((n) => matchPattern(n, claim.namespace)),
  );
  if (forNamespace.length === 0)
    return {
      status: "unlisted",
      reason: `key ${claim.fingerprint} may not sign namespace ${JSON.stringify(claim.namespace)}`,
    };
  const t = claim.at.getTime();
  const valid = forNamespace.find(
    (s) =>
      (s.validAfter === undefined || t >= s.validAfter.getTime()) &&
      (s.validBefore === undefined || t < s.validBefore.getTime()),
  );
  if (valid === undefined)
    return {
      status: "expired",
      reason: `key ${claim.fingerprint} was not valid at ${claim.at.toISOString()} (line ${forNamespace[0]?.line})`,
    };
  return { status: "ok", signer: valid };
}

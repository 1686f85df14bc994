/**
 * `glidepath wasm …` in-process through the CLI's `main`: exit code, stdout and stderr; and
 * Ed25519 keys for signing tests (a seed as PKCS#8 PEM, the way the W3C vectors name keys).
 */
import * as crypto from "node:crypto";
import { vi } from "vitest";
import { main } from "../../automation/cli";

/** What a run printed and how it exited. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with `argv` and captures its output.
 *
 * @param argv - the arguments after `glidepath`
 */
export async function runCli(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
    out.push(String(c));
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => {
    err.push(String(c));
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * The Ed25519 private key of a 32-byte seed, as PKCS#8 PEM.
 *
 * @param seedHex - 64 hex digits
 */
export function pemOfSeed(seedHex: string): string {
  const key = crypto.createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, Buffer.from(seedHex, "hex")]),
    format: "der",
    type: "pkcs8",
  });
  return key.export({ format: "pem", type: "pkcs8" }).toString();
}

/**
 * The argv of `glidepath wasm package` for blueprint `edge`.
 *
 * @param module - the module to package
 * @param outputDir - `--output-dir`
 * @param extra - further flags (`--json`, `--runtime-profile P`, …)
 */
export function packageArgv(module: string, outputDir: string, ...extra: string[]): string[] {
  return [
    "wasm",
    "package",
    "--module",
    module,
    "--blueprint-id",
    "edge",
    "--output-dir",
    outputDir,
    ...extra,
  ];
}

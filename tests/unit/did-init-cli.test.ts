/**
 * `glidepath did init`, in process through `main`: one identity per (method, network, subject,
 * entropy), the payload created 0600, the same DID again a no-op, another DID refused with
 * `GP_DID_CONFLICT` (exit 2), other methods refused naming the value, and the entropy never on
 * stdout, stderr or in the --json document (from a flag, a file or the environment).
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../automation/cli";
import { ENTROPY_ENV } from "../../automation/commands/did-init";
import { DID_BOOTSTRAP_SCHEMA } from "../../automation/lib/did-bootstrap";
import { type DidKeyIdentity, deriveDidKey } from "../../edge/worker/did-key-derive";
import { capture } from "../helpers/capture";

const ENTROPY = "did-init-test-entropy-0f1e2d3c4b5a6978";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

async function tmp() {
  return fs.mkdtemp(path.join(os.tmpdir(), "gp-did-init-"));
}

const base = (output: string, subject = "operator@example") => [
  "did",
  "init",
  "--method",
  "key",
  "--network",
  "testnet",
  "--subject",
  subject,
  "--output",
  output,
];

/** Runs main and asserts the entropy is nowhere in what it printed. */
async function run(argv: string[]) {
  const io = capture();
  const code = await main(argv);
  const out = io.out();
  const err = io.err();
  expect(out).not.toContain(ENTROPY);
  expect(err).not.toContain(ENTROPY);
  return { code, out, err };
}

describe("glidepath did init", () => {
  it("derives the DID of the inputs and writes the payload with mode 0600", async () => {
    const output = path.join(await tmp(), "sub", "bootstrap.json");
    const r = await run([...base(output), "--entropy", ENTROPY, "--json"]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    const want = (await deriveDidKey({
      method: "key",
      network: "testnet",
      subject: "operator@example",
      entropy: ENTROPY,
    })) as DidKeyIdentity;
    expect(doc).toEqual({
      did: want.did,
      method: "key",
      network: "testnet",
      subject: "operator@example",
      public_key_multibase: want.publicKeyMultibase,
      output,
      created: true,
    });
    expect((await fs.stat(output)).mode & 0o777).toBe(0o600);
    const payload = JSON.parse(await fs.readFile(output, "utf8"));
    expect(payload).toMatchObject({
      schema: DID_BOOTSTRAP_SCHEMA,
      did: want.did,
      entropy: ENTROPY,
      kdf: { name: "HKDF-SHA256" },
    });
    expect(payload.did_document.verificationMethod[0].id).toBe(`${want.did}#${want.publicKeyMultibase}`);
    expect(await fs.readdir(path.dirname(output))).toEqual(["bootstrap.json"]);
  });

  it("the same inputs again: the same DID, a no-op (file untouched)", async () => {
    const output = path.join(await tmp(), "b.json");
    const first = await run([...base(output), "--entropy", ENTROPY, "--json"]);
    const before = await fs.stat(output);
    const second = await run([...base(output), "--entropy", ENTROPY, "--json"]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out)).toEqual({ ...JSON.parse(first.out), created: false });
    expect((await fs.stat(output)).mtimeMs).toBe(before.mtimeMs);
    expect((await run([...base(output), "--entropy", ENTROPY])).out).toContain("already holds this DID");
  });

  it("refuses to overwrite another DID: GP_DID_CONFLICT, exit 2, file unchanged", async () => {
    const output = path.join(await tmp(), "b.json");
    await run([...base(output), "--entropy", ENTROPY]);
    const before = await fs.readFile(output, "utf8");
    const r = await run([...base(output, "someone@else"), "--entropy", ENTROPY]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("error[GP_DID_CONFLICT]");
    expect(r.err).toContain(`--output=${JSON.stringify(output)} already holds another DID (did:key:z6Mk`);
    expect(await fs.readFile(output, "utf8")).toBe(before);
  });

  it("refuses a file that is not a bootstrap payload, without quoting it", async () => {
    const output = path.join(await tmp(), "b.json");
    await fs.writeFile(output, "some-other-secret\n");
    const r = await run([...base(output), "--entropy", ENTROPY, "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out).error.code).toBe("GP_DID_CONFLICT");
    expect(r.out + r.err).not.toContain("some-other-secret");
    expect(await fs.readFile(output, "utf8")).toBe("some-other-secret\n");
  });

  it.each(["web", "peer"])("refuses --method %s naming it, nothing written", async (method) => {
    const dir = await tmp();
    const argv = base(path.join(dir, "b.json"));
    argv[3] = method;
    const r = await run([...argv, "--entropy", ENTROPY]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error[GP_ARG_INVALID]: --method=${JSON.stringify(method)}`);
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it("refuses short entropy without quoting it", async () => {
    const dir = await tmp();
    const io = capture();
    expect(await main([...base(path.join(dir, "b.json")), "--entropy", "tiny-secret"])).toBe(2);
    expect(io.err()).toContain("the entropy: the entropy has 11 UTF-8 bytes");
    expect(io.err()).not.toContain("tiny-secret");
    expect(await fs.readdir(dir)).toEqual([]);
  });

  it("reads the entropy from --entropy-file or the environment: the same DID as --entropy", async () => {
    const dir = await tmp();
    const file = path.join(dir, "entropy");
    await fs.writeFile(file, `${ENTROPY}\n`, { mode: 0o600 });
    const viaFlag = JSON.parse(
      (await run([...base(path.join(dir, "a.json")), "--entropy", ENTROPY, "--json"])).out,
    );
    const viaFile = JSON.parse(
      (await run([...base(path.join(dir, "b.json")), "--entropy-file", file, "--json"])).out,
    );
    vi.stubEnv(ENTROPY_ENV, ENTROPY);
    const viaEnv = JSON.parse((await run([...base(path.join(dir, "c.json")), "--json"])).out);
    expect(viaFile.did).toBe(viaFlag.did);
    expect(viaEnv.did).toBe(viaFlag.did);
  });

  it("refuses both --entropy and --entropy-file, a repeated --entropy, and no entropy at all", async () => {
    const dir = await tmp();
    const out = path.join(dir, "b.json");
    const both = await run([...base(out), "--entropy", ENTROPY, "--entropy-file", path.join(dir, "f")]);
    expect(both.code).toBe(2);
    expect(both.err).toContain("both given");
    const twice = await run([...base(out), "--entropy", ENTROPY, "--entropy", ENTROPY]);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain("given more than once");
    vi.stubEnv(ENTROPY_ENV, "");
    const none = await run(base(out));
    expect(none.code).toBe(2);
    expect(none.err).toContain("no entropy");
    expect(await fs.readdir(dir)).toEqual([]);
  });
});

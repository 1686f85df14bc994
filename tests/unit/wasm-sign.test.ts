/**
 * Signed manifests: `glidepath wasm sign` (Ed25519, signer as did:key), `inspect` reporting
 * `valid | invalid | unsigned`, and a stack that requires signed deliverables
 * (`glidepath:wasmSigning`): the config check and the provider's check refuse an unsigned,
 * invalid or untrusted one with its reason code. Keys stay out of output and files.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { parseStackConfig } from "../../infra/config";
import { wasmIssues } from "../../infra/wasm-issues";
import { verifyManifest } from "../../providers/wasm/signature";
import { type WasmDeliverableInputs, wasmDeliverableProvider as wp } from "../../providers/wasm-deliverable";
import { deliverableFrom } from "../helpers/wasm";
import { packageArgv, pemOfSeed, runCli } from "../helpers/wasm-cli";

const SEED0 = "0".repeat(64);
const DID0 = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
const DID1 = "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG";

let dir: string;
let keyFile: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-wasm-sign-"));
  keyFile = path.join(dir, "key.pem");
  await fs.writeFile(keyFile, pemOfSeed(SEED0), { mode: 0o600 });
});

async function packaged(name = "handler.wat", ...extra: string[]): Promise<string> {
  const i = await deliverableFrom(dir, name);
  const r = await runCli(packageArgv(i.module, path.join(dir, "out"), "--json", ...extra));
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).manifest_path;
}

async function inspect(manifest: string, ...extra: string[]) {
  const r = await runCli(["wasm", "inspect", "--manifest", manifest, "--json", ...extra]);
  return { code: r.code, report: JSON.parse(r.stdout) };
}

describe("glidepath wasm sign and inspect", () => {
  it("signs with a PEM key file: the signer is the key's did:key, inspect says valid, no key in output or file", async () => {
    const m = await packaged();
    expect((await inspect(m)).report.signature).toBe("unsigned");
    const r = await runCli(["wasm", "sign", "--manifest", m, "--key", keyFile, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ manifest_path: m, blueprint_id: "edge", signer: DID0 });
    const written = await fs.readFile(m, "utf8");
    expect(JSON.parse(written).signature).toEqual({
      algorithm: "Ed25519",
      signer: DID0,
      value: doc.signature,
    });
    const pemBody = pemOfSeed(SEED0).split("\n")[1] as string;
    for (const text of [r.stdout, r.stderr, written]) {
      expect(text).not.toContain("PRIVATE KEY");
      expect(text).not.toContain(pemBody);
    }
    expect(await inspect(m)).toMatchObject({ code: 0, report: { signature: "valid", compliant: true } });
    expect(await inspect(m, "--signer", DID0, "--require-signed")).toMatchObject({ code: 0 });
    expect(await inspect(m, "--signer", DID1)).toMatchObject({
      code: 1,
      report: { signature: "valid", reason_codes: ["signer_not_trusted"] },
    });
  });

  it("signs with --key-env; the signed manifest is byte for byte what the provider writes with that signature", async () => {
    const m = await packaged();
    process.env.GP_TEST_WASM_KEY = pemOfSeed(SEED0);
    try {
      const r = await runCli(["wasm", "sign", "--manifest", m, "--key-env", "GP_TEST_WASM_KEY", "--json"]);
      expect(r.code, r.stderr).toBe(0);
      const i = await deliverableFrom(dir, "handler.wat");
      const signature = {
        algorithm: "Ed25519" as const,
        signer: DID0,
        value: JSON.parse(r.stdout).signature,
      };
      const created = await wp.create({ ...i, signature });
      expect(
        Buffer.compare(await fs.readFile(created.outs?.manifestPath as string), await fs.readFile(m)),
      ).toBe(0);
    } finally {
      delete process.env.GP_TEST_WASM_KEY;
    }
  });

  it("a signed manifest changed afterwards, or a forged signature value, is signature_invalid (exit 1)", async () => {
    const m = await packaged();
    expect((await runCli(["wasm", "sign", "--manifest", m, "--key", keyFile])).code).toBe(0);
    const signed = JSON.parse(await fs.readFile(m, "utf8"));
    const widened = structuredClone(signed);
    widened.capability_constraints.allowed_wasi_packages.push("sockets");
    await fs.writeFile(m, JSON.stringify(widened, null, 2));
    expect(await inspect(m)).toMatchObject({
      code: 1,
      report: { signature: "invalid", reason_codes: ["signature_invalid"] },
    });
    const forged = structuredClone(signed);
    forged.signature.value = `${forged.signature.value.startsWith("A") ? "B" : "A"}${forged.signature.value.slice(1)}`;
    await fs.writeFile(m, JSON.stringify(forged, null, 2));
    expect((await inspect(m)).report.signature).toBe("invalid");
    forged.signature = { algorithm: "Ed25519", signer: "did:key:z6Mk", value: "x" };
    expect(await verifyManifest(forged)).toBe("invalid");
    // Formatting does not matter: the signature covers the canonical JSON.
    await fs.writeFile(m, JSON.stringify(signed));
    expect((await inspect(m)).report.signature).toBe("valid");
  });

  it("does not sign a non-compliant manifest (exit 1, file unchanged)", async () => {
    const m = await packaged("legacy-handler.wat", "--allow-non-compliant");
    const before = await fs.readFile(m, "utf8");
    const r = await runCli(["wasm", "sign", "--manifest", m, "--key", keyFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("forbidden_wasi_snapshot_preview1); it was not signed");
    expect(await fs.readFile(m, "utf8")).toBe(before);
  });

  it("bad keys and arguments: exit 2, the key's content never echoed, the manifest unchanged", async () => {
    const m = await packaged();
    const before = await fs.readFile(m, "utf8");
    const garbage = path.join(dir, "garbage.pem");
    await fs.writeFile(garbage, "s3cret-not-a-key");
    const g = await runCli(["wasm", "sign", "--manifest", m, "--key", garbage]);
    expect(g.code).toBe(2);
    expect(g.stderr).toContain(`--key=${JSON.stringify(garbage)}: not a PKCS#8 PEM private key`);
    expect(g.stderr).not.toContain("s3cret");
    const rsa = path.join(dir, "rsa.pem");
    const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 });
    await fs.writeFile(rsa, privateKey.export({ format: "pem", type: "pkcs8" }));
    const r = await runCli(["wasm", "sign", "--manifest", m, "--key", rsa]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("expected an Ed25519 private key, got rsa");
    const both = await runCli(["wasm", "sign", "--manifest", m, "--key", keyFile, "--key-env", "X"]);
    expect(both.stderr).toContain("expected exactly one of --key and --key-env");
    expect((await runCli(["wasm", "sign", "--manifest", m])).code).toBe(2);
    const unset = await runCli(["wasm", "sign", "--manifest", m, "--key-env", "GP_TEST_UNSET_KEY"]);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('--key-env="GP_TEST_UNSET_KEY": the variable is not set');
    expect(await fs.readFile(m, "utf8")).toBe(before);
  });
});

describe("a stack that requires signed deliverables", () => {
  async function signed(i: WasmDeliverableInputs, seed = SEED0) {
    const key = path.join(dir, `k${seed.slice(-1)}.pem`);
    await fs.writeFile(key, pemOfSeed(seed));
    const m = await packaged();
    const r = await runCli(["wasm", "sign", "--manifest", m, "--key", key, "--json"]);
    const doc = JSON.parse(r.stdout);
    return { ...i, signature: { algorithm: "Ed25519" as const, signer: doc.signer, value: doc.signature } };
  }
  const policy = { required: true, signers: [DID0] };

  it("the provider's check fails an unsigned deliverable with signature_missing, passes a signed one", async () => {
    const i = await deliverableFrom(dir, "handler.wat");
    const unsigned = await wp.check?.({} as WasmDeliverableInputs, { ...i, signing: policy });
    expect(unsigned?.failures).toEqual([
      {
        property: "signature",
        reason: expect.stringMatching(
          /^signature_missing: the manifest's signature is unsigned; package and sign/,
        ),
      },
    ]);
    const ok = await signed(i);
    expect(
      (await wp.check?.({} as WasmDeliverableInputs, { ...ok, signing: policy }))?.failures,
    ).toBeUndefined();
    // Without a policy an unsigned deliverable is fine.
    expect((await wp.check?.({} as WasmDeliverableInputs, i))?.failures).toBeUndefined();
  });

  it("the provider's check fails an invalid signature (policy or not) and an untrusted signer", async () => {
    const i = await deliverableFrom(dir, "handler.wat");
    const ok = await signed(i);
    const other = { ...ok, runtimeProfile: "channel_automation_wasi" as const };
    const r = await wp.check?.({} as WasmDeliverableInputs, other);
    expect(r?.failures?.[0]?.reason).toMatch(/^signature_invalid: /);
    const byOther = await signed(i, `${"0".repeat(63)}1`);
    const u = await wp.check?.({} as WasmDeliverableInputs, { ...byOther, signing: policy });
    expect(u?.failures?.[0]?.reason).toMatch(
      new RegExp(`^signer_not_trusted: the manifest's signature is by ${DID1}`),
    );
  });

  it("glidepath's config check (wasmIssues) names glidepath:wasm.<id>.signature with the reason code", async () => {
    const i = await deliverableFrom(dir, "handler.wat");
    const wasm = {
      edge: {
        module: path.basename(i.module),
        runtimeProfile: "wasm_wasi" as const,
        allowNonCompliant: false,
      },
    };
    const issues = await wasmIssues({ wasm, wasmSigning: policy }, dir);
    expect(issues).toEqual([
      {
        path: "glidepath:wasm.edge.signature",
        message: expect.stringMatching(/^handler\.wasm: signature_missing: /),
      },
    ]);
    const ok = await signed(i);
    expect(
      await wasmIssues(
        { wasm: { edge: { ...wasm.edge, signature: ok.signature } }, wasmSigning: policy },
        dir,
      ),
    ).toEqual([]);
  });

  it("config: glidepath:wasmSigning parses, and required without signers is refused", () => {
    const base = {
      "glidepath:environment": "local",
      "glidepath:apps": JSON.stringify({ wix: { target: "local" } }),
    };
    const ok = parseStackConfig({ ...base, "glidepath:wasmSigning": JSON.stringify(policy) });
    expect(ok.ok && ok.config.wasmSigning).toEqual(policy);
    const dflt = parseStackConfig(base);
    expect(dflt.ok && dflt.config.wasmSigning).toEqual({ required: false, signers: [] });
    const bad = parseStackConfig({ ...base, "glidepath:wasmSigning": JSON.stringify({ required: true }) });
    expect(bad.ok ? [] : bad.issues.map((x) => x.path)).toEqual(["glidepath:wasmSigning.signers"]);
  });
});

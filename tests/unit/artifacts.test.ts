/**
 * `--json-output` never replaces a file that is not an earlier artifact of the same kind, never
 * writes into a directory's place, and leaves no temp file behind on any path (probe 54, 55).
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { replaceRefusal, writeArtifact } from "../../automation/lib/artifacts";
import { writeFileAtomic } from "../../automation/lib/atomic-write";
import { type GlidepathError, isGlidepathError } from "../../automation/lib/errors";

const summary = { schema: "glidepath.orchestrator-summary/v1", stack: "local", ok: true };
let dir: string;

async function refusal(p: Promise<unknown>): Promise<GlidepathError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isGlidepathError(e)) throw new Error(`expected a GlidepathError, got ${String(e)}`);
  return e;
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-artifacts-"));
});

describe("writeArtifact", () => {
  it("refuses to replace a stack file, exit 2 naming the flag and the path, and leaves it as it was", async () => {
    const yaml = "encryptionsalt: v1:abc\nconfig:\n  glidepath:environment: local\n";
    await fs.writeFile(path.join(dir, "Pulumi.local.yaml"), yaml);
    const e = await refusal(writeArtifact(dir, "Pulumi.local.yaml", summary, { flag: "--json-output" }));
    expect(e.code).toBe("GP_ARG_INVALID");
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain('--json-output="Pulumi.local.yaml"');
    expect(e.message).toContain("not JSON");
    expect(await fs.readFile(path.join(dir, "Pulumi.local.yaml"), "utf8")).toBe(yaml);
    expect(await fs.readdir(dir)).toEqual(["Pulumi.local.yaml"]);
  });

  it("refuses a directory and leaves no temp file in it or beside it", async () => {
    await fs.mkdir(path.join(dir, "apps"));
    const e = await refusal(writeArtifact(dir, "apps", summary, { flag: "--json-output" }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain("is a directory");
    expect(await fs.readdir(dir)).toEqual(["apps"]);
  });

  it("refuses JSON that is another kind of document (package.json, another artifact)", async () => {
    await fs.writeFile(path.join(dir, "package.json"), '{"name":"x"}\n');
    await fs.writeFile(path.join(dir, "check.json"), '{"schema":"glidepath.orchestrator-check/v1"}\n');
    expect((await refusal(writeArtifact(dir, "package.json", summary))).message).toContain(
      "not a glidepath.orchestrator-summary artifact",
    );
    expect((await refusal(writeArtifact(dir, "check.json", summary))).message).toContain(
      "holds a glidepath.orchestrator-check artifact",
    );
  });

  it("replaces an earlier artifact of the same kind and writes new files (parents created)", async () => {
    const file = await writeArtifact(dir, "artifacts/summary.json", { ...summary, ok: false });
    await writeArtifact(dir, "artifacts/summary.json", summary);
    expect(JSON.parse(await fs.readFile(file, "utf8"))).toEqual(summary);
    expect(await fs.readdir(path.join(dir, "artifacts"))).toEqual(["summary.json"]);
  });

  it("an unmarked report replaces only an unmarked JSON object", () => {
    expect(replaceRefusal('{"stack":"local","outcome":"promoted"}', undefined)).toBeUndefined();
    expect(replaceRefusal("", undefined)).toBeUndefined();
    expect(replaceRefusal("[1]", undefined)).toBe("it is not a JSON object");
  });
});

describe("writeFileAtomic", () => {
  it("removes its temp file when the rename fails (a directory in the way)", async () => {
    await fs.mkdir(path.join(dir, "taken"));
    await fs.writeFile(path.join(dir, "taken", "x"), "keep");
    await expect(writeFileAtomic(path.join(dir, "taken"), "data")).rejects.toThrow();
    expect(await fs.readdir(dir)).toEqual(["taken"]);
  });

  it("two writes of one process to one file do not share a temp file", async () => {
    const file = path.join(dir, "f.json");
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeFileAtomic(file, `${i}`)));
    expect(await fs.readdir(dir)).toEqual(["f.json"]);
    expect(Number(await fs.readFile(file, "utf8"))).toBeGreaterThanOrEqual(0);
  });
});

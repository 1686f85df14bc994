import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  buildReportSchema,
  parseBuildReport,
  parseWasmBuildReport,
  wasmBuildReportSchema,
} from "../../infra/build-report";
import { ROOT } from "../helpers/dist";

const execFileP = promisify(execFile);
const SCRIPT = path.join(ROOT, "dist/apps/build/static-bundle.js");
const WASM_SCRIPT = path.join(ROOT, "dist/apps/build/wasm-module.js");

describe("parseBuildReport", () => {
  it("fails if the build printed no JSON, naming the release", () => {
    expect(() => parseBuildReport("Segmentation fault", "wix@v2")).toThrow(
      "build of wix@v2 printed no JSON report (GP_BUILD_REPORT_INVALID): Segmentation fault",
    );
  });

  it("fails if the report does not match the schema, naming each field", () => {
    expect(() => parseBuildReport('{"schema":"glidepath.build-report/v1","app":"wix"}', "wix@v2")).toThrow(
      /does not match the schema \(GP_BUILD_REPORT_INVALID\): version: .*; builder: .*; sourceDigest: .*; bundleDigest: .*; files: .*; outDir: /,
    );
  });
});

describe("parseWasmBuildReport", () => {
  it("fails if the report is a bundle report, naming the deliverable and the fields", () => {
    expect(() =>
      parseWasmBuildReport('{"schema":"glidepath.build-report/v1","app":"wix"}', "wasm:edge"),
    ).toThrow(
      /build of wasm:edge printed a report that does not match the schema \(GP_BUILD_REPORT_INVALID\): schema: .*; blueprintId: .*; \(report\): Unrecognized key: "app"/,
    );
  });
});

describe("wasm-module build", () => {
  const run = (dir: string, n: number, source: string) =>
    execFileP(process.execPath, [
      WASM_SCRIPT,
      "--id",
      "edge",
      "--builder",
      "test",
      "--source",
      source,
      "--out",
      path.join(dir, `out${n}/edge.wasm`),
      "--report",
      path.join(dir, `report${n}.json`),
    ]);

  it("is deterministic: the same text gives byte-identical modules and equal reports", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-wasm-build-"));
    const source = path.join(ROOT, "apps/edge-wasm/handler.wat");
    const a = wasmBuildReportSchema.parse(JSON.parse((await run(dir, 1, source)).stdout));
    const b = wasmBuildReportSchema.parse(JSON.parse((await run(dir, 2, source)).stdout));
    expect({ ...b, outFile: "" }).toEqual({ ...a, outFile: "" });
    const bytes = await fs.readFile(a.outFile);
    expect(Buffer.compare(bytes, await fs.readFile(b.outFile))).toBe(0);
    expect([...bytes.subarray(0, 8)]).toEqual([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);
    expect(a.artifactSizeBytes).toBe(bytes.length);
  });

  it("exits 1 naming the source and the assembler's message when the text does not assemble", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-wasm-build-"));
    await fs.writeFile(path.join(dir, "bad.wat"), "(module (func $f (result i32) i32.const))\n");
    const r = await run(dir, 1, path.join(dir, "bad.wat")).catch((e: { code: number; stderr: string }) => e);
    expect(r).toMatchObject({ code: 1 });
    expect((r as { stderr: string }).stderr).toMatch(
      new RegExp(`^wasm-module: cannot assemble ${path.join(dir, "bad.wat")}: .+`),
    );
    await expect(fs.stat(path.join(dir, "out1/edge.wasm"))).rejects.toThrow();
  });
});

describe("static-bundle build", () => {
  it("is deterministic: building the same sources twice gives the same report and bundle", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-build-"));
    const args = (n: number) => [
      SCRIPT,
      "--app",
      "wix",
      "--version",
      "v1",
      "--source",
      path.join(ROOT, "apps/wix/v1"),
      "--out",
      path.join(dir, `out${n}`),
      "--report",
      path.join(dir, `report${n}.json`),
    ];
    const a = buildReportSchema.parse(JSON.parse((await execFileP(process.execPath, args(1))).stdout));
    const b = buildReportSchema.parse(JSON.parse((await execFileP(process.execPath, args(2))).stdout));
    expect(b.bundleDigest).toBe(a.bundleDigest);
    expect(a.bundleDigest).toBe(a.sourceDigest);
    expect(JSON.parse(await fs.readFile(path.join(dir, "report1.json"), "utf8"))).toEqual(a);
  });

  it("fails with exit 1 and its usage when arguments are missing", async () => {
    const r = await execFileP(process.execPath, [SCRIPT, "--app", "wix"]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(r).toMatchObject({ code: 1 });
    expect((r as { stderr: string }).stderr).toContain(
      "usage: static-bundle --app A --version V --source DIR --out DIR --report FILE",
    );
  });
});

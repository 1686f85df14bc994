import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { buildReportSchema, parseBuildReport } from "../../infra/build-report";
import { ROOT } from "../helpers/dist";

const execFileP = promisify(execFile);
const SCRIPT = path.join(ROOT, "dist/apps/build/static-bundle.js");

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

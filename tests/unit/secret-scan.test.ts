/**
 * The e2e tier's secret scan can fail: it finds a secret leaked as it is, inside base64 at any
 * alignment, and in a file of a deliberately leaked copy.
 */
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { filesUnder, scanTexts } from "../helpers/secret-scan";

const SECRET = "Pr0beTok3nCfg-leak";

describe("secret scan", () => {
  it("finds a secret in clear and base64-encoded at every alignment, and nothing in clean text", () => {
    for (const prefix of ["", "a", "ab", "abc"]) {
      const b64 = Buffer.from(`${prefix}${SECRET}tail`).toString("base64");
      expect(scanTexts({ blob: `{"data":"${b64}"}` }, [SECRET])).toEqual([
        { where: "blob", secret: SECRET, as: "base64" },
      ]);
    }
    expect(scanTexts({ log: `token=${SECRET}` }, [SECRET])).toEqual([
      { where: "log", secret: SECRET, as: "plain" },
    ]);
    expect(
      scanTexts({ log: "token=***", b64: Buffer.from("nothing here").toString("base64") }, [SECRET]),
    ).toEqual([]);
  });

  it("finds a secret in a deliberately leaked file among clean ones", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "gp-scan-"));
    await fs.mkdir(path.join(dir, "nested"));
    await fs.writeFile(path.join(dir, "clean.json"), '{"url":"http://h/slo?token=***"}');
    await fs.writeFile(
      path.join(dir, "nested", "leak.json"),
      JSON.stringify({ url: `http://h/slo?token=${SECRET}` }),
    );
    const hits = scanTexts(await filesUnder(dir), [SECRET]);
    expect(hits).toEqual([{ where: path.join(dir, "nested", "leak.json"), secret: SECRET, as: "plain" }]);
    expect(scanTexts(await filesUnder(dir, [path.join("nested", "leak.json")]), [SECRET])).toEqual([]);
  });
});

/**
 * The golden archive is reproducible: the same bundles archived by two processes with a
 * different umask, time zone and file times (copied into two directories) give the same bytes;
 * a changed byte of content gives another digest; the archive reads back with fixed headers.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { readArchive, sha256Hex, writeArchive } from "../../automation/lib/golden/archive";
import { ROOT } from "../helpers/dist";

/** Copies the demo's wix v1 and gamma v1 into `dir` under `umask`, sets the files' times, archives them there. */
function archiveIn(
  dir: string,
  env: { TZ: string; umask: number; mtime: number; edit?: boolean },
): Promise<string> {
  const mod = (m: string) => JSON.stringify(path.join(ROOT, "dist/automation/lib/golden", m));
  const code = `process.umask(${env.umask});
const fs = require("node:fs/promises"); const path = require("node:path");
const { writeArchive, sha256Hex } = require(${mod("archive.js")});
const { bundleEntries } = require(${mod("bundle-files.js")});
(async () => {
  const dir = process.argv[1];
  for (const app of ["wix", "gamma"]) {
    const to = path.join(dir, "apps", app, "v1");
    const from = path.join(${JSON.stringify(ROOT)}, "apps", app, "v1");
    await fs.mkdir(to, { recursive: true });
    // Written, not copied: new files take this process's umask (a copy would keep the mode).
    for (const f of await fs.readdir(from)) await fs.writeFile(path.join(to, f), await fs.readFile(path.join(from, f)));
    for (const f of await fs.readdir(to)) await fs.utimes(path.join(to, f), ${env.mtime}, ${env.mtime});
  }
  if (${env.edit === true}) await fs.appendFile(path.join(dir, "apps", "wix", "v1", "index.html"), " ");
  await fs.symlink("index.html", path.join(dir, "apps", "wix", "v1", "home.html"));
  const rel = (app) => ({ stable: { version: "v1", source: "apps/" + app + "/v1" } });
  const releases = { wix: rel("wix"), gamma: rel("gamma") };
  const config = { "glidepath:releases": { value: JSON.stringify(releases), objectValue: releases, secret: false } };
  const bytes = writeArchive(await bundleEntries(dir, config));
  await fs.writeFile(path.join(dir, "golden.tar"), bytes);
  process.stdout.write(sha256Hex(bytes) + " " + new Date(0).toString());
})().catch((e) => { console.error(e); process.exit(1); });`;
  const child = spawn(process.execPath, ["-e", code, dir], {
    env: { ...process.env, TZ: env.TZ },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`)))),
  );
}

describe("the golden archive", () => {
  it("has the same digest built in two directories with a different umask, TZ and file times", async () => {
    const a = await fs.mkdtemp(path.join(os.tmpdir(), "gp-golden-a-"));
    const b = await fs.mkdtemp(path.join(os.tmpdir(), "gp-golden-b-"));
    const [outA, outB] = [
      await archiveIn(a, { TZ: "UTC", umask: 0o022, mtime: 1_000_000_000 }),
      await archiveIn(b, { TZ: "Pacific/Kiritimati", umask: 0o077, mtime: 1_700_000_000 }),
    ];
    const [digestA, ...zoneA] = outA.split(" ");
    const [digestB, ...zoneB] = outB.split(" ");
    // The two processes really ran in different zones, and the copies really differ on disk.
    expect(zoneA.join(" ")).not.toBe(zoneB.join(" "));
    const modeOf = async (d: string) => (await fs.stat(path.join(d, "apps/wix/v1/index.html"))).mode & 0o777;
    expect([await modeOf(a), await modeOf(b)]).toEqual([0o644, 0o600]);
    expect(digestA).toMatch(/^[0-9a-f]{64}$/);
    expect(digestB).toBe(digestA);
    expect(await fs.readFile(path.join(b, "golden.tar"))).toEqual(
      await fs.readFile(path.join(a, "golden.tar")),
    );
    // One byte of content changed: another archive.
    const c = await fs.mkdtemp(path.join(os.tmpdir(), "gp-golden-c-"));
    const edited = await archiveIn(c, { TZ: "UTC", umask: 0o022, mtime: 1_000_000_000, edit: true });
    expect(edited.split(" ")[0]).not.toBe(digestA);
  });

  it("sorts members, fixes every header field that could vary, and reads back", () => {
    const bytes = writeArchive([
      { name: "wix@v1/index.html", data: Buffer.from("<h1>v1</h1>") },
      { name: "gamma@v1/a/b.css", data: Buffer.alloc(600, 1) },
      { name: "wix@v1/home.html", link: "index.html" },
    ]);
    expect(bytes.length % 512).toBe(0);
    const members = readArchive(bytes);
    expect(members.map((m) => m.name)).toEqual(["gamma@v1/a/b.css", "wix@v1/home.html", "wix@v1/index.html"]);
    expect(members[1]).toEqual({ name: "wix@v1/home.html", link: "index.html" });
    expect(members[2]).toEqual({ name: "wix@v1/index.html", data: Buffer.from("<h1>v1</h1>") });
    // Header of the first member: mode 0644, uid/gid 0, mtime 0, no user or group names.
    const h = bytes.subarray(0, 512);
    const field = (o: number, n: number) => h.subarray(o, o + n).toString("latin1");
    expect(field(100, 8)).toBe("0000644\0");
    expect(field(108, 16)).toBe("0000000\0".repeat(2));
    expect(field(136, 12)).toBe(`${"0".repeat(11)}\0`);
    expect(field(265, 64)).toBe("\0".repeat(64));
    expect(sha256Hex(bytes)).toBe(sha256Hex(writeArchive([...readArchive(bytes)].reverse())));
  });

  it("refuses duplicate members and names ustar cannot hold", () => {
    const f = { name: "a", data: Buffer.alloc(1) };
    expect(() => writeArchive([f, f])).toThrow(/duplicate archive member a/);
    expect(() => writeArchive([{ name: "x".repeat(101), data: Buffer.alloc(0) }])).toThrow(/too long/);
  });
});

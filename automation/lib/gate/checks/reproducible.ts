/**
 * Gate check `reproducible`: each release bundle is built twice by the program's own build
 * (`dist/apps/build/static-bundle.js`) into fresh directories, and both builds must give the
 * digest the verdict binds; each `.wat` module is assembled twice and must give the same bytes.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { digestDir } from "../../../../providers/targets/bundle";
import { moduleDigest } from "../bundles";
import { type GateCheck, outcomeOf } from "./context";

function run(script: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out }));
  });
}

export const reproducibleCheck: GateCheck = {
  id: "reproducible",
  title: "builds reproducible",
  async run(ctx) {
    const script = path.join(ctx.projectDir, "dist", "apps", "build", "static-bundle.js");
    if (!(await fs.stat(script).catch(() => undefined))?.isFile())
      return { status: "FAIL", detail: `the build ${script} is missing: run \`npm run build\`` };
    const problems: string[] = [];
    const tmp = await fs.mkdtemp(path.join(os.tmpdir(), "glidepath-gate-"));
    try {
      for (const r of ctx.releases) {
        const key = `${r.app}@${r.version}`;
        const digests: string[] = [];
        for (const n of [1, 2]) {
          const out = path.join(tmp, `${r.app}-${r.version}-${n}`);
          const b = await run(script, [
            `--app=${r.app}`,
            `--version=${r.version}`,
            `--source=${r.dir}`,
            `--out=${out}`,
            `--report=${path.join(tmp, `report-${n}.json`)}`,
          ]);
          if (b.code !== 0) {
            problems.push(`${key}: build ${n} failed (exit ${b.code}): ${b.out.trim().slice(0, 200)}`);
            break;
          }
          digests.push((await digestDir(out)).digest);
        }
        if (digests.length === 2 && (digests[0] !== digests[1] || digests[0] !== ctx.bundles[key]))
          problems.push(
            `${key}: rebuilds gave ${digests.map((d) => `${d.slice(0, 12)}…`).join(" and ")}, the bundle is ${ctx.bundles[key]?.slice(0, 12)}…`,
          );
      }
      for (const m of ctx.modules) {
        const [a, b] = [await moduleDigest(m.file), await moduleDigest(m.file)];
        if (a !== b || a !== ctx.bundles[`wasm:${m.id}`])
          problems.push(`wasm:${m.id}: two builds gave ${a.slice(0, 12)}… and ${b.slice(0, 12)}…`);
      }
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
    return outcomeOf(
      problems,
      `${ctx.releases.length} bundles and ${ctx.modules.length} modules rebuilt to the same digests`,
    );
  },
};

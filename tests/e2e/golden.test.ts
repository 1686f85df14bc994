/**
 * Live verification and golden tags through the real engine, on the local stack with its edge on
 * workerd (the cheapest world where what the edge serves is real): v1 deployed and verified
 * live, tagged golden (annotated git tag, stack tag, archive, audit entry); v2 deployed; one
 * `rollback --to <tag>` serves v1 again, verified and audited; the refusals (unverified build,
 * unknown, incompatible and quarantined tags, `last-good` with none left) change nothing; and a
 * release whose main page is missing fails verify-live, which rolls back in the same run.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../automation/lib/audit/entry";
import { auditFile } from "../../automation/lib/audit/log-file";
import { parseLine, splitLines } from "../../automation/lib/audit/verify";
import { writeStackKeys } from "../../automation/lib/driver/stack-file";
import { type Background, makeProject, must, type ScratchProject } from "../../bench/helpers/scratch-project";
import { readEdgeRecord } from "../../edge/host/discovery";
import { waitFor } from "./helpers/edge";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();
const execFileP = promisify(execFile);

const releases = (wix: string, gamma: string) => ({
  wix: { stable: { version: wix, source: `apps/wix/${wix}` } },
  gamma: { stable: { version: gamma, source: `apps/gamma/${gamma}` } },
});

/** Each command here starts Node and the engine; three to ten of them per test. */
const TEST_TIMEOUT_MS = 600_000;

describe.skipIf(binDir === undefined)("verify-live, golden tags and rollback to a tag", () => {
  let p: ScratchProject;
  let edgeProc: Background;
  let edgeUrl: string;
  let tag: string;
  const git = async (...args: string[]) => (await execFileP("git", ["-C", p.dir, ...args])).stdout.trim();
  const served = async (app: string) => {
    const res = await fetch(new URL(`/${app}/`, edgeUrl), { headers: { "x-glidepath-visitor": "e2e" } });
    await res.arrayBuffer();
    return `${res.status} ${res.headers.get("x-glidepath-release")}`;
  };
  const audit = async (): Promise<AuditEntry[]> =>
    splitLines(await fs.readFile(auditFile(p.dir, "local", p.env.PULUMI_BACKEND_URL))).lines.map((l) => {
      const e = parseLine(l);
      if (!("entry" in e)) throw new Error(e.error);
      return e.entry;
    });
  const json = (out: string) => JSON.parse(out) as Record<string, unknown>;
  const quick = ["--consecutive", "2", "--interval", "200ms", "--timeout", "30s"];

  beforeAll(async () => {
    p = await makeProject(binDir as string);
    await git("init", "-q");
    await git("config", "user.email", "release@example.com");
    await git("config", "user.name", "Release Manager");
    await git("commit", "-q", "--allow-empty", "-m", "the project");
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
    await must(p.glidepath(["up", "--stack", "local"]));
    edgeProc = p.start(["edge", "--stack", "local", "--port", "0"]);
    // workerd's start is slow on a loaded machine: a generous bound, and its output if it never comes.
    const record = await waitFor(
      "the edge's discovery record",
      async () =>
        (await readEdgeRecord(p.dir, "local")) ?? (edgeProc.child.exitCode !== null ? null : undefined),
      180_000,
    );
    if (record === null) throw new Error(`the edge exited:\n${edgeProc.output()}`);
    edgeUrl = record.url;
  });

  afterAll(async () => {
    edgeProc?.child.kill("SIGTERM");
    await edgeProc?.done;
  });

  it(
    "verifies v1 live, tags it golden, and rolls back to the tag from v2 in one command",
    async () => {
      // Nothing verified yet: no golden tag.
      const early = await p.glidepath(["golden", "create", "--stack", "local"]);
      expect(early.code, early.stderr).toBe(2);
      expect(early.stderr).toMatch(/error\[GP_GOLDEN_UNVERIFIED\]: .*no verify-live entry/);

      const live = json(
        (await must(p.glidepath(["verify-live", "--stack", "local", "--json", ...quick]))).stdout,
      );
      expect(live).toMatchObject({
        result: "PASS",
        consecutive: 2,
        rolledBack: false,
        releases: ["gamma@v1", "wix@v1"],
      });

      const made = json((await must(p.glidepath(["golden", "create", "--stack", "local", "--json"]))).stdout);
      tag = made.tag as string;
      expect(tag).toBe(`prod-${new Date().toISOString().slice(0, 10)}`);
      expect(made.buildId).toBe(live.buildId);
      // An annotated git tag carrying the archive's digest; a stack tag; the archive and record.
      expect(await git("cat-file", "-t", tag)).toBe("tag");
      expect(await git("tag", "-l", "--format=%(contents)", tag)).toContain(
        `archive sha256:${(made.archive as { sha256: string }).sha256}`,
      );
      const stackTags = json(
        (await must(p.pulumi(["stack", "tag", "ls", "--json", "--stack", "local"]))).stdout,
      );
      expect(stackTags[`glidepath:golden:${tag}`]).toMatch(new RegExp(`^build=${made.buildId} `));
      const archive = await fs.readFile((made.archive as { file: string }).file);
      expect(archive.length).toBe((made.archive as { bytes: number }).bytes);

      // v2 deployed (not verified: not golden).
      await writeStackKeys(p.dir, "local", { releases: releases("v2", "v2") });
      await must(p.glidepath(["up", "--stack", "local"]));
      expect(await served("wix")).toBe("200 wix@v2");
      const unverified = await p.glidepath(["golden", "create", "--stack", "local"]);
      expect(unverified.code).toBe(2);
      expect(unverified.stderr).toMatch(/GP_GOLDEN_UNVERIFIED.*for build .*, the stack deploys build /);

      const back = json(
        (await must(p.glidepath(["rollback", "--stack", "local", "--to", tag, "--json"]))).stdout,
      );
      expect(back).toMatchObject({ tag, verification: { result: "PASS", buildId: live.buildId } });
      expect(await served("wix")).toBe("200 wix@v1");
      expect(await served("gamma")).toBe("200 gamma@v1");
      const tail = (await audit()).slice(-2);
      expect(tail.map((e) => [e.kind, e.data.to ?? e.data.result])).toEqual([
        ["rollback", tag],
        ["verify-live", "PASS"],
      ]);
      expect(tail[1]?.data).toMatchObject({ buildId: live.buildId, rolledBack: true });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "refuses unknown, incompatible and quarantined tags, and last-good with none left, changing nothing",
    async () => {
      const history = (await p.history()).length;
      const refused = async (args: string[], code: string) => {
        const r = await p.glidepath(args);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain(`error[${code}]`);
        return r.stderr;
      };
      await refused(["rollback", "--stack", "local", "--to", "prod-1999-01-01"], "GP_GOLDEN_UNKNOWN");
      // Today's config moved the app to another environment: the tag's fields are listed.
      const file = path.join(p.dir, "Pulumi.local.yaml");
      const before = await fs.readFile(file);
      await writeStackKeys(p.dir, "local", { environment: "staging" });
      expect(
        await refused(["rollback", "--stack", "local", "--to", tag], "GP_GOLDEN_INCOMPATIBLE"),
      ).toContain('glidepath:environment: "local" → "staging"');
      await fs.writeFile(file, before);

      await must(p.glidepath(["golden", "quarantine", tag, "--stack", "local", "--reason", "e2e"]));
      await refused(["golden", "quarantine", tag, "--stack", "local"], "GP_GOLDEN_QUARANTINED");
      await refused(["rollback", "--stack", "local", "--to", tag], "GP_GOLDEN_QUARANTINED");
      expect(
        await refused(["rollback", "--stack", "local", "--to", "last-good"], "GP_GOLDEN_UNKNOWN"),
      ).toContain("no golden tag that is not quarantined");
      expect((await p.history()).length).toBe(history);
      const list = json((await must(p.glidepath(["golden", "list", "--stack", "local", "--json"]))).stdout);
      expect(list).toMatchObject({ lastGood: null, tags: [{ tag, quarantined: true }] });

      // A second tag the same day is `.2`, and last-good picks it over the quarantined one.
      await must(p.glidepath(["verify-live", "--stack", "local", ...quick]));
      const second = json(
        (await must(p.glidepath(["golden", "create", "--stack", "local", "--json"]))).stdout,
      );
      expect(second.tag).toBe(`${tag}.2`);
      const again = json(
        (await must(p.glidepath(["rollback", "--stack", "local", "--to", "last-good", "--json"]))).stdout,
      );
      expect(again).toMatchObject({ tag: `${tag}.2`, verification: { result: "PASS" } });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "a release whose main page is missing fails verify-live, which rolls back and verifies the rollback in the same run",
    async () => {
      const bad = path.join(p.dir, "apps/wix/vbad");
      await fs.mkdir(bad, { recursive: true });
      await fs.copyFile(path.join(p.dir, "apps/wix/v1/about.html"), path.join(bad, "about.html"));
      await writeStackKeys(p.dir, "local", { releases: releases("vbad", "v1") });
      await must(p.glidepath(["up", "--stack", "local"]));
      expect(await served("wix")).toBe("404 wix@vbad");
      const seq = (await audit()).length;

      const r = await p.glidepath(["verify-live", "--stack", "local", "--json", ...quick]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain("error[GP_VERIFY_LIVE_FAILED]");
      const report = json(r.stdout);
      expect(report).toMatchObject({
        result: "FAIL",
        rolledBack: true,
        rollback: { verification: { result: "PASS" } },
      });
      expect(report.message).toMatch(/wix stable: HTTP 404 from wix@vbad/);
      expect(await served("wix")).toBe("200 wix@v1");
      const after = (await audit()).slice(seq);
      expect(after.map((e) => `${e.kind}:${String(e.data.result ?? e.data.reason).split(":")[0]}`)).toEqual([
        "verify-live:FAIL",
        "rollback:verify-live FAIL",
        "verify-live:PASS",
      ]);
      expect(after[2]?.data.rolledBack).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});

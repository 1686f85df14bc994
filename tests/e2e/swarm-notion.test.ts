/**
 * The SWARM log in Notion end to end: the built CLI, the real Pulumi engine, the loopback
 * Notion fake driven by the real `@notionhq/client`. A healthy ramp puts each phase into the
 * SWARM data source exactly once; a ramp that breaches its SLO while Notion is down still rolls
 * back (the JSONL log is the outbox), `status` shows what is pending, and the next command
 * delivers it, in order, each once; `events flush` then has nothing left to do.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_ID_PROPERTY, SWARM_NOTION_PROPERTIES } from "../../automation/lib/events/notion-row";
import { makeProject, type ScratchProject } from "../../bench/helpers/scratch-project";
import { type NotionFake, type NotionPropertyType, startNotionFake } from "../fakes/notion-fake";
import { scanTexts } from "../helpers/secret-scan";
import { type SloServer, startSloServer } from "../helpers/slo-server";
import { addVersion, readEvents, readRoute, rolloutArgs } from "./helpers/rollout";
import { toolchainBinDir } from "./helpers/toolchain";

const binDir = toolchainBinDir();

const TOKEN = "secret_swarm_e2e_8d2f0c4a6b1e3d5f";
const DB = "5f0c2a9e-3333-4333-8333-0000000000c3";
const SCHEMA: Record<string, NotionPropertyType> = {
  Name: "title",
  ...Object.fromEntries(Object.values(SWARM_NOTION_PROPERTIES).map((p) => [p.name, p.type])),
};

describe.skipIf(binDir === undefined)("the SWARM log in Notion, through the outbox", () => {
  let p: ScratchProject;
  let notion: NotionFake;
  let slo: SloServer;

  /** The event ids of the rows in the SWARM data source, in creation order. */
  const rowIds = () => notion.pages(DB).map((page) => String(notion.plain(page)[EVENT_ID_PROPERTY]));
  const logIds = async () => (await readEvents(p.dir)).map((e) => e.id);
  const status = async () => {
    const r = await p.glidepath(["status", "--stack", "local", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    notion = await startNotionFake({
      tokens: { [TOKEN]: { scope: "swarm", databaseIds: [DB] } },
      databases: [{ id: DB, title: "SWARM", properties: SCHEMA }],
    });
    slo = await startSloServer(() => ({ kind: "json", body: { score: 99.9 } }));
    p = await makeProject(binDir as string);
    p.env = { ...p.env, GLIDEPATH_NOTION_API_URL: notion.url, SWARM_NOTION_TOKEN: TOKEN };
    expect((await p.pulumi(["stack", "init", "local"])).code).toBe(0);
    const set = await p.pulumi([
      "config",
      "set",
      "--path",
      "glidepath:content.notion.swarmDatabaseId",
      DB,
      "--stack",
      "local",
    ]);
    expect(set.code, set.stderr).toBe(0);
    const up = await p.glidepath(["up", "--stack", "local"]);
    expect(up.code, up.stderr).toBe(0);
    for (const v of ["v3"]) await addVersion(p.dir, v);
  });

  afterAll(async () => {
    await slo?.close();
    await notion?.close();
  });

  it("a healthy ramp writes each phase into Notion exactly once, in order", async () => {
    const r = await p.glidepath(rolloutArgs("v2", slo.url, ["--json"]));
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const events = await readEvents(p.dir);
    expect(events.map((e) => e.phase)).toEqual([
      "canary:5",
      "canary:25",
      "canary:50",
      "canary:100",
      "deploy:complete",
    ]);
    expect(rowIds()).toEqual(events.map((e) => e.id));
    const [, canary25] = notion.pages(DB);
    expect(canary25 && notion.plain(canary25)).toMatchObject({ [SWARM_NOTION_PROPERTIES.weight.name]: 25 });
    expect((await status()).swarm_outbox).toEqual({ destination: `notion database ${DB}`, pending: 0 });
  });

  it("Notion down during a rollback: the rollback finishes, status counts the pending events, the next command delivers them once", async () => {
    notion.fault({ path: "/v1", fault: { kind: "fail", status: 503 } });
    slo.setBehavior(() => ({
      kind: "json",
      body: { score: (readRouteWeight(p.dir) ?? 0) >= 25 ? 97.0 : 99.9 },
    }));
    const before = (await logIds()).length;
    const r = await p.glidepath(rolloutArgs("v3", slo.url, ["--json"]));
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).outcome).toBe("rolled_back");
    expect(r.stderr).toMatch(
      /SWARM events not delivered to notion database 5f0c2a9e-3333.*glidepath events flush/,
    );
    for (const app of ["wix", "gamma"])
      expect(await readRoute(p.dir, app)).toMatchObject({
        stable: { version: "v2" },
        canary: null,
        weight: 0,
      });
    const fresh = (await readEvents(p.dir)).slice(before);
    expect(fresh.map((e) => e.phase)).toEqual(["canary:5", "canary:25", "rollback:triggered"]);
    expect(rowIds()).toHaveLength(before);
    expect((await status()).swarm_outbox.pending).toBe(fresh.length);

    // The next command that writes the log delivers what is pending first, in order.
    notion.clearFaults();
    const up = await p.glidepath(["up", "--stack", "local"]);
    expect(up.code, up.stderr).toBe(0);
    expect(rowIds()).toEqual(await logIds());
    expect((await status()).swarm_outbox.pending).toBe(0);

    const flush = await p.glidepath(["events", "flush", "--stack", "local", "--json"]);
    expect(flush.code, flush.stderr).toBe(0);
    expect(JSON.parse(flush.stdout)).toMatchObject({ delivered: 0, pending: 0 });
    expect(rowIds()).toEqual(await logIds());
    expect(new Set(rowIds()).size).toBe(rowIds().length);
    const texts = {
      rollout: r.stdout + r.stderr,
      up: up.stdout + up.stderr,
      flush: flush.stdout + flush.stderr,
    };
    expect(scanTexts(texts, [TOKEN])).toEqual([]);
  });

  it("events flush fails (exit 1, GP_TARGET_UNREACHABLE) while Notion is down, then delivers in order, once", async () => {
    notion.fault({ path: "/v1", fault: { kind: "fail", status: 503 } });
    slo.setBehavior(() => ({ kind: "json", body: { score: 99.9 } }));
    const before = (await logIds()).length;
    const ramp = await p.glidepath(rolloutArgs("v3", slo.url, ["--json", "--steps", "5,100"]));
    expect(ramp.code, ramp.stderr).toBe(0);
    const fresh = (await logIds()).slice(before);
    expect(fresh.length).toBeGreaterThanOrEqual(3);
    expect((await status()).swarm_outbox.pending).toBe(fresh.length);
    const down = await p.glidepath(["events", "flush", "--stack", "local", "--json"]);
    expect(down.code, down.stderr).toBe(1);
    expect(down.stderr).toContain("error[GP_TARGET_UNREACHABLE]");
    expect(JSON.parse(down.stdout)).toMatchObject({ delivered: 0, pending: fresh.length });
    notion.clearFaults();
    const ok = await p.glidepath(["events", "flush", "--stack", "local", "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ delivered: fresh.length, pending: 0 });
    expect(rowIds()).toEqual(await logIds());
    expect(new Set(rowIds()).size).toBe(rowIds().length);
    const texts = {
      ramp: ramp.stdout + ramp.stderr,
      down: down.stdout + down.stderr,
      ok: ok.stdout + ok.stderr,
    };
    expect(scanTexts(texts, [TOKEN])).toEqual([]);
  });
});

/** The canary weight the local target serves for wix (synchronously, for the SLO server). */
function readRouteWeight(dir: string): number | undefined {
  try {
    return JSON.parse(readFileSync(`${dir}/.glidepath/targets/local/routes/wix.json`, "utf8")).weight;
  } catch {
    return undefined;
  }
}

/**
 * The secrecy rules of the SLO URL and of secret parts of a key, the redaction of URLs in
 * everything shown, and the edge's admin key precedence.
 */
import { describe, expect, it } from "vitest";
import { joinHistory } from "../../automation/lib/driver/history-join";
import { ADMIN_KEY_ENV, adminKeyFrom } from "../../automation/lib/edge/serve";
import type { HistoryEntry } from "../../automation/lib/history";
import { redactText, redactUrl, redactUrls, urlCarriesCredentials } from "../../automation/lib/redact";
import { parseStackConfig, secretPathIssues } from "../../infra/config";

const PASSWORD = "Pr0beTok3nCfg";
const TOKEN = "Qv4lueCfg77";
const URL_WITH_TOKEN = `http://u:${PASSWORD}@127.0.0.1:18100/slo?token=${TOKEN}`;

const base = {
  "glidepath:environment": "local",
  "glidepath:apps": JSON.stringify({ wix: { target: "local" } }),
};
const rollout = (url: string) => JSON.stringify({ slo: { source: "http", url } });

describe("the SLO URL's secrecy", () => {
  it("accepts glidepath:rollout as a secret (its SLO URL set with --secret --path) and hands the URL over decrypted", () => {
    const r = parseStackConfig(
      { ...base, "glidepath:rollout": rollout(URL_WITH_TOKEN) },
      new Set(["glidepath:rollout"]),
    );
    expect(r.ok && r.config.rollout.slo).toEqual({ source: "http", url: URL_WITH_TOKEN });
  });

  it("fails if an SLO URL with credentials is plain config, without quoting it", () => {
    for (const url of [URL_WITH_TOKEN, "http://u:p@127.0.0.1/slo", "https://h/slo?token=x"]) {
      const r = parseStackConfig({ ...base, "glidepath:rollout": rollout(url) });
      expect(r.ok).toBe(false);
      const issues = r.ok ? [] : r.issues;
      expect(issues).toEqual([
        {
          path: "glidepath:rollout.slo.url",
          message:
            "expected a secret: the URL carries credentials (userinfo or query values) that would be stored and shown in clear; set it with `pulumi config set --secret --path glidepath:rollout.slo.url <url>`",
        },
      ]);
      expect(JSON.stringify(issues)).not.toContain(url);
    }
  });

  it("accepts a plain SLO URL without credentials", () => {
    expect(
      parseStackConfig({ ...base, "glidepath:rollout": rollout("http://127.0.0.1:9/slo?app=") }).ok,
    ).toBe(true);
  });

  it("fails if another part of glidepath:rollout is stored as a secret, or the whole key", () => {
    const secure = { secure: "v1:abc" };
    expect(secretPathIssues({ "glidepath:rollout": { slo: { source: "http", url: secure } } })).toEqual([]);
    expect(secretPathIssues({ "glidepath:rollout": { steps: [5, secure], slo: { url: secure } } })).toEqual([
      {
        path: "glidepath:rollout.steps[1]",
        message:
          "expected a plain value: only glidepath:rollout.slo.url may be a secret in glidepath:rollout; set it again without --secret",
      },
    ]);
    expect(secretPathIssues({ "glidepath:rollout": secure }).map((i) => i.path)).toEqual([
      "glidepath:rollout",
    ]);
    expect(secretPathIssues({ "glidepath:flags": { wix: { A: secure } } })).toEqual([]);
  });

  it("still refuses other plain keys as secrets", () => {
    const r = parseStackConfig({ ...base, "glidepath:flags": "{}" }, new Set(["glidepath:flags"]));
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(["glidepath:flags"]);
  });
});

describe("URL redaction", () => {
  it("drops userinfo and fragment and masks every query value", () => {
    expect(redactUrl(URL_WITH_TOKEN)).toBe("http://127.0.0.1:18100/slo?token=***");
    expect(urlCarriesCredentials(URL_WITH_TOKEN)).toBe(true);
    expect(urlCarriesCredentials("http://h/slo")).toBe(false);
    expect(urlCarriesCredentials("http://h/slo?app=")).toBe(false);
  });

  it("redacts URLs inside free text and JSON text, leaving the rest as it is", () => {
    expect(redactText(`cannot reach ${URL_WITH_TOKEN} (ECONNREFUSED)`)).toBe(
      "cannot reach http://127.0.0.1:18100/slo?token=*** (ECONNREFUSED)",
    );
    const json = JSON.stringify({ slo: { url: URL_WITH_TOKEN }, other: "http://h/plain" });
    expect(JSON.parse(redactText(json))).toEqual({
      slo: { url: "http://127.0.0.1:18100/slo?token=***" },
      other: "http://h/plain",
    });
  });

  it("redacts every string of a structured value and leaves the input alone", () => {
    const input = { a: [URL_WITH_TOKEN, 1, null], b: { c: true } };
    expect(redactUrls(input)).toEqual({
      a: ["http://127.0.0.1:18100/slo?token=***", 1, null],
      b: { c: true },
    });
    expect(input.a[0]).toBe(URL_WITH_TOKEN);
  });

  it("history for people and files carries no plain SLO credentials (value text and objectValue)", () => {
    const entry: HistoryEntry = {
      version: 1,
      kind: "update",
      result: "succeeded",
      message: "glidepath up local",
      startTime: "2026-12-01T00:00:00.000Z",
      resourceChanges: {},
      config: {
        "glidepath:rollout": {
          value: rollout(URL_WITH_TOKEN),
          objectValue: { slo: { source: "http", url: URL_WITH_TOKEN } },
          secret: false,
        },
      },
    };
    const shown = JSON.stringify(joinHistory([entry], []));
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain(TOKEN);
    expect(shown).toContain("http://127.0.0.1:18100/slo?token=***");
  });
});

describe("the edge's admin key", () => {
  const KEY = "stack-admin-key-0123456789";
  it("takes WIREDCHAOS_KEY first, then glidepath:adminKey, then a random key per start", () => {
    expect(adminKeyFrom({ [ADMIN_KEY_ENV]: "env-admin-key-0123456789" }, KEY)).toBe(
      "env-admin-key-0123456789",
    );
    expect(adminKeyFrom({}, KEY)).toBe(KEY);
    expect(adminKeyFrom({ [ADMIN_KEY_ENV]: "" }, KEY)).toBe(KEY);
    const random = adminKeyFrom({});
    expect(random).toMatch(/^[0-9a-f]{64}$/);
    expect(adminKeyFrom({})).not.toBe(random);
  });

  it("fails if WIREDCHAOS_KEY is too short, even with a stack key", () => {
    expect(() => adminKeyFrom({ [ADMIN_KEY_ENV]: "short" }, KEY)).toThrow(
      /WIREDCHAOS_KEY is 5 characters long/,
    );
  });
});

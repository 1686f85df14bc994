/**
 * The stack configuration schema: one zod parse of every `glidepath:*` key, run before any
 * resource is declared (by the program) and before any `up` (by the driver).
 *
 * Pure: no Pulumi runtime, no I/O. Both the program and `automation/lib` call
 * {@link parseStackConfig} with the raw key → string map Pulumi hands out.
 */
import { z } from "zod";
import { RUNTIME_PROFILES } from "../providers/wasm/manifest";
import { rolloutSchema } from "./rollout-config";

export * from "./rollout-config";

/** The config namespace of every glidepath key (`glidepath:flags`, …). */
export const CONFIG_NAMESPACE = "glidepath";

/** Environments a stack can describe. */
export const ENVIRONMENTS = ["local", "staging", "production"] as const;

/** Release targets that exist today. Later targets (cloudflare, wix, gamma) join this list. */
export const TARGETS = ["local"] as const;

/** App names: lower-case, start with a letter, at most 32 characters. */
export const APP_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Flag keys: start with a letter; letters, digits, `_`, `-`, `.`; at most 64 characters. */
export const FLAG_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/** Flags whose value type is fixed because glidepath itself reads them. */
export const KNOWN_FLAG_TYPES: Readonly<Record<string, "boolean" | "number" | "string">> = {
  CanaryEnabled: "boolean",
};

const flagValue = z.union([z.boolean(), z.number().finite(), z.string().max(1024)], {
  error: "expected a boolean, a finite number or a string of at most 1024 characters",
});

const appSchema = z.strictObject({
  target: z.enum(TARGETS, { error: `expected one of: ${TARGETS.join(", ")}` }),
});

/** Release versions (tags): a letter or digit, then letters, digits, `.`, `_`, `-`; at most 64. */
export const VERSION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Secrets the real targets and the SWARM log need (the staging runbook's set). Each may be an
 * environment variable of that name or the secret config key `glidepath:<NAME>`.
 */
export const RUNBOOK_SECRETS = [
  "WIX_API_KEY",
  "WIX_SITE_ID",
  "WIX_SYNC_ENDPOINT",
  "GAMMA_TOKEN",
  "GAMMA_SPACE_ID",
  "SWARM_NOTION_TOKEN",
  "SWARM_DB_ID",
  "NOTION_SLO_BADGE_URL",
] as const;

/** One of {@link RUNBOOK_SECRETS}. */
export type RunbookSecret = (typeof RUNBOOK_SECRETS)[number];

/**
 * The ramp in progress, written by the driver with every step so that a driver killed at
 * any point can be re-run: it resumes this ramp (or rolls it back), never a guess.
 */
const rampSchema = z.strictObject({
  /** Ramp id: `<version>@<start time>`; events of one ramp share it. */
  id: z.string().min(1).max(200),
  /** The canary version being ramped. */
  version: z.string().regex(VERSION, { error: `expected a version tag matching ${VERSION}` }),
  /** Apps in the ramp. */
  apps: z.array(z.string().regex(APP_NAME)).min(1),
  /** Index of the current step in `rollout.steps`. */
  step: z.number().int().min(0),
  /** Canary weight of the current step. */
  weight: z.number().int().min(1).max(100),
  /** When the ramp started (ISO 8601). */
  startedAt: z.iso.datetime(),
  /**
   * The green state the ramp started from, recorded before its first step: the update number
   * and the digest of its plain config. Every rollback of this ramp restores exactly that
   * update, without searching the history for it.
   * @default - none (a ramp started by an older glidepath: the newest green update is used)
   */
  restore: z
    .strictObject({
      update: z.number().int().min(1),
      digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: "expected sha256:<64 hex digits>" }),
    })
    .optional(),
  /**
   * The ramp was started with `--override-hold` on a stack whose health was `failing`; every
   * update message of the ramp says so.
   * @default false
   */
  overrideHold: z.boolean().optional(),
});

/** The persisted ramp pointer (`glidepath:ramp`). */
export type RampState = z.infer<typeof rampSchema>;

/**
 * A path inside the project: relative, no `..`. This checks the text only; the file system
 * check of each source (`sourceIssues` in sources.ts) resolves links and refuses a real path
 * outside the project.
 */
const projectPath = z
  .string()
  .min(1)
  .refine((s) => !s.startsWith("/") && !s.split(/[\\/]/).includes(".."), {
    error: "expected a path inside the project (relative, no '..')",
  });

const releaseRef = z.strictObject({
  version: z.string().regex(VERSION, { error: `expected a version tag matching ${VERSION}` }),
  source: projectPath,
});

/** Blueprint ids: lower-case letters, digits, `_`, `-`; at most 64. */
export const BLUEPRINT_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const wasmDeliverable = z.strictObject({
  /**
   * The module, relative to the project: a built `.wasm` binary (packaged as it is), or a
   * `.wat` source the program builds with a `local.Command`.
   */
  module: projectPath.refine((p) => p.endsWith(".wasm") || p.endsWith(".wat"), {
    error: "expected a .wasm binary or a .wat source",
  }),
  /** Runtime profile. @default "wasm_wasi" */
  runtimeProfile: z
    .enum(RUNTIME_PROFILES, { error: `expected one of: ${RUNTIME_PROFILES.join(", ")}` })
    .default("wasm_wasi"),
  /** Package the module even when it is not compliant. @default false */
  allowNonCompliant: z.boolean().default(false),
});

const appReleases = z
  .strictObject({ stable: releaseRef, canary: releaseRef.optional() })
  .refine((r) => r.canary === undefined || r.canary.version !== r.stable.version, {
    error: "expected the canary version to differ from the stable version",
    path: ["canary", "version"],
  });

/** The parsed, validated configuration of one stack. */
export const stackConfigSchema = z
  .strictObject({
    environment: z.enum(ENVIRONMENTS, { error: `expected one of: ${ENVIRONMENTS.join(", ")}` }),
    apps: z
      .record(z.string().regex(APP_NAME, { error: `expected an app name matching ${APP_NAME}` }), appSchema)
      .refine((apps) => Object.keys(apps).length > 0, { error: "expected at least one app" }),
    flags: z
      .record(
        z.string(),
        z.record(
          z.string().regex(FLAG_KEY, { error: `expected a flag key matching ${FLAG_KEY}` }),
          flagValue,
        ),
      )
      .default({}),
    /**
     * Releases per app: the stable one and, while a ramp is on, the canary. Sources are
     * directories relative to the project.
     * @default - `{}`: apps without releases publish only their flags
     */
    releases: z.record(z.string(), appReleases).default({}),
    /**
     * Canary weight per app, an integer 0–100; above 0 only with a canary release.
     * @default - 0 for every app
     */
    weights: z
      .record(
        z.string(),
        z
          .number({ error: "expected an integer from 0 to 100" })
          .int({ error: "expected an integer from 0 to 100" })
          .min(0, { error: "expected an integer from 0 to 100" })
          .max(100, { error: "expected an integer from 0 to 100" }),
      )
      .default({}),
    /**
     * Rollout settings of the driver (`infra/rollout-config.ts`); absent, each key takes its
     * default (`{}` is parsed).
     * @default - the runbook's: steps 5,25,50,100; 10m windows, 15m last; min 99.0
     */
    rollout: rolloutSchema.prefault({}),
    /**
     * WASM deliverables by blueprint id.
     * @default - `{}`: none
     */
    wasm: z
      .record(
        z.string().regex(BLUEPRINT_ID, { error: `expected a blueprint id matching ${BLUEPRINT_ID}` }),
        wasmDeliverable,
      )
      .default({}),
    /**
     * Key for the edge's admin endpoints. Secret: set with `pulumi config set --secret`.
     * @default - none; admin endpoints stay closed
     */
    adminKey: z.string().min(16, { error: "expected at least 16 characters" }).optional(),
    ...Object.fromEntries(RUNBOOK_SECRETS.map((name) => [name, z.string().min(1).optional()])),
    /**
     * The ramp in progress; written by `glidepath rollout`, absent otherwise.
     * @default - none
     */
    ramp: rampSchema.optional(),
    /**
     * Absolute root directory of the `local` target.
     * @default - `<project>/.glidepath/targets/<stack>`
     */
    localRoot: z.string().startsWith("/", { error: "expected an absolute path" }).optional(),
  })
  .superRefine((cfg, ctx) => {
    const declared = Object.keys(cfg.apps).sort().join(", ");
    for (const key of ["releases", "weights"] as const) {
      for (const app of Object.keys(cfg[key])) {
        if (!(app in cfg.apps)) {
          ctx.addIssue({
            code: "custom",
            path: [key, app],
            message: `unknown app "${app}"; declared apps: ${declared}`,
          });
        }
      }
    }
    for (const [i, app] of (cfg.ramp?.apps ?? []).entries()) {
      if (!(app in cfg.apps)) {
        ctx.addIssue({
          code: "custom",
          path: ["ramp", "apps", i],
          message: `unknown app "${app}"; declared apps: ${declared}`,
        });
      }
    }
    for (const [app, weight] of Object.entries(cfg.weights)) {
      if (weight > 0 && cfg.releases[app]?.canary === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["weights", app],
          message: `expected 0: weight ${weight} needs a canary release under glidepath:releases.${app}.canary`,
        });
      }
    }
    for (const [app, flags] of Object.entries(cfg.flags)) {
      if (!(app in cfg.apps)) {
        ctx.addIssue({
          code: "custom",
          path: ["flags", app],
          message: `unknown app "${app}"; declared apps: ${declared}`,
        });
        continue;
      }
      for (const [key, value] of Object.entries(flags)) {
        const expected = KNOWN_FLAG_TYPES[key];
        if (expected !== undefined && typeof value !== expected) {
          ctx.addIssue({
            code: "custom",
            path: ["flags", app, key],
            message: `expected a ${expected}, got ${JSON.stringify(value)} (${typeof value})`,
          });
        }
      }
    }
  });

/** A validated stack configuration. */
export type StackConfig = z.infer<typeof stackConfigSchema>;

/** One problem in a stack's configuration, located by its config path. */
export interface ConfigIssue {
  /** Config path as `pulumi config set --path` takes it, e.g. `glidepath:flags.wix.CanaryEnabled`. */
  readonly path: string;
  /** What was wrong and what form was expected. */
  readonly message: string;
}

/** The outcome of {@link parseStackConfig}. */
export type ParseResult = { ok: true; config: StackConfig } | { ok: false; issues: ConfigIssue[] };

/** Turns a raw config value (Pulumi hands structured values out as JSON text) into a value. */
function decodeValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Formats a zod path as a Pulumi config path (`glidepath:flags.wix.CanaryEnabled`). */
export function configPath(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  if (head === undefined) return CONFIG_NAMESPACE;
  return `${CONFIG_NAMESPACE}:${head}${rest.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("")}`;
}

/** The only glidepath keys that hold secrets; they must be set with `--secret`. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(
  ["adminKey", ...RUNBOOK_SECRETS].map((k) => `${CONFIG_NAMESPACE}:${k}`),
);

/**
 * Secrecy rules: keys in {@link SECRET_KEYS} must be secrets; every other glidepath key must
 * not be, because its values are published in clear (flag files, routes, update messages).
 *
 * @param keys - the keys present
 * @param secretKeys - which of them are secrets
 */
export function secrecyIssues(keys: Iterable<string>, secretKeys: ReadonlySet<string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of keys) {
    if (!key.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    if (SECRET_KEYS.has(key) && !secretKeys.has(key)) {
      issues.push({
        path: key,
        message: `expected a secret; set it with \`pulumi config set --secret ${key} <value>\``,
      });
    } else if (!SECRET_KEYS.has(key) && secretKeys.has(key)) {
      issues.push({
        path: key,
        message:
          "expected a plain value: it is published in clear (target files, update messages); keep secrets out of it",
      });
    }
  }
  return issues;
}

/**
 * Parses the raw `key → string` config of a stack (as `pulumi.runtime.allConfig()` or the
 * Automation API's `getAllConfig()` give it). Keys outside the `glidepath:` namespace are ignored.
 *
 * @param raw - the stack's config, values as strings (JSON text for structured values)
 * @param secretKeys - the keys that are secrets (see {@link secrecyIssues}) @default - none
 * @returns the validated config, or every issue with its config path
 */
export function parseStackConfig(
  raw: Readonly<Record<string, string>>,
  secretKeys: ReadonlySet<string> = new Set(),
): ParseResult {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith(prefix)) input[key.slice(prefix.length)] = decodeValue(value);
  }
  const secrecy = secrecyIssues(Object.keys(raw), secretKeys);
  const result = stackConfigSchema.safeParse(input);
  if (result.success && secrecy.length === 0) return { ok: true, config: result.data };
  const issues = (result.success ? [] : result.error.issues).map((issue) => ({
    path: configPath(issue.path),
    message: describeIssue(issue),
  }));
  return { ok: false, issues: [...secrecy, ...issues] };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}; remove them or check the spelling`;
  }
  if (issue.code === "invalid_type" && issue.message.includes("received undefined")) {
    return `missing; ${issue.message.replace(/, received undefined$/, "").replace(/^Invalid input: /, "")}`;
  }
  return issue.message;
}

/** Renders issues one per line, each with its path, for error messages. */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `  ${i.path}: ${i.message}`).join("\n");
}

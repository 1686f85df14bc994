/**
 * The stack configuration schema: one zod parse of every `glidepath:*` key, run before any
 * resource is declared (by the program) and before any `up` (by the driver).
 *
 * Pure: no Pulumi runtime, no I/O. Both the program and `automation/lib` call
 * {@link parseStackConfig} with the raw key → string map Pulumi hands out.
 */
import { z } from "zod";
import { urlCarriesCredentials } from "../automation/lib/redact";
import { DID_KEY_ED25519 } from "../providers/wasm/did-key";
import { RUNTIME_PROFILES } from "../providers/wasm/manifest";
import { namespaceFindings } from "./config-namespaces";
import { contentSchema } from "./content-config";
import { gateConfigSchema } from "./gate-config";
import { rolloutSchema } from "./rollout-config";
import { TARGET_NEEDS, targetsSchema } from "./targets-config";

export * from "./rollout-config";

/** The config namespace of every glidepath key (`glidepath:flags`, …). */
export const CONFIG_NAMESPACE = "glidepath";

/** Environments a stack can describe. */
export const ENVIRONMENTS = ["local", "staging", "production"] as const;

/**
 * Release targets: `local` (files the local edge serves), `cloudflare` (static bundles in Workers
 * KV behind the edge Worker), `wix` (CMS records of a Wix site, behind the same edge), `gamma` (a
 * Gamma generation per release, behind the same edge). See docs/targets.md.
 */
export const TARGETS = ["local", "cloudflare", "wix", "gamma"] as const;

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
  "CLOUDFLARE_API_TOKEN",
  "CLOUDFLARE_ACCOUNT_ID",
  "WIX_API_KEY",
  "WIX_SITE_ID",
  "WIX_SYNC_ENDPOINT",
  "GAMMA_TOKEN",
  "GAMMA_SPACE_ID",
  "SWARM_NOTION_TOKEN",
  "SWARM_DB_ID",
  "NOTION_SLO_BADGE_URL",
  "WIREDCHAOS_KEY_BUSINESS",
  "WIREDCHAOS_KEY_GAMING",
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
  /**
   * The manifest's signature, as `glidepath wasm sign` prints it; the deliverable's manifest is
   * written with it, and it must verify over that manifest.
   * @default - none: the manifest is unsigned
   */
  signature: z
    .strictObject({
      algorithm: z.literal("Ed25519").default("Ed25519"),
      signer: z.string().regex(DID_KEY_ED25519, { error: "expected an Ed25519 did:key (did:key:z6Mk…)" }),
      value: z.string().regex(/^[A-Za-z0-9_-]{86}$/, { error: "expected a base64url Ed25519 signature" }),
    })
    .optional(),
});

/** What the stack requires of its WASM deliverables' signatures (`glidepath:wasmSigning`). */
const wasmSigning = z
  .strictObject({
    /** Every deliverable must carry a valid signature by one of `signers`. @default false */
    required: z.boolean().default(false),
    /** The did:keys whose signatures the stack accepts. @default - `[]` */
    signers: z
      .array(z.string().regex(DID_KEY_ED25519, { error: "expected an Ed25519 did:key (did:key:z6Mk…)" }))
      .default([]),
  })
  .refine((s) => !s.required || s.signers.length > 0, {
    error: "expected at least one did:key signer when required is true",
    path: ["signers"],
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
     * Signed WASM deliverables: with `required`, a deliverable without a valid signature by one
     * of `signers` fails the stack's check (`signature_missing`, `signature_invalid`,
     * `signer_not_trusted`).
     * @default - `{ required: false, signers: [] }`
     */
    wasmSigning: wasmSigning.prefault({}),
    /**
     * The deploy gate's settings (`infra/gate-config.ts`): the verdict's TTL.
     * @default - `{ ttlSeconds: 3600 }`
     */
    gate: gateConfigSchema.prefault({}),
    /**
     * The local edge's admin key for this stack (`x-wiredchaos-key`), at least 16 characters.
     * Secret: set with `pulumi config set --secret glidepath:adminKey <key>`. The edge takes
     * `WIREDCHAOS_KEY` first, then this key, then a random key per start (written to
     * `.glidepath/edge/<stack>.key`, mode 0600, for local clients).
     * @default - a random key per edge start, unless `WIREDCHAOS_KEY` is set
     */
    adminKey: z.string().min(16, { error: "expected at least 16 characters" }).optional(),
    ...Object.fromEntries(RUNBOOK_SECRETS.map((name) => [name, z.string().min(1).optional()])),
    /**
     * The generation of the desired release state. glidepath adds one with every write of the
     * releases, weights or ramp pointer (a ramp step, a promotion, a rollback); each app's route
     * keeps it in state, so a stack file that is behind the backend (a stale or fresh checkout)
     * is refused in preview instead of moving a release backwards. Raise it by hand only to
     * deploy a file's releases on purpose.
     * @default 0
     */
    generation: z
      .number({ error: "expected a whole number ≥ 0" })
      .int({ error: "expected a whole number ≥ 0" })
      .min(0, { error: "expected a whole number ≥ 0" })
      .default(0),
    /**
     * The ramp in progress; written by `glidepath rollout`, absent otherwise.
     * @default - none
     */
    ramp: rampSchema.optional(),
    /**
     * Where the remote targets are and which scope this stack owns (`infra/targets-config.ts`).
     * @default - `{}`: no remote target
     */
    targets: targetsSchema,
    /**
     * The content plane: the SWARM log's Notion data source, the registry sync into Wix and its
     * Business/Gaming firewall (`infra/content-config.ts`).
     * @default - `{}`: SWARM log in JSONL only, no registry sync
     */
    content: contentSchema,
    /**
     * Absolute root directory of the `local` target.
     * @default - `<project>/.glidepath/targets/<stack>`
     */
    localRoot: z.string().startsWith("/", { error: "expected an absolute path" }).optional(),
  })
  .superRefine((cfg, ctx) => {
    const declared = Object.keys(cfg.apps).sort().join(", ");
    for (const [app, a] of Object.entries(cfg.apps)) {
      for (const part of TARGET_NEEDS[a.target] ?? []) {
        if (cfg.targets[part] === undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["apps", app, "target"],
            message: `target "${a.target}" needs glidepath:targets.${part} (see docs/targets.md)`,
          });
        }
      }
    }
    const cf = cfg.targets.cloudflare;
    if (cf !== undefined && !cf.manageWorker && cf.namespaceId === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["targets", "cloudflare", "namespaceId"],
        message: "expected the id of the existing Workers KV namespace: manageWorker is false",
      });
    }
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

/**
 * The outcome of {@link parseStackConfig}. `warnings` are keys that do not stop a deployment
 * but are read by nothing (another namespace; see `config-namespaces.ts`).
 */
export type ParseResult =
  | { ok: true; config: StackConfig; warnings: ConfigIssue[] }
  | { ok: false; issues: ConfigIssue[]; warnings: ConfigIssue[] };

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

/** The key whose SLO URL may be a secret (`pulumi config set --secret --path glidepath:rollout.slo.url …`). */
export const ROLLOUT_KEY = `${CONFIG_NAMESPACE}:rollout`;

/**
 * The one part of a plain key that may be a secret: `glidepath:rollout.slo.url`, which may
 * carry a token. Pulumi then marks the whole `glidepath:rollout` secret (its values are masked
 * in `pulumi config` and in history); glidepath decrypts it in memory to sample the source.
 */
export const SECRET_PATHS: Readonly<Record<string, readonly string[]>> = { [ROLLOUT_KEY]: ["slo.url"] };

/**
 * Secrecy rules: keys in {@link SECRET_KEYS} must be secrets; `glidepath:rollout` may be one
 * (through its SLO URL, see {@link SECRET_PATHS}); every other glidepath key must not be,
 * because its values are published in clear (flag files, routes, update messages).
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
    } else if (!SECRET_KEYS.has(key) && SECRET_PATHS[key] === undefined && secretKeys.has(key)) {
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
 * The secrecy rule of the SLO URL: one that carries credentials (userinfo, or a query with a
 * value) must be a secret, or the token would sit in clear in the stack file, the state's
 * history and every listing of the config. The URL itself is never quoted.
 *
 * @param config - the validated config
 * @param secretKeys - the keys that are secrets
 */
export function sloUrlIssues(config: StackConfig, secretKeys: ReadonlySet<string>): ConfigIssue[] {
  const slo = config.rollout.slo;
  if (slo.source === "edge" || secretKeys.has(ROLLOUT_KEY) || !urlCarriesCredentials(slo.url)) return [];
  return [
    {
      path: `${ROLLOUT_KEY}.slo.url`,
      message:
        "expected a secret: the URL carries credentials (userinfo or query values) that would be stored and shown in clear; " +
        `set it with \`pulumi config set --secret --path ${ROLLOUT_KEY}.slo.url <url>\``,
    },
  ];
}

/**
 * Where a stack's config holds secrets inside a plain key: every part of a key in
 * {@link SECRET_PATHS} that is stored as `secure:` must be one of the paths listed there.
 * Pulumi reports only whole keys as secret; the stack file shows which parts are.
 *
 * @param fileConfig - the `config:` section of `Pulumi.<stack>.yaml`, as parsed YAML
 */
export function secretPathIssues(fileConfig: Readonly<Record<string, unknown>>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const walk = (key: string, at: string[], v: unknown) => {
    if (v === null || typeof v !== "object") return;
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 1 && entries[0]?.[0] === "secure") {
      const where = at.join(".");
      if (!(SECRET_PATHS[key] ?? []).includes(where)) {
        issues.push({
          path: configPath([key.slice(CONFIG_NAMESPACE.length + 1), ...at]),
          message: `expected a plain value: only ${(SECRET_PATHS[key] ?? []).map((p) => `${key}.${p}`).join(", ")} may be a secret in ${key}; set it again without --secret`,
        });
      }
      return;
    }
    for (const [k, x] of entries) walk(key, [...at, k], x);
  };
  for (const key of Object.keys(SECRET_PATHS)) {
    walk(key, [], fileConfig[key]);
  }
  return issues;
}

/**
 * Parses the raw `key → string` config of a stack (as `pulumi.runtime.allConfig()` or the
 * Automation API's `getAllConfig()` give it). Keys of a namespace close to `glidepath:` (a
 * misspelling such as `glidpath:`) are issues; keys of a namespace nothing here reads are
 * warnings; Pulumi's and the providers' namespaces are ignored.
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
  const findings = namespaceFindings(Object.keys(raw), CONFIG_NAMESPACE);
  const namespace = findings
    .filter((f) => f.level === "refuse")
    .map((f) => ({ path: f.key, message: f.message }));
  const warnings = findings
    .filter((f) => f.level === "warn")
    .map((f) => ({ path: f.key, message: f.message }));
  const result = stackConfigSchema.safeParse(input, { reportInput: true });
  if (result.success) secrecy.push(...sloUrlIssues(result.data, secretKeys));
  if (result.success && secrecy.length === 0 && namespace.length === 0) {
    return { ok: true, config: result.data, warnings };
  }
  const issues = (result.success ? [] : result.error.issues).map((issue) => ({
    path: configPath(issue.path),
    message: describeIssue(issue, !mayEcho(issue.path, secretKeys)),
  }));
  return { ok: false, issues: [...namespace, ...secrecy, ...issues], warnings };
}

/**
 * Whether the value at a config path may be shown in a message: never a secret key's (nor
 * anything under the SLO source, whose URL may carry a token).
 */
function mayEcho(path: readonly PropertyKey[], secretKeys: ReadonlySet<string>): boolean {
  const top = `${CONFIG_NAMESPACE}:${String(path[0] ?? "")}`;
  if (SECRET_KEYS.has(top) || secretKeys.has(top)) return false;
  return !(path[0] === "rollout" && path[1] === "slo");
}

/** How a value is shown in a message: JSON, cut at 80 characters. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * One issue as a sentence: what was expected and, unless `hideValue`, the value found (`got 5`).
 *
 * @param issue - the zod issue, parsed with `reportInput`
 * @param hideValue - the value is secret @default false
 */
function describeIssue(issue: z.core.$ZodIssue, hideValue = false): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(", ")}; remove them or check the spelling`;
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return `missing; ${issue.message.replace(/, received undefined$/, "").replace(/^Invalid input: /, "")}`;
  }
  const input = (issue as { input?: unknown }).input;
  if (hideValue || input === undefined || /\bgot\b/.test(issue.message)) return issue.message;
  // Objects and arrays are shown by their members' own issues; a scalar is shown here.
  if (typeof input === "object" && input !== null) return issue.message;
  return `${issue.message}, got ${shown(input)}`;
}

/** Renders issues one per line, each with its path, for error messages. */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `  ${i.path}: ${i.message}`).join("\n");
}

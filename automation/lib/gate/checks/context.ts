/**
 * What every check of the deploy gate reads: the stack, its validated config (or why it is not
 * valid), the releases and modules under judgment and their bundle digests, and the allowed
 * signers. Built once per gate run; each check is a small module of {@link GateCheck}.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import type { StackConfig } from "../../../../infra/config";
import type { AllowedSigner } from "../../signing/allowed-signers";
import type { StackModule, StackRelease } from "../bundles";

/** The inputs of the gate's checks. */
export interface GateContext {
  projectDir: string;
  stack: Stack;
  /** The validated config, or the validation error's text. */
  config: { ok: true; config: StackConfig; secretKeys: ReadonlySet<string> } | { ok: false; error: string };
  releases: readonly StackRelease[];
  modules: readonly StackModule[];
  /** Bundle key → SHA-256 hex ({@link gateBundles}). */
  bundles: Readonly<Record<string, string>>;
  signers: readonly AllowedSigner[];
  /** The environment (preflight looks secrets up in it). */
  env: Readonly<Record<string, string | undefined>>;
}

/** One check's outcome. */
export interface CheckOutcome {
  status: "PASS" | "FAIL";
  /** Why, in one line; never a secret value. */
  detail: string;
  /** Evidence digests the check saw (name → SHA-256 hex). @default - none */
  evidence?: Record<string, string>;
}

/** One check of the gate. */
export interface GateCheck {
  /** Stable id (the verdict's `checks[].id`). */
  id: string;
  /** What it judges. */
  title: string;
  run(ctx: GateContext): Promise<CheckOutcome>;
}

/** The outcome of a check that needs a valid config when there is none. */
export function needsConfig(ctx: GateContext): CheckOutcome | undefined {
  return ctx.config.ok ? undefined : { status: "FAIL", detail: "cannot judge: the config is not valid" };
}

/** PASS or FAIL from a list of problems. */
export function outcomeOf(problems: readonly string[], pass: string): CheckOutcome {
  return problems.length === 0
    ? { status: "PASS", detail: pass }
    : { status: "FAIL", detail: problems.join("; ") };
}

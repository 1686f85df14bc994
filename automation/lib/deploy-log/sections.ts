/**
 * What a production release's deploy log holds (pure): the gate verdict that admitted it, the
 * approval (signer, nonce, expiry, key fingerprint; never a key), the update and how it ended,
 * and the verification, in that order.
 */
import type { GateVerdict } from "../gate/verdict";
import type { DeployLogSection } from "./render";

/** The approval as the deploy log records it. */
export interface ApprovalSummary {
  signer: string;
  nonce: string;
  expires: string;
  /** The signing key's fingerprint. */
  fingerprint: string;
}

/** The inputs of {@link deployLogSections}. */
export interface DeployLogFacts {
  /** The verdict that admitted the update, and its digest. */
  verdict: GateVerdict;
  verdictDigest: string;
  /** The approval that admitted it. @default - none (recorded as such) */
  approval?: ApprovalSummary;
  /** How the update or the ramp ended. */
  result: "succeeded" | "failed" | "rolled-back";
  /** The command that ran it (`up`, `rollout`). */
  command: string;
  /** The bundles it deployed. */
  bundles: Record<string, string>;
  /** The update's number in the stack history. @default - unknown */
  updateVersion?: number;
  /** What the command adds about the update (a ramp's outcome, steps and reason). @default - nothing */
  details?: Record<string, unknown>;
}

/**
 * The sections of a deploy log.
 *
 * @param f - what the release run did
 */
export function deployLogSections(f: DeployLogFacts): DeployLogSection[] {
  const v = f.verdict;
  return [
    {
      title: "gate",
      body: [
        `${v.result} at ${v.time} (ttl ${v.ttlSeconds} s), verdict ${f.verdictDigest}`,
        ...v.checks.map((c) => `${c.status} ${c.id}: ${c.detail}`),
      ].join("\n"),
    },
    { title: "approval", body: f.approval ?? "none" },
    {
      title: "update",
      body: {
        command: f.command,
        result: f.result,
        ...(f.updateVersion === undefined ? {} : { updateVersion: f.updateVersion }),
        bundles: f.bundles,
        ...(f.details ?? {}),
      },
    },
    {
      title: "verification",
      body:
        f.result === "succeeded"
          ? `not run by ${f.command}: glidepath verify-live --stack ${v.stack} records its result in the audit log`
          : `none: the update ${f.result}`,
    },
  ];
}

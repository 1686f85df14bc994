/**
 * A production rollback to a golden tag, admitted without a new approval (pure). A golden build
 * was approved by the release manager, deployed under that approval and verified live before it
 * earned its tag, so restoring exactly its bundles is not a new release: the driver's
 * `rollback --to <tag>` says which tag it restores (`GLIDEPATH_GOLDEN_RESTORE`), and the driver,
 * the program and the policy pack each admit the update only when
 *
 * - the stack's audit log verifies and names the tag as golden for this stack, not quarantined;
 * - a `deploy` entry of the stack that succeeded under an approval deployed every one of the
 *   tag's bundles with the same digest (the ramp that released it, or a plain update);
 * - the tag's record holds the bundles its build id was made from; and
 * - every bundle the update deploys is one of those, with the same digest (for the policy pack,
 *   also one an approved deploy already shipped: a release the restore retires, still seen).
 *
 * Anything else is refused, with the code of the first rule broken.
 */
import type { AuditEntry } from "../audit/entry";
import type { ErrorCode } from "../errors";
import { buildId } from "../gate/verdict";
import { goldenTags } from "../golden/records";
import { type JudgeInput, judgeApproval } from "./payload";

/** The environment variable that names the golden tag an update restores. */
export const GOLDEN_RESTORE_ENV = "GLIDEPATH_GOLDEN_RESTORE";

/** What a golden restore is judged against. */
export interface GoldenRestoreInput {
  /** The stack being updated. */
  stack: string;
  /** The golden tag it restores. */
  tag: string;
  /** The stack's audit entries, or the first finding of a log that does not verify. */
  log: { entries: readonly AuditEntry[] } | { finding: string };
  /** The bundles of the tag's record; undefined when it has no readable record. */
  recordBundles: Readonly<Record<string, string>> | undefined;
  /** The bundles the update deploys (key → SHA-256 hex). */
  bundles: Readonly<Record<string, string>>;
  /**
   * Also admit a bundle an approved deploy already shipped: the policy pack sees the builds of
   * the releases the restore retires (deleted at the end of the update). The driver and the
   * program judge the tag's bundles alone.
   * @default false
   */
  admitShipped?: boolean;
}

/** The verdict of {@link judgeGoldenRestore}. */
export type GoldenRestoreJudgement =
  | { ok: true; buildId: string; approvedAt: number }
  | { ok: false; code: ErrorCode; message: string; fix: string };

/**
 * Judges a restore of a golden tag.
 *
 * @param i - the tag, the log, the record and the deployed bundles
 */
export function judgeGoldenRestore(i: GoldenRestoreInput): GoldenRestoreJudgement {
  const refuse = (code: ErrorCode, what: string, fix: string): GoldenRestoreJudgement => ({
    ok: false,
    code,
    message: `production rollback of stack ${i.stack} to golden tag ${i.tag} refused: ${what}; nothing was changed`,
    fix,
  });
  const otherTag = `roll back to another golden tag (\`glidepath rollback --stack ${i.stack} --to last-good\`), or run the gate on the state to restore and have the release manager approve it`;
  if ("finding" in i.log)
    return refuse(
      "GP_AUDIT_INVALID",
      `the audit log does not verify (${i.log.finding})`,
      `run \`glidepath audit verify --stack ${i.stack}\` and restore the log`,
    );
  const entries = i.log.entries;
  const golden = goldenTags(entries, i.stack).find((t) => t.tag === i.tag);
  if (golden === undefined)
    return refuse("GP_GOLDEN_UNKNOWN", `the audit log names no golden tag ${i.tag}`, otherTag);
  if (golden.quarantined) return refuse("GP_GOLDEN_QUARANTINED", `${i.tag} is quarantined`, otherTag);
  if (i.recordBundles === undefined || buildId({ ...i.recordBundles }) !== golden.buildId)
    return refuse(
      "GP_GOLDEN_CORRUPT",
      `its record's bundles are ${i.recordBundles === undefined ? "missing" : `not those of build ${golden.buildId}`}`,
      otherTag,
    );
  const tagged = i.recordBundles;
  // The bundles of each deploy that succeeded under an approval.
  const shippedSets = entries
    .filter(
      (e) =>
        e.kind === "deploy" &&
        e.data.stack === i.stack &&
        e.data.result === "succeeded" &&
        typeof e.data.approval === "object" &&
        e.data.approval !== null,
    )
    .map((e) => ({ seq: e.seq, bundles: (e.data.bundles ?? {}) as Record<string, unknown> }));
  const approved = shippedSets.find((d) => Object.entries(tagged).every(([k, x]) => d.bundles[k] === x));
  if (approved === undefined)
    return refuse(
      "GP_APPROVAL_MISSING",
      `no approved production deploy in the audit log deployed build ${golden.buildId}'s bundles`,
      otherTag,
    );
  // A release the update retires (the program deletes it at the end of the update, and the
  // policy pack still sees its build) was shipped by an approved deploy too: nothing new.
  const shipped = (key: string, digest: string) => shippedSets.some((d) => d.bundles[key] === digest);
  for (const [key, digest] of Object.entries(i.bundles).sort(([x], [y]) => x.localeCompare(y))) {
    if (tagged[key] !== digest && !(i.admitShipped === true && shipped(key, digest)))
      return refuse(
        "GP_APPROVAL_DIGEST_MISMATCH",
        tagged[key] === undefined
          ? `bundle ${key} (${digest.slice(0, 16)}…) is deployed, and ${i.tag} does not hold it`
          : `bundle ${key} is ${digest.slice(0, 16)}…, ${i.tag} holds ${tagged[key]?.slice(0, 16)}…`,
        `restore the tag with \`glidepath rollback --stack ${i.stack} --to ${i.tag}\` (it extracts the tag's bundles from its archive)`,
      );
  }
  return { ok: true, buildId: golden.buildId, approvedAt: approved.seq };
}

/**
 * The judgement of the program and the policy pack on a production update: a golden restore
 * (when the update names one) by {@link judgeGoldenRestore}, anything else by the approval.
 *
 * @param approval - what the approval is judged against
 * @param golden - the golden restore the update names @default - none: the approval decides
 */
export function judgeProductionUpdate(
  approval: JudgeInput,
  golden?: Omit<GoldenRestoreInput, "bundles">,
): { ok: true } | { ok: false; code: ErrorCode; message: string; fix: string } {
  return golden === undefined
    ? judgeApproval(approval)
    : judgeGoldenRestore({ ...golden, bundles: approval.bundles });
}

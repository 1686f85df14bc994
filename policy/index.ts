/**
 * The production policy pack: a mandatory stack policy that refuses an update of a production
 * stack unless the release manager's approval admits exactly the bundles its resources build.
 * The driver passes it to every production update (`--policy-pack policy/run-pack.sh`); it
 * judges the approval as the driver and the program do (one function), from the same files.
 */
import * as path from "node:path";
import { PolicyPack } from "@pulumi/policy";
import { judgeProductionUpdate } from "../automation/lib/approval/golden-restore";
import { isProductionStack, readApprovalInputs, readGoldenRestore } from "../automation/lib/approval/inputs";
import { bundlesOfResources, stackOfResources } from "../automation/lib/approval/resources";

/** The project: this file runs as `<project>/dist/policy/index.js`. */
const projectDir = path.resolve(__dirname, "..", "..");

new PolicyPack("glidepath-production", {
  description: "Production updates need the release manager's approval of exactly what they deploy.",
  enforcementLevel: "mandatory",
  policies: [
    {
      name: "production-approval",
      description:
        "A production stack is updated only under a valid approval (signed in namespace glidepath-deploy by a listed key, for this stack, its gate verdict and these bundle digests, unexpired, unconsumed), or a rollback to a golden tag that restores exactly its approved, verified bundles.",
      enforcementLevel: "mandatory",
      validateStack: (args, reportViolation) => {
        const stack = stackOfResources(args.resources);
        if (stack === undefined) return reportViolation("GP_APPROVAL_MISSING: no resource names the stack");
        if (!isProductionStack(projectDir, stack)) return;
        const j = judgeProductionUpdate(
          {
            ...readApprovalInputs(projectDir, stack),
            bundles: bundlesOfResources(args.resources),
            now: new Date(),
          },
          // The pack also sees the builds of the releases a restore retires: admit those an
          // approved deploy shipped (the program judges the restored config alone).
          ((g) => (g === undefined ? undefined : { ...g, admitShipped: true }))(
            readGoldenRestore(projectDir, stack),
          ),
        );
        if (!j.ok) reportViolation(`${j.code}: ${j.message}\nfix: ${j.fix}`);
      },
    },
  ],
});

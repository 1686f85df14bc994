/**
 * `node pull-mirror-main.js <projectDir> <stack>`: pulls a stack's guardrail records from a
 * `postgres://` backend into the checkout's mirror and exits (0 pulled or nothing to pull, 1
 * failed, the reason on stderr). The Pulumi program runs it before it judges a production
 * approval, since the program must judge before it declares anything and so cannot wait on a
 * promise.
 */
import { isGlidepathError } from "../errors";
import { openGuardrailMirror } from "./log-file";

const [projectDir, stack] = process.argv.slice(2);
if (projectDir === undefined || stack === undefined) {
  process.stderr.write("usage: pull-mirror-main <projectDir> <stack>\n");
  process.exit(2);
}
openGuardrailMirror(projectDir, stack).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${isGlidepathError(e) ? e.render() : (e as Error).message}\n`);
    process.exit(1);
  },
);

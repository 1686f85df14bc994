/**
 * Entry point of the stand-in `pulumi-resource-command` plugin (see local-command.ts).
 */
import { main } from "@pulumi/pulumi/provider";
import { localCommandProvider } from "./local-command";

main(localCommandProvider, process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

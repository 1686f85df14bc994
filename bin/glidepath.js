#!/usr/bin/env node
// Entry point of the `glidepath` bin: the compiled CLI (run `npm run build` after changes).
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `error[GP_NODE_TOO_OLD]: glidepath needs Node 22.12 or newer (@pulumi/pulumi requires it); this is Node ${process.versions.node}\n` +
      'fix: run it through `npm run demo` / `bash scripts/bootstrap.sh run -- <args>`, or `eval "$(bash scripts/bootstrap.sh env)"` first\n',
  );
  process.exit(2);
}
const { main } = require("../dist/automation/cli.js");
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

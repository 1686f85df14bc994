#!/usr/bin/env node
// Entry point of the `glidepath` bin: the compiled CLI (run `npm run build` after changes).
const { main } = require("../dist/automation/cli.js");
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

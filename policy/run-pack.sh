#!/bin/sh
# The production policy pack, started as an executable: `pulumi up --policy-pack <this file>`.
# This toolchain's Node language host cannot start a directory pack (its plugin runner answers
# "not supported"); the engine runs an executable pack path directly, with argv = <engine address>.
# The pack's package.json (its version) must be in the working directory, so cd here first; its
# code is the compiled dist/policy/index.js (`npm run build`).
cd "$(dirname "$0")" || exit 1
exec node ../node_modules/@pulumi/pulumi/cmd/run-policy-pack "$1" ../dist/policy/index.js

#!/usr/bin/env bash
# One entry point for a fresh machine, idempotent and cheap when warm:
#   1. Node 22+ (from the npm registry's node-linux-* package when the system Node is older),
#   2. npm dependencies (the lockfile's versions, when the lockfile changed),
#   3. the compiled program and CLI (tsc, incremental),
#   4. the pinned Pulumi toolchain (existing install, official installer, or a Go build),
# then runs what was asked:
#   bootstrap.sh run -- <glidepath args>   run the CLI
#   bootstrap.sh test [vitest args]        lint, type-check and every test tier
#   bootstrap.sh bench                     run the benchmarks under bench/
#   bootstrap.sh env                       print the PATH exports for this shell
# Caches live outside the repository: $GLIDEPATH_CACHE (default ~/.cache/glidepath), ~/.npm,
# ~/go and ~/.pulumi.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${GLIDEPATH_CACHE:-$HOME/.cache/glidepath}
NODE_VERSION=22.23.3
cd "$ROOT"

say() { printf 'glidepath: %s\n' "$*" >&2; }

ensure_node() {
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge 22 ]; then return; fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) say "no Node 22 package for $(uname -m); install Node 22+ yourself"; exit 2 ;;
  esac
  local dir=$CACHE/node/$NODE_VERSION-$arch
  local bin=$dir/node_modules/node-linux-$arch/bin
  if [ ! -x "$bin/node" ]; then
    command -v npm >/dev/null || { say "neither Node 22+ nor npm found; install Node 22+ first"; exit 2; }
    say "system Node is $(node --version 2>/dev/null || echo absent); installing Node $NODE_VERSION from the npm registry into $dir"
    mkdir -p "$dir"
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$dir" "node-linux-$arch@$NODE_VERSION" >&2
  fi
  export PATH="$bin:$PATH"
}

ensure_deps() {
  local stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
    # `npm install --no-save` installs exactly the lockfile's versions, like `npm ci`, but
    # tolerates optional platform packages the registry here does not serve (biome's
    # non-linux binaries), which `npm ci` refuses. It writes nothing back.
    say "installing npm dependencies (locked versions)"
    npm install --no-save --no-audit --no-fund >&2
  fi
}

ensure_build() {
  npx --no-install tsc -p tsconfig.build.json
}

ensure_toolchain() {
  local bin
  bin=$(node dist/automation/cli.js toolchain --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).binDir))')
  export PATH="$bin:$PATH" PULUMI_SKIP_UPDATE_CHECK=true
}

ensure_node
ensure_deps
ensure_build
ensure_toolchain

cmd=${1:-run}
shift || true
case "$cmd" in
  run)
    [ "${1:-}" = "--" ] && shift
    exec node dist/automation/cli.js "$@"
    ;;
  test)
    say "lint and format check (biome)"
    npx --no-install biome ci .
    say "type check (tsc)"
    npx --no-install tsc -p tsconfig.json --noEmit
    say "tests (vitest: unit, program, providers, e2e)"
    exec npx --no-install vitest run "$@"
    ;;
  bench)
    exec node dist/bench/up-floor.js "$@"
    ;;
  env)
    printf 'export PATH=%q\nexport PULUMI_SKIP_UPDATE_CHECK=true\n' "$PATH"
    ;;
  *)
    say "unknown command '$cmd' (run | test | bench | env)"
    exit 2
    ;;
esac

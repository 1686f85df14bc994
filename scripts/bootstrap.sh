#!/usr/bin/env bash
# One entry point for a fresh machine, idempotent and cheap when warm:
#   1. Node 22+ (from the npm registry's node-linux-* package when the system Node is older),
#   2. npm dependencies (the lockfile's versions, when the lockfile changed),
#   3. the compiled program and CLI (tsc, incremental),
#   4. the pinned Pulumi toolchain (existing install, official installer, or a Go build),
# then runs what was asked:
#   bootstrap.sh run -- <glidepath args>   run the CLI
#   bootstrap.sh test [vitest args]        lint, type-check and every test tier
#   bootstrap.sh bench [NAME]              run a benchmark under bench/ (up-floor, stack-size, driver-step,
#                                          edge-throughput, demo-wall, backend-step, target-step)
#   bootstrap.sh env                       print the PATH exports for this shell
# Caches live outside the repository: $GLIDEPATH_CACHE (default ~/.cache/glidepath), ~/.npm,
# ~/go and ~/.pulumi.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${GLIDEPATH_CACHE:-$HOME/.cache/glidepath}
NODE_VERSION=22.23.3
cd "$ROOT"

say() { printf 'glidepath: %s\n' "$*" >&2; }

# Node >= 22.12 (what @pulumi/pulumi and vitest need); prints nothing, exit status only.
node_ok() {
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)' 2>/dev/null
}

ensure_node() {
  if node_ok node; then return; fi
  if [ "$(uname -s)" != Linux ]; then say "install Node 22.12+ yourself (automatic install is for Linux only)"; exit 2; fi
  local arch
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) say "no Node 22 package for $(uname -m); install Node 22+ yourself"; exit 2 ;;
  esac
  local dir=$CACHE/node/$NODE_VERSION-$arch
  local bin=$dir/node_modules/node-linux-$arch/bin
  if ! node_ok "$bin/node"; then
    command -v npm >/dev/null || { say "neither Node 22+ nor npm found; install Node 22+ first"; exit 2; }
    say "system Node is $(node --version 2>/dev/null || echo absent); installing Node $NODE_VERSION from the npm registry into $dir"
    mkdir -p "$dir"
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$dir" "node-linux-$arch@$NODE_VERSION" >&2
  fi
  export PATH="$bin:$PATH"
}

ensure_deps() {
  local stamp=node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
    # `npm install --no-save` installs exactly the lockfile's versions, like `npm ci`, but
    # tolerates optional platform packages the registry here does not serve (biome's
    # non-linux binaries), which `npm ci` refuses. It writes nothing back. Optional
    # dependencies are included whatever the user's npm config says: Deno's and workerd's
    # binaries are optional platform packages (the smoke harness runs both).
    say "installing npm dependencies (locked versions)"
    npm install --no-save --no-audit --no-fund --include=optional >&2
  fi
}

ensure_build() {
  npx --no-install tsc -p tsconfig.build.json >&2
  # The edge Worker is an ES module for workerd, compiled on its own.
  npx --no-install tsc -p edge/worker/tsconfig.json >&2
}

# Puts the Pulumi toolchain on PATH. Returns non-zero (after the CLI printed why) when it
# cannot be provisioned.
ensure_toolchain() {
  local out
  out=$(mktemp)
  if ! node dist/automation/cli.js toolchain --json >"$out"; then
    rm -f "$out"
    return 1
  fi
  PATH="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).binDir' "$out"):$PATH"
  rm -f "$out"
  export PATH PULUMI_SKIP_UPDATE_CHECK=true
}

# Installs a Debian package with apt when this user may (root, or passwordless sudo); otherwise
# says why not and what to install. Never fails the script: the tests that need the package
# fail in CI and skip outside it, each saying why.
#   apt_install <package> <what it is for> <what to do without apt>
apt_install() {
  local pkg=$1 why=$2 otherwise=$3 sudo=
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      say "no $pkg and no root to install it: install Debian's $pkg package (apt-get install $pkg)"
      return
    fi
  fi
  if ! command -v apt-get >/dev/null; then
    say "no $pkg and no apt-get: $otherwise"
    return
  fi
  say "installing Debian's $pkg package ($why)"
  mkdir -p "$CACHE"
  if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$pkg"; } >"$CACHE/apt-$pkg.log" 2>&1; then
    say "apt-get could not install $pkg; see $CACHE/apt-$pkg.log"
  fi
}

# Headless Chromium for the panel's browser tests and the demo's screenshot: Debian's
# `chromium` package (playwright-core drives it; nothing downloads a browser); otherwise the
# browser tests fail in CI and skip outside it, and the demo skips its screenshot.
ensure_browser() {
  if [ -n "${GLIDEPATH_CHROMIUM:-}" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
    return
  fi
  apt_install chromium "headless browser for the panel tests and screenshot" \
    "install Chromium and set GLIDEPATH_CHROMIUM to its binary"
}

# Prometheus for the Prometheus SLO source's tests: Debian's `prometheus` package (the server,
# which the tests start themselves on loopback, and `promtool`, which checks the edge's
# exposition).
ensure_prometheus() {
  if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
    return
  fi
  apt_install prometheus "the Prometheus SLO source's tests" \
    "install Prometheus (prometheus and promtool on PATH)"
}

# Lints the GitHub Actions workflows under .github/workflows with actionlint (pinned, built
# once with Go from the module proxy into $CACHE/actionlint/<version>/; cheap when warm). It runs
# `run:` scripts through shellcheck too when it is on PATH (Debian's `shellcheck`; not installed
# here). Without Go, CI fails and elsewhere the lint is skipped, saying why.
ACTIONLINT_VERSION=1.7.12
lint_workflows() {
  local dir=$CACHE/actionlint/v$ACTIONLINT_VERSION bin
  bin=$dir/actionlint
  if [ ! -x "$bin" ]; then
    local go
    go=$(PATH="$PATH:/usr/local/go/bin" command -v go || true)
    if [ -z "$go" ]; then
      if [ -n "${CI:-}" ]; then say "actionlint needs Go 1.26+ to build; install Go"; exit 2; fi
      say "no Go: workflow lint (actionlint) skipped; install Go 1.26+ to run it"
      return
    fi
    say "building actionlint $ACTIONLINT_VERSION with Go into $dir (once)"
    mkdir -p "$dir"
    GOBIN=$dir GOFLAGS=-mod=mod "$go" install "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION" >&2
  fi
  say "workflow lint (actionlint$(command -v shellcheck >/dev/null && echo ', with shellcheck'))"
  "$bin" .github/workflows/*.yml
}

# PostgreSQL server binaries for the shared-backend tests (a throw-away cluster each run starts
# on 127.0.0.1 and stops): Debian's `postgresql` package. GLIDEPATH_PG_BIN names another
# directory of initdb and pg_ctl.
ensure_postgres() {
  if [ -n "${GLIDEPATH_PG_BIN:-}" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null; then
    return
  fi
  apt_install postgresql "server binaries for the shared-backend tests" \
    "install PostgreSQL and set GLIDEPATH_PG_BIN to the directory of initdb"
}

cmd=${1:-run}
shift || true

ensure_node
ensure_deps
ensure_build
if ! ensure_toolchain; then
  # Outside CI the tests still run without the engine: the e2e tier skips with its reason.
  if [ "$cmd" = test ] && [ -z "${CI:-}" ]; then
    say "no Pulumi toolchain: unit, program and provider tiers only (e2e skips)"
  else
    exit 2
  fi
fi
case "$cmd" in
  run)
    [ "${1:-}" = "--" ] && shift
    [ "${1:-}" = demo ] && ensure_browser
    exec node dist/automation/cli.js "$@"
    ;;
  test)
    ensure_browser
    ensure_prometheus
    ensure_postgres
    say "lint and format check (biome)"
    npx --no-install biome ci .
    lint_workflows
    say "type check (tsc)"
    npx --no-install tsc -p tsconfig.json --noEmit
    npx --no-install tsc -p edge/worker/tsconfig.json --noEmit
    say "tests (vitest: unit, program, providers, e2e)"
    exec npx --no-install vitest run "$@"
    ;;
  bench)
    # bootstrap.sh bench [up-floor|stack-size|driver-step]
    exec node "dist/bench/${1:-up-floor}.js"
    ;;
  env)
    printf 'export PATH=%q\nexport PULUMI_SKIP_UPDATE_CHECK=true\nexport PULUMI_BACKEND_URL=%q\n' \
      "$PATH" "${PULUMI_BACKEND_URL:-file://$ROOT/.glidepath/pulumi}"
    printf '# for the local stack only: export PULUMI_CONFIG_PASSPHRASE=glidepath-local-development\n'
    ;;
  *)
    say "unknown command '$cmd' (run | test | bench | env)"
    exit 2
    ;;
esac

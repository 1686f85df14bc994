#!/usr/bin/env bash
# Maps the exit code of `glidepath rollout` to a CI job outcome (the example workflow in
# .github/workflows/rollout.yml calls it right after the rollout step):
#   rollout-outcome.sh EXIT_CODE [REPORT_JSON]
# Prints one GitHub Actions annotation (::notice or ::error) and, where $GITHUB_STEP_SUMMARY is
# set, one line of the job summary; exits 0 for a promotion and with EXIT_CODE otherwise, so
# every failed rollout fails its job. Only fixed text, the stack, the outcome and the error code
# of the report are printed (never the report's free-text message), so nothing in the report
# can inject a workflow command.
set -euo pipefail

code=${1:?usage: rollout-outcome.sh EXIT_CODE [REPORT_JSON]}
report=${2:-}
stack=${GLIDEPATH_STACK:-?}

# outcome and error code of the report, each only if it has the expected shape.
outcome=
error=
if [ -n "$report" ] && [ -s "$report" ] && command -v node >/dev/null; then
  read -r outcome error < <(node -e '
    let r = {};
    try { r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); } catch {}
    const o = /^[a-z_]+$/.test(r.outcome ?? "") ? r.outcome : "-";
    const e = /^GP_[A-Z_]+$/.test(r.error?.code ?? "") ? r.error.code : "-";
    console.log(o, e);' "$report") || true
fi
[ "$outcome" = - ] && outcome=
[ "$error" = - ] && error=
detail=${error:+ ($error${outcome:+, outcome $outcome})}

case "$code" in
  0)
    level=notice
    text="promoted: every step passed its SLO gate; stack $stack serves the new version"
    ;;
  1)
    level=error
    if [ "$outcome" = rolled_back ] || [ "$error" = GP_GATE_FAILED ] || [ "$error" = GP_RAMP_ABORTED ]; then
      text="rolled back, stack green$detail: the ramp failed (gate or error) and stack $stack is on the green state it started from; read artifacts/rollout-report.json"
    else
      text="failed before any canary was live, stack green$detail: nothing is half-done on stack $stack; read the error in artifacts/rollout-stdout.json"
    fi
    ;;
  2)
    level=error
    text="bad input$detail: the command was refused and nothing changed on stack $stack; fix the input (version, config, secrets) and dispatch again"
    ;;
  3)
    level=error
    text="ROLLBACK FAILED: page a human$detail. Stack $stack is not on its last green state and a canary may be live; run 'glidepath status --stack $stack', fix the cause, then dispatch the same version again (it finishes the rollback first)"
    ;;
  4)
    level=error
    text="internal error of glidepath$detail: a bug; the stack may need 'glidepath status --stack $stack'; report it with the artifacts"
    ;;
  130 | 143)
    level=error
    text="interrupted (signal)$detail: a live canary was rolled back before exit; stack $stack is on its last green state (run 'glidepath status --stack $stack' to confirm)"
    ;;
  *)
    level=error
    text="unexpected exit code $code$detail (killed?): the ramp may be mid-way on stack $stack; run 'glidepath status --stack $stack', then dispatch the same version again to resume it or 'glidepath rollback --stack $stack' to end it on green"
    ;;
esac

printf '::%s title=glidepath rollout (exit %s)::%s\n' "$level" "$code" "$text"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  printf -- '- **%s** rollout, exit %s: %s\n' "$stack" "$code" "$text" >>"$GITHUB_STEP_SUMMARY"
fi
[ "$code" = 0 ] || exit "$code"

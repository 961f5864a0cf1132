#!/usr/bin/env bash
# Set up, then run the main job. Add a command with one more `step` line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash "$ROOT/scripts/setup.sh"

export VIRTUAL_ENV="$ROOT/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"

step() {
    printf '\n== %s\n' "$*"
    "$@"
}

# The spec, its features, and every cited heading against the manual in the repository.
step otpspec validate --manual docs/manual/otp-app-user-manual-ja.txt
# The reference behind the subprocess adapter on two workers: the protocol is what gets
# proven here. Writes reports/ (results.json, report.html, junit.xml, cucumber.json, …).
step otpspec conform --impl "otpspec serve" -n 2 --report reports
# Screen-flow diagrams as DOT, SVG and PNG, Mermaid and SCXML, with the coverage overlay
# conform just measured.
step otpspec render --out reports/screen-flow --coverage reports/coverage.json

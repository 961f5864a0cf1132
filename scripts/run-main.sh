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

step otpspec validate
# The reference behind the subprocess adapter: the protocol is what gets proven here.
step otpspec conform --impl "otpspec serve" --report reports
# Diagrams as SVG and PNG, keeping the coverage overlay conform just measured.
step otpspec render --coverage reports/coverage.json

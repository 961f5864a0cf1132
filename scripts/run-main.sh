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

#!/usr/bin/env bash
# Set up, then run every check: ruff lint, ruff format check, mypy, pytest.
# All checks run; the script exits non-zero if any of them failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash "$ROOT/scripts/setup.sh"

export VIRTUAL_ENV="$ROOT/.venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"

failed=()
check() {
    printf '\n== %s\n' "$*"
    "$@" || failed+=("$*")
}

check ruff check .
check ruff format --check .
check mypy statechart harness

# pytest last, so its summary is the closing line of a successful run.
printf '\n== pytest\n'
status=0
pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "run-tests: pytest collected no tests; that counts as a failure" >&2
    failed+=("pytest (no tests collected)")
elif [ "$status" -ne 0 ]; then
    failed+=("pytest (exit $status)")
fi

if [ "${#failed[@]}" -ne 0 ]; then
    printf 'run-tests: FAILED: %s\n' "${failed[@]}" >&2
    exit 1
fi

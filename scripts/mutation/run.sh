#!/usr/bin/env bash
# The mutation run of issue 11 (tox -e mutation): cosmic-ray over the reference's behaviour
# modules, the conformance run as the test, two workers. About an hour on 2 cores.
#
#   bash scripts/mutation/run.sh [WORKDIR [PERMILLE]]
#
# WORKDIR defaults to .mutation (git-ignored); PERMILLE overrides the config's sample (a
# pilot: `run.sh /tmp/pilot 10`, whose report goes to WORKDIR/README.md, not reports/).
#
# 1. scope.py makes WORKDIR/session.sqlite: every mutant, less those in annotations, in
#    the fixture reader and outside the sample (scripts/mutation/cosmic-ray.toml). An
#    existing session is resumed instead: only its pending mutants run, and first
#    `scope.py --reopen` makes pending again the survivors that survivors.yaml says a new
#    check kills (so the score counts what the suite does now) and any worker failure.
#    Delete WORKDIR to start over.
# 2. Two copies of the tree (tracked and untracked, not ignored files), one per worker:
#    cosmic-ray changes a module on disk while its test runs.
# 3. Two `cosmic-ray http-worker`s on loopback, `cosmic-ray exec`, then the workers stop.
# 4. report.py writes reports/mutation/README.md from the session and survivors.yaml.
set -euo pipefail

# All in one function, read whole before it runs: editing this file during a run is safe.
main() {
    ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    cd "$ROOT"
    WORK="$(realpath -m "${1:-.mutation}")"
    PERMILLE="${2:-}"
    CONFIG="$ROOT/scripts/mutation/cosmic-ray.toml"
    SESSION="$WORK/session.sqlite"
    PORTS=(9876 9877)
    # Each mutant is written over a module and put back within seconds: no bytecode cache
    # that a same-sized mutant written in the same second could be served from.
    export PYTHONDONTWRITEBYTECODE=1
    mkdir -p "$WORK"

    if [ ! -f "$SESSION" ]; then
        python scripts/mutation/scope.py "$CONFIG" "$SESSION" $PERMILLE
    else
        python scripts/mutation/scope.py --reopen "$CONFIG" "$SESSION"
    fi
    pending=$(python scripts/mutation/scope.py --pending "$SESSION")

    pids=()
    stop_workers() {
        for pid in "${pids[@]}"; do
            kill "$pid" 2>/dev/null || true
        done
        for pid in "${pids[@]}"; do
            wait "$pid" 2>/dev/null || true
        done
    }
    trap stop_workers EXIT

    if [ "$pending" -gt 0 ]; then
        for port in "${PORTS[@]}"; do
            tree="$WORK/tree-$port"
            rm -rf "$tree"
            mkdir -p "$tree"
            git ls-files -z --cached --others --exclude-standard \
                | tar --null -T - -cf - | tar -xf - -C "$tree"
            (cd "$tree" && exec cosmic-ray http-worker --port "$port" >"$WORK/worker-$port.log" 2>&1) &
            pids+=("$!")
        done
        sleep 3

        start=$(date +%s)
        cosmic-ray exec "$CONFIG" "$SESSION"
        echo "$(date -u +%FT%TZ): ${pending} mutants in $(( $(date +%s) - start )) s" \
            | tee -a "$WORK/exec-seconds.txt"
        stop_workers
        rm -rf "${WORK:?}"/tree-*
    fi
    trap - EXIT

    if [ -z "$PERMILLE" ]; then
        python scripts/mutation/report.py "$CONFIG" "$SESSION" reports/mutation/README.md
    else
        python scripts/mutation/report.py "$CONFIG" "$SESSION" "$WORK/README.md"
    fi
}

main "$@"

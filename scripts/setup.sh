#!/usr/bin/env bash
# Set up a machine for otpspec: system packages (Graphviz, a Japanese font; Python 3.11 and
# its venv module where the machine lacks them) and the project's virtualenv at .venv with
# `pip install -e '.[dev]'`.
# Idempotent; runs as root on Debian 12 with Python >= 3.11 on PATH; works from any cwd.
# A repeat run skips apt when `dot` and a Japanese font are present, and skips pip when
# pyproject.toml has not changed since the last successful install.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

log() { printf 'setup: %s\n' "$*" >&2; }

# --- system packages --------------------------------------------------------------
have_system_deps() {
    command -v dot >/dev/null 2>&1 || return 1
    dot -V >/dev/null 2>&1 || return 1
    command -v fc-list >/dev/null 2>&1 || return 1
    # The diagrams name IPAPGothic (harness/diagrams/draw.py FONT): another Japanese font is not enough.
    fc-list :lang=ja family 2>/dev/null | grep -q IPAPGothic || return 1
}

apt_updated=""
apt_install() {
    if [ "$(id -u)" -ne 0 ]; then
        log "need root to apt-get install $*"
        exit 1
    fi
    log "installing $* with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$apt_updated" ]; then
        apt-get update -qq
        apt_updated=1
    fi
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if have_system_deps; then
    log "graphviz and a Japanese font already present; skipping apt"
else
    apt_install graphviz fonts-ipafont-gothic fontconfig
    fc-cache -f >/dev/null 2>&1 || true
    have_system_deps || { log "system packages still missing after apt-get"; exit 1; }
fi

# --- Python virtualenv ------------------------------------------------------------
VENV="$ROOT/.venv"
STAMP="$VENV/.otpspec-installed"

pick_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3 python; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    # Debian 12's own python3 is 3.11, but its venv module (with pip) is a package apart.
    if ! PY="$(pick_python)"; then
        apt_install python3 python3-venv
        PY="$(pick_python)" || { log "no Python >= 3.11 on PATH"; exit 1; }
    fi
    if ! "$PY" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        apt_install python3-venv
    fi
    log "creating virtualenv at .venv with $PY"
    rm -rf "$VENV"
    "$PY" -m venv "$VENV"
fi

want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [ "$want" = "$have" ]; then
    log "virtualenv up to date with pyproject.toml; skipping pip"
else
    log "installing otpspec and its dev extras into .venv"
    rm -f "$STAMP"
    # This machine's pip config names local index folders that may be absent; drop the
    # resulting "Location ... is ignored" warnings and keep everything else on stderr.
    { "$VENV/bin/python" -m pip install -q -e '.[dev]' 2>&1 1>&3 \
        | sed -u '/is ignored: it is neither a file nor a directory/d' >&2; } 3>&1
    echo "$want" > "$STAMP"
fi

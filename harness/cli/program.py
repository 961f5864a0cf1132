"""The `otpspec` program: what the console script and `python -m harness.cli` call.

The commands are imported only once this runs, so that an environment that lacks one of
otpspec's declared dependencies (a hand-made one, or `pip install --no-deps`) says which
module is missing and how to install otpspec, not a Python traceback from an import.
"""

from __future__ import annotations

import gc
import sys
from typing import Final

__all__ = ["EXIT_NOT_INSTALLED", "entry"]

_OURS: Final = frozenset({"harness", "statechart"})

EXIT_NOT_INSTALLED: Final = 3
"""The exit status when a package otpspec needs is missing (`otpspec --help`: 3, an
internal error)."""


def entry() -> int:
    """Runs `otpspec` with the process's arguments, then exits quickly.

    The interpreter's last garbage collection would scan everything a conformance run left
    (about 0.6 s after the full run); frozen, it has nothing to scan. Only the program does
    this, not `commands.main`, which may be called again in the same process.
    """
    try:
        from harness.cli.commands import main
    except ModuleNotFoundError as missing:
        if (missing.name or "").split(".")[0] in _OURS:
            raise  # otpspec itself is broken, not an environment without a dependency
        print(_not_installed(missing.name or str(missing)), file=sys.stderr)
        return EXIT_NOT_INSTALLED
    code = main()
    gc.freeze()
    return code


def _not_installed(module: str) -> str:
    return (
        f"otpspec: cannot start: cannot import {module.split('.')[0]!r}, which one of "
        f"otpspec's dependencies provides, with {sys.executable}. Install otpspec with "
        "its dependencies "
        "(`pip install otpspec`; in a checkout, `bash scripts/setup.sh`, then run "
        "`.venv/bin/otpspec`)"
    )

"""The generated checks of the shipped spec, computed once when the package is built.

Generating the checks explores the reference (about 6 s on the project's 2-core machine), and
every pytest-xdist worker would do it again in a cold run. The set for the shipped spec and
the default walk fixtures is kept as package data beside this module, with the fingerprint
it was made for: the spec files and the code that generates the set. A run whose spec or
code differs (a vendor's `--spec`, a declaration that rewrites fixtures, an edit) computes
its own set; tests/generation checks that the shipped file is current.

Regenerate: `python -m harness.generation.shipped`.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any, Final

from harness.generation.checks import GeneratedCheck, generate_checks
from harness.generation.fixtures import FIXTURES
from statechart.loader import load_spec
from statechart.model import Spec

__all__ = [
    "SHIPPED_NAME",
    "fingerprint",
    "read_data",
    "shipped_checks",
    "write_data",
    "write_shipped",
]

SHIPPED_NAME: Final = "generated-checks.json.gz"
_CODE: Final = ("harness/generation", "statechart")


def fingerprint(spec: Spec, code: Sequence[str] = _CODE) -> str:
    """What a shipped set depends on: the spec files and the code that makes it.

    Args:
        spec: The spec.
        code: Packages (every module in them) and modules, relative to the project root
            (default: what generates the checks).
    """
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    paths = sorted(p for p in (spec.directory or Path()).glob("*.yaml"))
    for part in code:
        paths += [root / part] if part.endswith(".py") else sorted((root / part).glob("*.py"))
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_data(package: str, name: str) -> dict[str, Any] | None:
    """Shipped data (gzipped JSON) of a package, or None when it is missing or unreadable."""
    resource = files(package) / name
    try:
        data = json.loads(gzip.decompress(resource.read_bytes()).decode("utf-8"))
    except (OSError, EOFError, ValueError):  # EOFError: a file cut short
        return None
    return data if isinstance(data, dict) else None


def write_data(data: dict[str, Any], path: Path) -> Path:
    """Writes shipped data as gzipped JSON, the same bytes for the same data."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    return path


def shipped_checks(spec: Spec, stamp: str) -> tuple[GeneratedCheck, ...] | None:
    """The shipped set when it was made for this fingerprint (default fixtures), else None."""
    data = read_data("harness.generation", SHIPPED_NAME)
    if data is None or data.get("fingerprint") != stamp:
        return None
    try:
        return tuple(GeneratedCheck.from_json(c, spec, FIXTURES) for c in data["checks"])
    except (KeyError, TypeError, ValueError):
        return None


def write_shipped(target: Path | None = None) -> Path:
    """Computes the set of the shipped spec and writes it beside this module."""
    spec = load_spec()
    checks = generate_checks(spec).checks
    data = {"fingerprint": fingerprint(spec), "checks": [c.to_json() for c in checks]}
    return write_data(data, target or Path(__file__).with_name(SHIPPED_NAME))


if __name__ == "__main__":
    print(write_shipped(), file=sys.stderr)

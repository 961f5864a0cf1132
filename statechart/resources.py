"""Where the shipped spec is: package data of `statechart.spec`, found with importlib.resources.

In the repository the spec stays at the top level (`spec/`); `pyproject.toml` maps it to the
package `statechart.spec`, so an installed `otpspec` carries it and an editable install
reads the checkout's files. Nothing here looks beside the package for a repository.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Final

__all__ = ["SCHEMA_DIR", "SPEC_DIR"]


def _directory(package: str) -> Path:
    # An unzipped install (pip's only kind) gives a real directory; the loader needs paths
    # for its file:line locations.
    return Path(str(files(package)))


SPEC_DIR: Final = _directory("statechart.spec")
"""The shipped spec directory (statechart.yaml, errors.yaml, …)."""

SCHEMA_DIR: Final = SPEC_DIR / "schemas"
"""The JSON Schemas of the spec files, the fixture and the protocol."""

"""Where the harness's shipped data is: the features and the report templates.

Found with importlib.resources: in the repository the features stay at the top level
(`features/`), mapped by `pyproject.toml` to the package `harness.features`; an installed
`otpspec` carries them, and an editable install reads the checkout's files.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Final

__all__ = ["FEATURES_DIR", "TEMPLATES_DIR"]


def _directory(package: str) -> Path:
    # pip installs unzipped, so the data is a real directory; feature files and reports
    # name their paths.
    return Path(str(files(package)))


FEATURES_DIR: Final = _directory("harness.features")
"""The shipped feature files, one per manual procedure."""

TEMPLATES_DIR: Final = _directory("harness.reports") / "templates"
"""The HTML report templates (Jinja2)."""

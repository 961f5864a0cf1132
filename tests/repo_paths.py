"""Paths of the repository the tests run in (the shipped data is found by importlib.resources;
these are the checkout's own files, for tests that compare the two or read the docs)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
SPEC_DIR: Final = REPO_ROOT / "spec"
FEATURES_DIR: Final = REPO_ROOT / "features"
DOCS_DIR: Final = REPO_ROOT / "docs"
MANUAL: Final = DOCS_DIR / "manual" / "otp-app-user-manual-ja.txt"
"""The manual, kept in the repository (not in the package: its notice forbids reproduction)."""

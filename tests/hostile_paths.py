"""Paths that are not the regular files they are given as, for the tests of every reader
that must refuse them at file:line instead of blocking or reading without end."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

HostileFile = Callable[[Path], None]
"""Makes a path into something hostile."""


def fifo(path: Path) -> None:
    """A named pipe: opening it for reading would block."""
    os.mkfifo(path)


def dev_zero(path: Path) -> None:
    """A symbolic link to /dev/zero: reading it would never end."""
    path.symlink_to("/dev/zero")


def directory(path: Path) -> None:
    """A directory where a file is expected."""
    path.mkdir()


def too_large(limit: int) -> HostileFile:
    """A maker of a file one byte over `limit` (sparse: nothing is written)."""

    def make(path: Path) -> None:
        with path.open("wb") as file:
            file.truncate(limit + 1)

    return make

"""Putting a run's report files in place whole, or not at all.

The files are written into a scratch directory beside the target first; then, with SIGINT
and SIGTERM held back for the moment it takes, each is moved into place (an atomic rename)
and the files the previous run left that this one did not write are removed (a manifest
names them). An interrupted run leaves either the previous run's reports or this run's,
never a mix, and never a half-written file.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Final

from statechart.files import directory_problem

__all__ = ["MANIFEST", "ReportDirError", "check_writable", "publish"]

MANIFEST: Final = ".otpspec-reports.json"
"""The list of files the last run wrote into a report directory (for removing stale ones)."""
_HELD: Final = (signal.SIGINT, signal.SIGTERM)


class ReportDirError(Exception):
    """The report directory cannot be made or written: one line for the user."""


def check_writable(directory: Path) -> None:
    """Makes the directory if needed and proves it can be written, before a run starts.

    Raises:
        ReportDirError: It cannot be made, or a file cannot be created in it.
    """
    hint = "give a writable directory with --report"
    why = directory_problem(directory) if directory.exists() or directory.is_symlink() else ""
    if why:  # a file or a FIFO in the way: say what it is, not only "File exists"
        raise ReportDirError(f"cannot write reports into {directory}: it {why}; {hint}")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".otpspec-probe-"):
            pass
    except OSError as error:
        reason = error.strerror or error
        raise ReportDirError(f"cannot write reports into {directory}: {reason}; {hint}") from None


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Holds SIGINT and SIGTERM back (they are delivered when the block ends)."""
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    except (AttributeError, ValueError, OSError):  # not the main thread, or no such call
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _previous(directory: Path) -> list[str]:
    try:
        listed = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(listed, list):
        return []
    return [name for name in listed if isinstance(name, str) and ".." not in Path(name).parts]


def _swap(names: list[str], scratch: Path, directory: Path) -> None:
    """Moves each scratch file into place; on any failure puts every old file back."""
    backup = scratch / ".previous"
    blocked = [name for name in names if (directory / name).is_dir()]
    if blocked:  # never move a directory of the user's aside
        raise IsADirectoryError(21, "a directory is in the way", str(directory / blocked[0]))
    moved: list[tuple[str, bool]] = []  # name, whether an old file was set aside
    try:
        for name in names:
            target, old = directory / name, backup / name
            target.parent.mkdir(parents=True, exist_ok=True)
            had = target.exists() or target.is_symlink()
            if had:
                old.parent.mkdir(parents=True, exist_ok=True)
                os.replace(target, old)
            moved.append((name, had))
            os.replace(scratch / name, target)
    except OSError:
        for name, had in reversed(moved):
            with contextlib.suppress(OSError):
                if (directory / name).is_file():
                    (directory / name).unlink()
                if had:
                    os.replace(backup / name, directory / name)
        raise


def publish(files: Mapping[str, str | bytes], directory: Path) -> list[Path]:
    """Writes report files under `directory`, all at once.

    Args:
        files: Relative path (`report.html`, `diagrams/overview.svg`) → content.
        directory: The report directory (made if missing).

    Returns:
        The files written, in the order given.

    Raises:
        ReportDirError: The directory or a file cannot be written (nothing is changed).
    """
    check_writable(directory)
    scratch = Path(tempfile.mkdtemp(dir=directory, prefix=".otpspec-new-"))
    try:
        for name, content in files.items():
            target = scratch / name
            target.parent.mkdir(parents=True, exist_ok=True)
            data = content.encode("utf-8") if isinstance(content, str) else content
            target.write_bytes(data)
        (scratch / MANIFEST).write_text(json.dumps(sorted(files)), encoding="utf-8")
        stale = [name for name in _previous(directory) if name not in files]
        with _signals_held():
            _swap([*files, MANIFEST], scratch, directory)
            for name in stale:
                with contextlib.suppress(OSError):
                    (directory / name).unlink()
    except OSError as error:
        raise ReportDirError(
            f"cannot write reports into {directory}: {error.strerror or error}"
        ) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [directory / name for name in files]

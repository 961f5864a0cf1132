"""The garbage collector during a run.

A conformance run holds a large heap that lives as long as the run: the loaded spec, the
collected items, every record so far. CPython's cyclic collector scans the whole oldest
generation each time it grows by a quarter, and on the full run that cost about 2 s of
12 (`benchmarks/conform_runs.py`). So once collection is over, what exists is frozen
(`gc.freeze`: never scanned, still freed by reference counting) and the thresholds are
raised. Both are undone at the very end of the session (after pytest's own last
collections, which then skip the frozen heap), so a process that runs pytest several times
(`otpspec conform` with several `--impl`) gets its collector back. A session inside another
(pytester's in-process runs) leaves the heap frozen for the outer one to give back: a
collector can only be unfrozen whole.
"""

from __future__ import annotations

import gc
from typing import Final

import pytest

THRESHOLDS: Final = (10_000, 20, 100)
"""Allocations before a young collection, and collections before an older one (CPython's
defaults are 700, 10, 10)."""


class CollectorTuning:
    """A pytest plugin: freezes the heap after collection, restores the collector at the end.

    Args:
        config: The run's config; the restoring is its cleanup. Give it from the first
            `pytest_configure`: cleanups run last-added first, and pytest's
            unraisableexception plugin adds one that collects the whole heap, which is cheap
            only while the heap is still frozen.
    """

    def __init__(self, config: pytest.Config) -> None:
        self._saved: tuple[int, int, int] | None = None
        self._was_frozen = False
        config.add_cleanup(self.restore)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Freezes what collection left, and raises the thresholds for the run."""
        if self._saved is None:
            self._saved = gc.get_threshold()
            self._was_frozen = gc.get_freeze_count() > 0
            gc.freeze()
            gc.set_threshold(*THRESHOLDS)

    def restore(self) -> None:
        """Gives the collector back as it was."""
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            if not self._was_frozen:
                gc.unfreeze()
            self._saved = None

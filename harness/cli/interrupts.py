"""Ctrl-C and SIGTERM during `otpspec conform`: one orderly stop, nothing left half done."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any, Final, Self

import pytest

__all__ = ["Interrupts"]

_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)
_NOTE: Final = (
    b"otpspec conform: interrupted; stopping the implementation and writing the reports of "
    b"the run so far (a few seconds)\n"
)


class Interrupts:
    """Turns SIGINT and SIGTERM (what a CI sends to cancel) into one orderly stop of a run.

    The first signal raises KeyboardInterrupt, as Ctrl-C does: pytest ends the run, and
    the plugin stops the implementation (EOF, TERM, wait, KILL) and writes the reports of
    the run so far. A later signal, or any signal once pytest has begun to finish the
    session (stopping the implementation, writing the reports), is noted and waits for
    that to end: cutting it short would leave the implementation running or the reports
    half old, half new. A signal that comes while the report files are moved into place
    (signals held in this thread) is delivered once they are.

    Use it as a context manager around the runs (main thread only; elsewhere it does
    nothing) and pass it to pytest.main as a plugin (`plugins=[interrupts]`).

    Attributes:
        signum: The first signal received, or None.
        finishing: Whether the current pytest session has begun to finish.
    """

    def __init__(self, stderr_fd: int = 2) -> None:
        self.signum: int | None = None
        self.finishing = False
        self._fd = stderr_fd
        self._noted = False
        self._previous: dict[signal.Signals, Callable[[int, FrameType | None], Any] | int] = {}

    @property
    def name(self) -> str:
        """The first signal's name (SIGINT, SIGTERM), or ""."""
        return "" if self.signum is None else signal.Signals(self.signum).name

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            for sig in _SIGNALS:
                handler = signal.getsignal(sig)
                if handler is not None:  # None: installed outside Python; left alone
                    self._previous[sig] = handler
                    signal.signal(sig, self._handle)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self) -> None:
        """A new run (conform runs pytest once per implementation)."""
        self.finishing = False

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self) -> None:
        """From here on a signal no longer cuts the run short: it ends by itself."""
        self.finishing = True

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if signum in signal.pthread_sigmask(signal.SIG_BLOCK, []):
            # Held in this thread (reports being moved into place), but taken by another
            # thread: deliver it again here, where it waits until it is let through.
            signal.pthread_kill(threading.get_ident(), signum)
            return
        first = self.signum is None
        if first:
            self.signum = signum
        if first and not self.finishing:
            raise KeyboardInterrupt
        if not self._noted:
            self._noted = True
            with contextlib.suppress(OSError):
                os.write(self._fd, _NOTE)

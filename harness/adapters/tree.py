"""Every process an implementation started, found and ended (the one module that uses psutil).

An implementation may start helpers, and a helper may leave the implementation's process
group and session (`setsid`) and be re-parented to init when its parent ends. Killing the
process group alone lets such a helper escape, with the implementation's stdout still open.
So each implementation runs with a mark in its environment, which every descendant inherits
(unless it clears its environment), and the tree is: its descendants while they are still
linked to it, its process group, and every process of this user that carries the mark.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
from collections.abc import Mapping

import psutil

__all__ = ["MARK", "ProcessTree", "marked_environment"]

MARK = "OTPSPEC_IMPLEMENTATION"
"""The environment variable that marks an implementation's processes (its value: a token)."""


def marked_environment(env: Mapping[str, str] | None) -> tuple[dict[str, str], str]:
    """A copy of the environment (default: this process's) with a fresh mark, and the mark."""
    token = f"{os.getpid()}-{secrets.token_hex(8)}"
    return {**(os.environ if env is None else env), MARK: token}, token


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class ProcessTree:
    """An implementation's process and every process it started.

    Args:
        pid: The implementation's process (a session and group leader: start_new_session).
        token: The value of MARK in its environment.
    """

    def __init__(self, pid: int, token: str) -> None:
        self.pid = pid
        self.token = token
        self._known: dict[int, psutil.Process] = {}
        with contextlib.suppress(psutil.Error):  # taken now: its pid may be reused once reaped
            self._known[pid] = psutil.Process(pid)

    def members(self) -> list[psutil.Process]:
        """The processes of the tree that are still running (the root included, if it is).

        Descendants found once are remembered, so one that was re-parented since is still
        found (psutil checks a remembered process's start time, so a reused pid is not).
        """
        self._find_descendants()
        self._find_marked()
        found = [process for process in self._known.values() if _alive(process)]
        self._known = {process.pid: process for process in found}
        return found

    def signal(self, sig: signal.Signals) -> None:
        """Sends a signal to the process group and to every member."""
        with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone
            os.killpg(self.pid, sig)
        for process in self.members():
            with contextlib.suppress(psutil.Error):
                process.send_signal(sig)

    def kill(self, wait: float) -> list[int]:
        """SIGKILLs every member and waits (at most `wait` s) for them to end.

        Returns:
            The pids still running afterwards (none, unless the kernel is stuck).
        """
        self.signal(signal.SIGKILL)
        left = self.members()
        _, alive = psutil.wait_procs(left, timeout=wait)
        return [process.pid for process in alive if _alive(process)]

    def _find_descendants(self) -> None:
        for process in list(self._known.values()):
            with contextlib.suppress(psutil.Error):
                for child in process.children(recursive=True):
                    self._known.setdefault(child.pid, child)

    def _find_marked(self) -> None:
        for process in psutil.process_iter():
            if process.pid in self._known or process.pid == os.getpid():
                continue
            with contextlib.suppress(psutil.Error, OSError):
                if process.environ().get(MARK) == self.token:
                    self._known[process.pid] = process

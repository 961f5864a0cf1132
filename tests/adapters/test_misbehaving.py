"""Implementations that misbehave in ways that used to fool or hang the adapter (issue 13).

Item 7: a helper that leaves the session (setsid) and holds stdout open is found and ended.
Item 8: after a few failures in a row the implementation counts as broken, with evidence.
Item 9: a closed stdin, stray stdout output, a wrong id and half a line are named as such.
After every test no process started by this test process is left (`leftovers`).
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from harness.adapters import ImplementationFailure, SubprocessAdapter
from harness.adapters.base import BREAK_AFTER
from harness.adapters.tree import MARK

IMPLS = Path(__file__).resolve().parent / "impls"
TIMEOUT = 1.0
START_TIMEOUT = 30.0
FIXTURE = {"now": "2026-04-01T09:00:00+09:00"}

Make = Callable[..., SubprocessAdapter]


def leftovers() -> list[int]:
    """Running processes that carry an implementation mark of this test process."""
    mine = f"{os.getpid()}-"
    found = []
    for process in psutil.process_iter():
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
            if process.environ().get(MARK, "").startswith(mine):
                found.append(process.pid)
        except psutil.Error:
            continue
    return found


def _dead(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.fixture
def make() -> Iterator[Make]:
    """Makes adapters for scripts in impls/; closes them; checks that nothing is left."""
    made: list[SubprocessAdapter] = []

    def build(script: str, *args: str, **options: Any) -> SubprocessAdapter:
        settings = {"timeout": TIMEOUT, "start_timeout": START_TIMEOUT, "grace": 0.2} | options
        adapter = SubprocessAdapter([sys.executable, str(IMPLS / script), *args], **settings)
        made.append(adapter)
        return adapter

    yield build
    for adapter in made:
        adapter.close()
    assert not leftovers(), "processes left behind"


def _failure(call: Callable[[], object]) -> ImplementationFailure:
    with pytest.raises(ImplementationFailure) as caught:
        call()
    return caught.value


def _said(adapter: SubprocessAdapter, word: str) -> int:
    """The pid the implementation said on stderr after `word` (read by a thread)."""
    until = time.monotonic() + 5.0
    while (found := re.search(rf"{word} (\d+)", adapter.stderr_tail())) is None:
        assert time.monotonic() < until, adapter.stderr_tail()
        time.sleep(0.01)
    return int(found[1])


def _helper(adapter: SubprocessAdapter) -> int:
    return _said(adapter, "helper")


# ---- item 7


class TestHelpersThatLeaveTheSession:
    @pytest.mark.parametrize("mode", [(), ("double",)])
    def test_close_ends_the_helper(self, make: Make, mode: tuple[str, ...]) -> None:
        adapter = make("setsid_helper.py", *mode)
        assert adapter.reset(FIXTURE)["app"] == "closed"
        helper = _helper(adapter)
        assert not _dead(helper)
        started = time.monotonic()
        adapter.close()
        assert time.monotonic() - started < 3.0
        assert _dead(helper)

    @pytest.mark.parametrize("mode", [(), ("double",)])
    def test_a_crash_is_seen_at_once_and_the_helper_ended(
        self, make: Make, mode: tuple[str, ...]
    ) -> None:
        adapter = make("setsid_helper.py", "crash", *mode, timeout=20.0)
        adapter.reset(FIXTURE)
        helper = _helper(adapter)
        started = time.monotonic()
        failure = _failure(lambda: adapter.tap("設定"))
        assert time.monotonic() - started < 3.0  # not the 20 s timeout
        assert failure.kind == "crashed"
        assert "exited with status 4 before answering" in failure.message
        assert "a process it started still holds its stdout open" in failure.message
        assert _dead(helper)
        assert adapter.observe()["app"] == "closed"  # a fresh process, a fresh helper
        assert _helper(adapter) != helper


class TestStoppingUnderSignals:
    def test_an_interrupt_during_the_stop_waits_for_it(self, make: Make) -> None:
        """Ctrl-C while a stubborn process is being stopped: the stop finishes, then the
        interrupt comes (it used to cut the stop short and leave the process running)."""
        adapter = make("ignores_sigterm.py", grace=0.5)
        adapter.observe()
        pid = adapter.pid
        assert pid is not None
        child = _said(adapter, "child")
        timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            adapter.close()
        timer.join()
        assert time.monotonic() - started >= 0.9  # both grace periods ran
        assert _dead(pid)
        assert _dead(child)


# ---- item 8


class TestBreaker:
    def test_always_ok_is_broken_after_three_failures(self, make: Make) -> None:
        adapter = make("always_ok.py", max_failures=BREAK_AFTER)
        for attempt in range(BREAK_AFTER):
            failure = _failure(lambda: adapter.reset(FIXTURE))
            assert failure.kind == "garbage"
            assert ("no further process is started" in failure.message) == (
                attempt == BREAK_AFTER - 1
            )
        assert len(adapter.pids) == BREAK_AFTER
        started = time.monotonic()
        for _ in range(50):
            broken = _failure(adapter.observe)
            assert broken.kind == "broken"
        assert time.monotonic() - started < 0.5
        assert len(adapter.pids) == BREAK_AFTER  # no further process
        assert broken.message.startswith(f"implementation broken after {BREAK_AFTER} consecutive")
        assert broken.message.count("garbage: request") == BREAK_AFTER
        assert "required key 'view'" in broken.message
        assert adapter.broken == broken.message

    def test_a_good_answer_resets_the_count(self, make: Make) -> None:
        adapter = make("crashes_on_tap.py", max_failures=BREAK_AFTER)
        for _ in range(BREAK_AFTER + 2):
            adapter.reset(FIXTURE)  # answered: the implementation works
            assert _failure(lambda: adapter.tap("設定")).kind == "crashed"
        assert adapter.broken == ""
        assert adapter.observe()["app"] == "closed"

    def test_a_greeting_alone_does_not_reset_it(self, make: Make) -> None:
        adapter = make("invalid_views.py", max_failures=BREAK_AFTER)
        for _ in range(BREAK_AFTER):  # each fresh process answers hello properly
            assert _failure(adapter.launch).kind == "garbage"
        assert _failure(adapter.launch).kind == "broken"

    def test_failures_to_start_count(self) -> None:
        adapter = SubprocessAdapter(["otpspec-no-such-command"], max_failures=2)
        assert _failure(adapter.observe).kind == "refused_start"
        assert _failure(adapter.observe).kind == "refused_start"
        broken = _failure(adapter.observe)
        assert broken.kind == "broken"
        assert broken.message.count("refused_start: cannot start") == 2

    def test_without_a_limit_it_never_breaks(self, make: Make) -> None:
        adapter = make("always_ok.py")
        for _ in range(BREAK_AFTER + 1):
            assert _failure(adapter.launch).kind == "garbage"


# ---- item 9


class TestDiagnoses:
    def test_a_closed_stdin_is_named(self, make: Make) -> None:
        adapter = make("closes_stdin.py")
        adapter.launch()
        failure = _failure(adapter.observe)
        assert failure.kind == "crashed"
        assert "closed its stdin" in failure.message
        assert "stdout" not in failure.message
        assert "closes_stdin: closed stdin after launch" in failure.stderr_tail

    @pytest.mark.parametrize("mode", [(), ("split",)])
    def test_stray_output_is_named_with_both_lines(self, make: Make, mode: tuple[str, ...]) -> None:
        adapter = make("stray_stdout.py", *mode)
        failure = _failure(adapter.launch)
        assert failure.kind == "stray_output"
        assert "stray output to stdout before its answer: 'debug: launching the app'" in (
            failure.message
        )
        assert 'the answer came next: \'{"id": 1' in failure.message
        assert "write logs to stderr" in failure.message
        assert adapter.observe()["app"] == "closed"

    def test_a_wrong_id_alone_is_a_wrong_id(self, make: Make) -> None:
        adapter = make("wrong_id.py")
        failure = _failure(adapter.launch)
        assert failure.kind == "wrong_id"
        assert "the answer has id 1001, not 1" in failure.message

    def test_half_a_line_then_silence_is_a_timeout(self, make: Make) -> None:
        adapter = make("partial_line.py", "hang")
        failure = _failure(adapter.launch)
        assert failure.kind == "timeout"
        assert "partial_line: wrote" in failure.stderr_tail

    def test_half_a_line_then_exit_is_a_crash_quoting_it(self, make: Make) -> None:
        adapter = make("partial_line.py", "exit")
        failure = _failure(adapter.launch)
        assert failure.kind == "crashed"
        assert "exited with status 5 before answering (in the middle of the line" in (
            failure.message
        )
        assert '\'{"id": 1, "ok": true' in failure.message

"""Adapters: the reference in-process and over a subprocess, and misbehaving implementations.

Every subprocess a test starts must be gone when the test ends; the scripts in `impls/`
misbehave on cue (each is named after how it misbehaves).
"""

from __future__ import annotations

import gc
import os
import pickle
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.adapters import (
    FAILURE_KINDS,
    Adapter,
    CommandError,
    ImplementationError,
    ImplementationFailure,
    InProcessAdapter,
    SubprocessAdapter,
    adapter_for,
    parse_impl_command,
)
from harness.protocol import Request, dispatch
from statechart.model import Spec

ROOT = Path(__file__).resolve().parents[2]
IMPLS = Path(__file__).resolve().parent / "impls"
REFERENCE = [sys.executable, "-m", "harness.cli", "serve"]
NOW = "2026-04-01T09:00:00+09:00"
TIMEOUT = 0.5
START_TIMEOUT = 30.0  # a fresh interpreter on a busy machine; never reached by a good one
SESSION: list[tuple[str, dict[str, Any]]] = [
    ("reset", {"fixture": {"now": NOW}}),
    ("launch", {}),
    ("tap", {"target": "同意して進む"}),
    ("enter", {"field": "サービスID", "value": "MIRAI01"}),
    ("tap", {"target": "上記の内容に同意する"}),
    ("tap", {"target": "次へ"}),
    ("key", {"key": "back"}),
    ("tap", {"target": "いいえ"}),
    ("clock", {"advance": 30}),
    ("network", {"online": False}),
    ("observe", {}),
]

Make = Callable[..., SubprocessAdapter]


def _gone(pid: int) -> bool:
    """Whether our (reaped) child no longer exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _dead(pid: int) -> bool:
    """Whether a grandchild has ended (a zombie left to an init that does not reap counts)."""
    if _gone(pid):
        return True
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"


def _run(adapter: Adapter) -> list[object]:
    """Runs SESSION; returns each view, or (kind, message) for a refused request."""
    seen: list[object] = []
    for op, args in SESSION:
        try:
            seen.append(getattr(adapter, op)(**args))
        except ImplementationError as error:
            seen.append((error.kind, error.message))
    return seen


def _failure(call: Callable[[], object]) -> ImplementationFailure:
    with pytest.raises(ImplementationFailure) as caught:
        call()
    return caught.value


@pytest.fixture
def make() -> Iterator[Make]:
    """Makes adapters for scripts in impls/; closes them and checks no process is left."""
    made: list[SubprocessAdapter] = []

    def build(script: str, *args: str, **options: Any) -> SubprocessAdapter:
        settings = {"timeout": TIMEOUT, "start_timeout": START_TIMEOUT, "grace": 0.2} | options
        adapter = SubprocessAdapter([sys.executable, str(IMPLS / script), *args], **settings)
        made.append(adapter)
        return adapter

    yield build
    for adapter in made:
        adapter.close()
    left = [pid for adapter in made for pid in adapter.pids if not _gone(pid)]
    assert not left, f"processes left behind: {left}"


@pytest.fixture(scope="module")
def served() -> Iterator[SubprocessAdapter]:
    """The reference over `otpspec serve`, one process for the module (it starts slowly)."""
    adapter = SubprocessAdapter(REFERENCE, cwd=ROOT, start_timeout=START_TIMEOUT)
    with adapter:
        yield adapter
    assert adapter.pids and all(_gone(pid) for pid in adapter.pids)


class TestInProcessAdapter:
    def test_hello_names_the_reference(self, spec: Spec) -> None:
        hello = InProcessAdapter(spec).hello()
        assert hello["name"] == "otpspec-reference"
        assert "virtual_clock" in hello["capabilities"]

    def test_returns_views(self, spec: Spec) -> None:
        adapter = InProcessAdapter(spec)
        assert adapter.reset({"now": NOW})["app"] == "closed"
        assert adapter.launch()["screen"]["title"] == "プライバシーポリシーの確認"
        assert adapter.tap("同意して進む")["screen"]["title"] == "初期設定"

    def test_refusals_are_implementation_errors(self, spec: Spec) -> None:
        adapter = InProcessAdapter(spec)
        adapter.reset({"now": NOW})
        adapter.launch()
        with pytest.raises(ImplementationError) as caught:
            adapter.tap("次へ")
        assert caught.value.kind == "not_found"
        assert "「次へ」" in caught.value.message
        for call in (lambda: adapter.tap(""), adapter.clock):
            with pytest.raises(ImplementationError) as caught:
                call()
            assert caught.value.kind == "bad_request"

    def test_is_a_context_manager(self, spec: Spec) -> None:
        with InProcessAdapter(spec) as adapter:
            assert adapter.name == "reference"
            adapter.observe()
        adapter.close()  # a no-op, as often as wanted
        assert adapter.observe()["app"] == "closed"


class TestSubprocessAdapter:
    def test_the_reference_answers_as_in_process(
        self, served: SubprocessAdapter, spec: Spec
    ) -> None:
        in_process = InProcessAdapter(spec)
        assert served.hello() == in_process.hello()
        assert _run(served) == _run(in_process)
        assert served.implementation is not None
        assert served.implementation.name == "otpspec-reference"

    def test_a_refused_request_is_an_error_not_a_failure(self, served: SubprocessAdapter) -> None:
        served.reset({"now": NOW})
        served.launch()
        pid = served.pid
        with pytest.raises(ImplementationError) as caught:
            served.tap("次へ")
        assert caught.value.kind == "not_found"
        assert served.observe()["screen"]["title"] == "プライバシーポリシーの確認"
        assert (served.pid, served.restarts, served.failures) == (pid, 0, 0)

    def test_round_trip_time(self, served: SubprocessAdapter, spec: Spec) -> None:
        served.reset({"now": NOW})
        served.launch()
        in_process = InProcessAdapter(spec)
        in_process.reset({"now": NOW})
        in_process.launch()
        steps = 300
        for name, adapter in (("subprocess", served), ("in-process", in_process)):
            started = time.perf_counter()
            for _ in range(steps):
                adapter.observe()
            each = (time.perf_counter() - started) / steps
            print(f"\nround trip {name}: {each * 1000:.3f} ms per request ({steps} observes)")

    def test_bad_arguments_are_refused_without_a_process(self, make: Make) -> None:
        adapter = make("minimal_impl.py")
        with pytest.raises(ImplementationError) as caught:
            adapter.tap("")
        assert caught.value.kind == "bad_request"
        assert adapter.pids == ()

    def test_crashed(self, make: Make) -> None:
        adapter = make("crashes_on_tap.py")
        adapter.start()
        pid = adapter.pid
        assert pid is not None
        failure = _failure(lambda: adapter.tap("設定"))
        assert failure.kind == "crashed"
        assert "exited with status 3" in failure.message
        assert "crashes_on_tap: tapped; exiting with status 3" in failure.stderr_tail
        assert failure.request is not None and '"op": "tap"' in failure.request
        assert adapter.pid is None and _gone(pid)
        self._recovers(adapter)

    def test_crashed_by_a_signal(self, make: Make) -> None:
        adapter = make("minimal_impl.py")
        adapter.start()
        assert adapter.pid is not None
        os.kill(adapter.pid, signal.SIGKILL)
        failure = _failure(adapter.observe)
        assert failure.kind == "crashed"
        assert "killed by signal SIGKILL (9)" in failure.message
        self._recovers(adapter)

    def test_timeout(self, make: Make) -> None:
        adapter = make("hangs_on_launch.py")
        adapter.start()
        started = time.monotonic()
        failure = _failure(adapter.launch)
        assert time.monotonic() - started < TIMEOUT + 1.0
        assert failure.kind == "timeout"
        assert f"no answer within {TIMEOUT:g} s" in failure.message
        assert "hangs_on_launch: not answering launch" in failure.stderr_tail
        self._recovers(adapter)

    def test_garbage(self, make: Make) -> None:
        adapter = make("writes_garbage.py")
        failure = _failure(adapter.launch)
        assert failure.kind == "garbage"
        assert "'NOT JSON xxx" in failure.message
        assert "(the first 200 characters)" in failure.message
        assert "x" * 200 not in failure.message
        assert "writes_garbage: answering launch with garbage" in failure.stderr_tail
        self._recovers(adapter)

    def test_wrong_id(self, make: Make) -> None:
        adapter = make("wrong_id.py")
        failure = _failure(adapter.launch)
        assert failure.kind == "wrong_id"
        assert "request 1 (op 'launch'): the answer has id 1001, not 1" in failure.message
        assert "wrong_id: answering launch with the wrong id" in failure.stderr_tail
        self._recovers(adapter)

    def test_protocol_version(self, make: Make) -> None:
        adapter = make("old_protocol.py")
        for attempt in (1, 2):  # every fresh process is greeted again, and refused again
            failure = _failure(adapter.observe)
            assert failure.kind == "protocol_version"
            assert (
                "the implementation speaks protocol 0; this harness speaks protocol 1"
                in failure.message
            )
            assert "old_protocol: speaking protocol 0" in failure.stderr_tail
            assert failure.request is not None and '"op": "hello"' in failure.request
            assert (adapter.failures, adapter.restarts) == (attempt, attempt - 1)

    @pytest.mark.parametrize(
        ("mode", "expected"),
        [("long", "a line of over 1048576 bytes"), ("twice", "wrote more than one line")],
    )
    def test_flood(self, make: Make, mode: str, expected: str) -> None:
        adapter = make("floods_stdout.py", mode)
        failure = _failure(adapter.launch)
        assert failure.kind == "flood"
        assert expected in failure.message
        assert f"floods_stdout: flooding launch ({mode})" in failure.stderr_tail
        self._recovers(adapter)

    def test_a_chatty_stderr_does_not_block(self, make: Make) -> None:
        adapter = make("chatty_stderr.py")
        assert adapter.launch()["app"] == "closed"
        for _ in range(3):
            adapter.observe()
        adapter.close()
        tail = adapter.stderr_tail()
        assert tail.endswith("chatty_stderr: done")
        assert len(tail.encode()) <= 8 * 1024 and len(tail.splitlines()) <= 50
        assert (adapter.restarts, adapter.failures) == (0, 0)

    def test_close_kills_what_ignores_sigterm(self, make: Make) -> None:
        adapter = make("ignores_sigterm.py")
        adapter.observe()
        (pid,) = adapter.pids
        started = time.monotonic()
        adapter.close()
        assert time.monotonic() - started < 2.0
        tail = adapter.stderr_tail()
        assert "ignores_sigterm: ignoring SIGTERM" in tail
        found = re.search(r"ignores_sigterm: child (\d+)", tail)
        assert found is not None
        assert _gone(pid) and _dead(int(found[1]))

    def test_close_ends_the_process_and_refuses_further_calls(self, make: Make) -> None:
        with make("minimal_impl.py") as adapter:
            adapter.observe()
            pid = adapter.pid
        assert pid is not None and _gone(pid) and adapter.pid is None
        with pytest.raises(ValueError, match="closed"):
            adapter.observe()

    def test_a_forgotten_adapter_ends_its_process(self) -> None:
        adapter = SubprocessAdapter(
            [sys.executable, str(IMPLS / "minimal_impl.py")], start_timeout=START_TIMEOUT
        )
        adapter.start()
        pid = adapter.pid
        assert pid is not None
        del adapter
        gc.collect()
        assert _gone(pid)

    @pytest.mark.parametrize(
        ("command", "options", "expected"),
        [
            ([str(IMPLS / "not_executable")], {}, "not_executable': it was not found"),
            ([str(IMPLS / "minimal_impl.py")], {}, "minimal_impl.py': it is not executable"),
            (["otpspec-no-such-command"], {}, "'otpspec-no-such-command': it was not found"),
            ([sys.executable], {"cwd": IMPLS / "nowhere"}, "working directory"),
        ],
    )
    def test_refused_start(self, command: list[str], options: Any, expected: str) -> None:
        assert not (IMPLS / "not_executable").exists()
        assert not os.access(IMPLS / "minimal_impl.py", os.X_OK)
        adapter = SubprocessAdapter(command, **options)
        for attempt in (1, 2):
            failure = _failure(adapter.observe)
            assert failure.kind == "refused_start"
            assert failure.message.startswith("cannot start the implementation")
            assert expected in failure.message
            assert adapter.failures == attempt and adapter.pids == ()

    @staticmethod
    def _recovers(adapter: SubprocessAdapter) -> None:
        """The next call runs on a fresh process; the failed one is gone."""
        failed = adapter.pids[-1]
        assert _gone(failed) and adapter.pid is None
        assert adapter.observe()["app"] == "closed"
        assert adapter.pid is not None and adapter.pid != failed
        assert adapter.restarts == len(adapter.pids) - 1 >= 1


class TestAdapter:
    def test_adapters_are_implementations(self, spec: Spec, make: Make) -> None:
        for adapter in (InProcessAdapter(spec), make("minimal_impl.py")):
            assert isinstance(adapter, Adapter)
            response = dispatch(adapter, Request(1, "observe"))  # an adapter can be served
            assert response["ok"] is True


class TestImplementationError:
    def test_fields_and_text(self) -> None:
        error = ImplementationError("not_found", "「次へ」 is not on screen")
        assert (error.kind, error.message) == ("not_found", "「次へ」 is not on screen")
        assert str(error) == "not_found: 「次へ」 is not on screen"
        copied = pickle.loads(pickle.dumps(error))
        assert (copied.kind, copied.message) == (error.kind, error.message)


class TestImplementationFailure:
    def test_fields_and_text(self) -> None:
        failure = ImplementationFailure("timeout", "no answer", "tail", '{"id": 1}')
        assert str(failure) == "timeout: no answer"
        copied = pickle.loads(pickle.dumps(failure))
        assert (copied.kind, copied.stderr_tail, copied.request) == ("timeout", "tail", '{"id": 1}')
        assert "refused_start" in FAILURE_KINDS


class TestCommandError:
    def test_is_a_value_error(self) -> None:
        assert issubclass(CommandError, ValueError)


class TestParseImplCommand:
    def test_splits_like_a_shell(self) -> None:
        text = "python 'my impl.py' --port 5 \"a b\""
        assert parse_impl_command(text) == ["python", "my impl.py", "--port", "5", "a b"]

    @pytest.mark.parametrize(
        ("text", "expected"), [("", "is empty"), ("   ", "is empty"), ("python 'x", "quotes")]
    )
    def test_refuses_what_cannot_run(self, text: str, expected: str) -> None:
        with pytest.raises(CommandError, match=expected):
            parse_impl_command(text)

    def test_a_list_command_must_not_be_empty(self) -> None:
        with pytest.raises(CommandError, match="empty"):
            SubprocessAdapter([])


class TestAdapterFor:
    @pytest.mark.parametrize("impl", [None, "reference", " reference "])
    def test_the_reference_runs_in_process(self, spec: Spec, impl: str | None) -> None:
        assert isinstance(adapter_for(impl, spec), InProcessAdapter)

    def test_a_command_runs_as_a_subprocess(self, spec: Spec) -> None:
        with adapter_for("python 'my impl.py' -v", spec, timeout=TIMEOUT) as adapter:
            assert isinstance(adapter, SubprocessAdapter)
            assert adapter.name == "python 'my impl.py' -v"
            assert adapter.timeout == TIMEOUT and adapter.pids == ()

    def test_an_unbalanced_command_is_refused(self, spec: Spec) -> None:
        with pytest.raises(CommandError, match="balance its quotes"):
            adapter_for("python 'x", spec)

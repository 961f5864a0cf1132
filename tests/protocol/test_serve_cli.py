"""`otpspec serve` as a program: closed standard streams and bad arguments (issue 13, item 13).

Every case ends with a documented exit status and at most a one-line message, never an
internal error or a traceback.
"""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from harness.cli import commands as cli
from harness.cli.serve import EXIT_INVALID, EXIT_STREAMS

HELLO = '{"id": 1, "op": "hello"}\n'


def _serve(shell_redirections: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs `otpspec serve ARGS` from a shell with its streams redirected."""
    script = f'exec "$0" -m harness.cli serve "$@" {shell_redirections}'
    return subprocess.run(
        ["sh", "-c", script, sys.executable, *args],
        input=HELLO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("redirections", "args", "closed"),
    [
        (">&-", (), "stdout is closed"),
        ("<&-", (), "stdin is closed"),
        ("<&- >&-", (), "stdin and stdout are closed"),
        (">&-", ("--mutant", "no_suffix"), "stdout is closed"),
    ],
)
def test_a_closed_stream_is_one_line_and_status_1(
    redirections: str, args: tuple[str, ...], closed: str
) -> None:
    done = _serve(redirections, *args)
    assert done.returncode == EXIT_STREAMS == 1
    assert done.stderr.splitlines() == [
        f"otpspec serve: {closed}; run it with stdin and stdout connected (requests in, "
        "responses out), e.g. from the harness"
    ]


def test_a_closed_stderr_still_serves() -> None:
    done = _serve("2>&-")
    assert done.returncode == 0
    assert '"protocol": 1' in done.stdout


@pytest.mark.parametrize("stream", ["stdin", "stdout"])
def test_closed_in_process(monkeypatch: pytest.MonkeyPatch, stream: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(HELLO))
    monkeypatch.setattr(sys, stream, None)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert cli.main(["serve"]) == EXIT_STREAMS
    assert err.getvalue().startswith(f"otpspec serve: {stream} is closed;")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--spec", "/nonexistent-otpspec"], "does not exist"),
        (["--mutant", "no_such_mutant"], "no mutant 'no_such_mutant'"),
    ],
)
def test_bad_arguments_are_status_2(
    monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(HELLO))
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert cli.main(["serve", *args]) == EXIT_INVALID
    assert expected in err.getvalue()
    assert "internal error" not in err.getvalue() and "Traceback" not in err.getvalue()
    assert out.getvalue() == ""

"""The serve loop: one response line per request line, only JSON on stdout, never a crash."""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest
from protocol_fakes import FakeApp, KindError

from harness.cli import commands as cli
from harness.protocol import MAX_LINE_BYTES, decode_response
from harness.protocol.serve import Overlong, read_line, serve

SESSION = [
    '{"id": 1, "op": "hello"}',
    "",
    "not json",
    '{"id": 2, "op": "reset", "fixture": {}}',
    "   ",
    "[1, 2]",
    '{"id": 3, "op": "tap"}',
    '{"id": 4, "op": "tap", "target": "設定"}',
    '{"op": "launch"}',
    '{"id": "five", "op": "fly"}',
    '{"id": 6, "op": "clock", "advance": 60}',
    '{"id": 7, "op": "observe"}',
]


def _serve(fake: FakeApp, text: str) -> tuple[int, list[dict[str, Any]], str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = serve(fake, io.StringIO(text), stdout, stderr)
    lines = stdout.getvalue().split("\n")
    assert lines[-1] == ""
    return status, [json.loads(line) for line in lines[:-1]], stderr.getvalue()


def test_a_mixed_session() -> None:
    fake = FakeApp()
    status, responses, _ = _serve(fake, "\n".join(SESSION) + "\n")
    assert status == 0
    assert [r["id"] for r in responses] == [1, None, 2, None, 3, 4, None, "five", 6, 7]
    oks = [True, False, True, False, False, True, False, False, True, True]
    assert [r["ok"] for r in responses] == oks
    assert [call[0] for call in fake.calls] == ["hello", "reset", "tap", "clock", "observe"]


def test_every_stdout_line_is_a_valid_response() -> None:
    fake = FakeApp()
    stdout = io.StringIO()
    serve(fake, io.StringIO("\n".join(SESSION)), stdout, io.StringIO())
    text = stdout.getvalue()
    assert text.endswith("\n")
    for line in text.splitlines():
        decode_response(line)


def test_last_line_without_line_break_is_answered() -> None:
    status, responses, _ = _serve(FakeApp(), '{"id": 1, "op": "observe"}')
    assert status == 0
    assert responses[0]["ok"] is True


def test_empty_input_ends_at_once() -> None:
    assert _serve(FakeApp(), "") == (0, [], "")


def test_crlf_lines_are_read() -> None:
    _, responses, _ = _serve(FakeApp(), '{"id": 1, "op": "observe"}\r\n\r\n')
    assert [r["ok"] for r in responses] == [True]


def test_an_internal_error_is_logged_and_serving_goes_on() -> None:
    fake = FakeApp()
    fake.fail_with = RuntimeError("boom")
    text = '{"id": 1, "op": "launch"}\n{"id": 2, "op": "observe"}\n'
    status, responses, stderr = _serve(fake, text)
    assert status == 0
    assert [r["error"]["kind"] for r in responses] == ["internal", "internal"]
    assert "RuntimeError: boom" in responses[0]["error"]["message"]
    assert "Traceback (most recent call last)" in stderr
    assert "request 1: op 'launch' raised inside the implementation" in stderr


def test_a_reported_error_is_not_logged() -> None:
    fake = FakeApp()
    fake.fail_with = KindError("not_found", "「次へ」 is not on screen")
    _, responses, stderr = _serve(fake, '{"id": 1, "op": "tap", "target": "次へ"}\n')
    assert responses[0]["error"] == {"kind": "not_found", "message": "「次へ」 is not on screen"}
    assert stderr == ""


class _Chatty(FakeApp):
    """An implementation that prints to stdout."""

    def observe(self) -> dict[str, Any]:
        print("debug: observing")
        return super().observe()


def test_what_the_implementation_prints_goes_to_stderr() -> None:
    _, responses, stderr = _serve(_Chatty(), '{"id": 1, "op": "observe"}\n')
    assert [r["ok"] for r in responses] == [True]
    assert "debug: observing" in stderr


def test_an_overlong_line_is_refused_and_the_next_is_read() -> None:
    fake = FakeApp()
    huge = json.dumps({"id": 1, "op": "tap", "target": "あ" * (MAX_LINE_BYTES // 3)})
    text = huge + "\n" + '{"id": 2, "op": "observe"}\n'
    status, responses, _ = _serve(fake, text)
    assert status == 0
    assert responses[0]["id"] is None
    assert responses[0]["error"]["kind"] == "bad_request"
    assert f"has {len(huge.encode())} bytes" in responses[0]["error"]["message"]
    assert responses[1]["ok"] is True
    assert [call[0] for call in fake.calls] == ["observe"]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("", 10, [None]),
        ("abc", 10, ["abc", None]),
        ("abc\n", 10, ["abc", None]),
        ("a\n\nb\n", 10, ["a", "", "b", None]),
        ("x" * 10 + "\n", 10, ["x" * 10, None]),
        ("x" * 11 + "\ny\n", 10, [Overlong(11), "y", None]),
        ("x" * 11, 10, [Overlong(11), None]),
        ("あいう\n", 6, [Overlong(9), None]),
        ("あいx\n", 6, [Overlong(7), None]),
        ("ああ\n", 6, ["ああ", None]),
    ],
)
def test_read_line_keeps_at_most_the_limit(text: str, limit: int, expected: list[object]) -> None:
    stream = io.StringIO(text)
    assert [read_line(stream, max_bytes=limit) for _ in expected] == expected


def test_read_line_reads_long_lines_in_chunks() -> None:
    line = "b" * 200_000
    stream = io.StringIO(line + "\n" + line)
    assert read_line(stream) == line
    assert read_line(stream) == line
    assert read_line(stream) is None


def test_bytes_that_are_not_utf8_are_a_bad_request() -> None:
    raw = b'\xff\xfe\n{"id": 1, "op": "observe"}\n'
    stdin = io.TextIOWrapper(io.BytesIO(raw), "utf-8", "surrogateescape", newline="\n")
    stdout = io.StringIO()
    assert serve(FakeApp(), stdin, stdout, io.StringIO()) == 0
    first, second = (json.loads(line) for line in stdout.getvalue().splitlines())
    assert "not valid UTF-8" in first["error"]["message"]
    assert second["ok"] is True


def test_a_strict_stdin_that_fails_to_decode_stops_serving() -> None:
    raw = b'{"id": 1, "op": "observe"}\n\xff\n{"id": 2, "op": "observe"}\n'
    stdin = io.TextIOWrapper(io.BytesIO(raw), "utf-8", "strict", newline="\n")
    stdout = io.StringIO()
    status = serve(FakeApp(), stdin, stdout, io.StringIO())
    responses = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert status == 1
    assert responses[-1]["error"]["kind"] == "bad_request"
    assert "not UTF-8" in responses[-1]["error"]["message"]


class _ClosedPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError("closed")


def test_a_closed_stdout_stops_serving() -> None:
    stderr = io.StringIO()
    status = serve(FakeApp(), io.StringIO('{"id": 1, "op": "observe"}\n'), _ClosedPipe(), stderr)
    assert status == 1
    assert "cannot write to stdout" in stderr.getvalue()


def test_responses_are_flushed_one_by_one() -> None:
    flushed: list[str] = []

    class _Recorder(io.StringIO):
        def flush(self) -> None:
            flushed.append(self.getvalue())

    stdout = _Recorder()
    serve(
        FakeApp(),
        io.StringIO('{"id": 1, "op": "observe"}\n{"id": 2, "op": "x"}\n'),
        stdout,
        io.StringIO(),
    )
    assert [text.count("\n") for text in flushed] == [1, 2]


def test_cli_serve_runs_the_reference(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    requests = '{"id": 1, "op": "hello"}\n{"id": 2, "op": "observe"}\n{"id": 3, "op": "tap"}\n'
    monkeypatch.setattr(sys, "stdin", io.StringIO(requests))
    assert cli.main(["serve"]) == 0
    lines = capsys.readouterr().out.splitlines()
    responses = [decode_response(line) for line in lines]
    assert [r.id for r in responses] == [1, 2, 3]
    assert responses[0].hello is not None
    assert responses[1].view is not None
    assert responses[2].error is not None
    assert responses[2].error.kind == "bad_request"

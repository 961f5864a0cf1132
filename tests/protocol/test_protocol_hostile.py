"""The protocol layer under hostile lines: deep nesting, long values, overlong answers, CRLF.

Issue 13, items 3, 4 and 6: a request nested deeper than MAX_DEPTH is refused before it is
parsed (never `internal`), an echoed value is cut, an answer longer than a line is replaced
by an `internal` error that names it, and the line limit excludes the `\\r` of `\\r\\n`.
"""

from __future__ import annotations

import copy
import io
import json
import sys
from typing import Any

import pytest
from protocol_fakes import VIEW, FakeApp

from harness.protocol import MAX_LINE_BYTES, decode_response, handle_line, wire
from harness.protocol.serve import read_line, serve
from harness.protocol.types import MAX_DEPTH

DEPTHS = [*range(979, 985), 10**5]
MIB = 1024 * 1024


def _answer(line: str, fake: FakeApp | None = None) -> dict[str, Any]:
    answer = handle_line(fake or FakeApp(), line)
    assert answer is not None
    assert len(answer.encode()) <= MAX_LINE_BYTES
    decode_response(answer)  # valid against protocol-response.schema.json
    data: dict[str, Any] = json.loads(answer)
    return data


def _nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def _deep_object(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


# ---- item 3: deep nesting


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize(
    "template",
    [
        '{{"id": 1, "op": "tap", "target": {value}}}',
        '{{"id": 1, "op": "reset", "fixture": {{"app": {value}}}}}',
        '{{"id": {value}, "op": "observe"}}',
        "{value}",
    ],
)
def test_deep_nesting_is_a_bad_request_never_internal(depth: int, template: str) -> None:
    fake = FakeApp()
    for value in (_nested(depth), _deep_object(depth)):
        response = _answer(template.format(value=value), fake)
        assert response["ok"] is False
        assert response["error"]["kind"] == "bad_request", response
        message = response["error"]["message"]
        assert f"levels deep, over the limit of {MAX_DEPTH}" in message
        assert len(message) < 300
    assert fake.calls == []


def test_the_limit_is_exactly_max_depth() -> None:
    fake = FakeApp()
    # MAX_DEPTH levels in all (the request object is one): read, then refused by the schema
    within = _answer(f'{{"id": 1, "op": "tap", "target": {_nested(MAX_DEPTH - 1)}}}', fake)
    assert "needs 'target'" in within["error"]["message"]
    beyond = _answer(f'{{"id": 1, "op": "tap", "target": {_nested(MAX_DEPTH)}}}', fake)
    assert f"{MAX_DEPTH + 1} levels deep" in beyond["error"]["message"]


def test_brackets_inside_strings_do_not_count() -> None:
    fake = FakeApp()
    target = '[{"\\"' * 200  # brackets, braces, quotes and backslashes, all inside one string
    response = _answer(json.dumps({"id": 1, "op": "tap", "target": target}), fake)
    assert response["ok"] is True
    assert fake.calls == [("tap", (target,), {})]


def test_a_deep_response_is_refused_by_the_client() -> None:
    line = json.dumps({"id": 1, "ok": True, "view": VIEW})[:-1] + f', "x": {_nested(10**4)}}}'
    with pytest.raises(Exception, match="levels deep"):
        decode_response(line)


def test_recursion_is_a_bad_request_even_past_the_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan is the guard; RecursionError, should it come, is still a bad request."""
    monkeypatch.setattr(wire, "nesting", lambda text: 0)
    response = _answer(f'{{"id": 1, "op": "tap", "target": {_nested(10**5)}}}')
    assert response["error"]["kind"] == "bad_request"
    assert "nests too deeply" in response["error"]["message"]

    def deep(line: str) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(sys.modules["harness.protocol.dispatch"], "parse_request", deep)
    response = _answer('{"id": 1, "op": "observe"}')
    assert response["error"]["kind"] == "bad_request"
    assert "nested too deeply" in response["error"]["message"]


@pytest.mark.parametrize(
    "request_object",
    [
        {"id": 1, "op": "tap", "target": "あ" * 300_000},
        {"id": 1, "op": "enter", "field": "PIN", "value": "x" * 300_000},
        {"id": 1, "op": "key", "key": "b" * 300_000},
        {"id": 1, "op": "tap", "target": {"k" * 300_000: "v" * 300_000}},
        {"id": 1, "op": "observe", "x" * 300_000: 1},
        {"id": "i" * 300_000, "op": "observe"},
        {"id": "i" * 257, "op": "observe"},
        {"id": 1, "op": "o" * 300_000},
    ],
)
def test_long_values_are_echoed_cut(request_object: dict[str, Any]) -> None:
    response = _answer(json.dumps(request_object, ensure_ascii=False))
    assert response["error"]["kind"] == "bad_request"
    assert len(response["error"]["message"]) < 600, response["error"]["message"][:800]


# ---- item 4: an answer longer than a line


def _huge_view() -> dict[str, Any]:
    view = copy.deepcopy(VIEW)
    view["texts"] = ["x" * (2 * MIB)]
    return view


@pytest.mark.parametrize("check_results", [False, True])
def test_an_answer_over_the_line_limit_is_replaced(check_results: bool) -> None:
    fake = FakeApp()
    fake.result = _huge_view()
    stdout, stderr = io.StringIO(), io.StringIO()
    requests = '{"id": "big", "op": "observe"}\n{"id": 2, "op": "hello"}\n'
    assert serve(fake, io.StringIO(requests), stdout, stderr, check_results=check_results) == 0
    lines = stdout.getvalue().splitlines()
    assert len(lines) == 2 and all(len(line.encode()) <= MAX_LINE_BYTES for line in lines)
    first = decode_response(lines[0])
    assert first.id == "big" and first.error is not None
    assert first.error.kind == "internal"
    assert 'request "big"' in first.error.message
    assert "over the line limit of 1048576" in first.error.message
    if not check_results:  # the check_results path refuses it as a view breaking its schema
        size = len(wire.dumps({"id": "big", "ok": True, "view": fake.result}).encode())
        assert f"has {size} bytes" in first.error.message
        assert "x" * (2 * MIB) in stderr.getvalue()  # the whole answer, on stderr only
    assert decode_response(lines[1]).hello is not None


# ---- item 6: CRLF at the limit


def _padded(size: int) -> str:
    line = '{"id": 1, "op": "observe"}'
    return line[:-1] + " " * (size - len(line)) + "}"


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_line_of_exactly_the_limit_is_read(ending: str) -> None:
    line = _padded(MAX_LINE_BYTES)
    assert len(line.encode()) == MAX_LINE_BYTES
    raw = (line + ending + '{"id": 2, "op": "observe"}' + ending).encode()
    stdin = io.TextIOWrapper(io.BytesIO(raw), "utf-8", "surrogateescape", newline="\n")
    stdout = io.StringIO()
    assert serve(FakeApp(), stdin, stdout, io.StringIO()) == 0
    responses = [json.loads(answer) for answer in stdout.getvalue().splitlines()]
    assert [(r["id"], r["ok"]) for r in responses] == [(1, True), (2, True)]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_one_byte_more_is_overlong(ending: str) -> None:
    raw = (_padded(MAX_LINE_BYTES + 1) + ending).encode()
    stdin = io.TextIOWrapper(io.BytesIO(raw), "utf-8", "surrogateescape", newline="\n")
    stdout = io.StringIO()
    serve(FakeApp(), stdin, stdout, io.StringIO())
    (response,) = (json.loads(answer) for answer in stdout.getvalue().splitlines())
    assert response["error"]["kind"] == "bad_request"
    size = MAX_LINE_BYTES + 1 + (ending == "\r")  # a lone "\r" is not a line break
    assert f"has {size} bytes" in response["error"]["message"]


@pytest.mark.parametrize("split", [3, 4, 5])
def test_a_crlf_split_across_chunks_is_one_line_break(split: int) -> None:
    class Chunky(io.StringIO):
        def readline(self, size: int | None = -1) -> str:
            return super().readline(split)

    assert read_line(Chunky("abcd\r\nef\r\n"), max_bytes=4) == "abcd"
    stream = Chunky("abcd\r\nef\r\n")
    assert [read_line(stream, max_bytes=4) for _ in range(3)] == ["abcd", "ef", None]


def test_handle_line_excludes_the_line_break_too() -> None:
    response = _answer(_padded(MAX_LINE_BYTES) + "\r\n")
    assert response["ok"] is True

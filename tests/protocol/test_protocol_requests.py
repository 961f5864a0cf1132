"""Request lines: every bad form is a precise bad_request that never reaches the app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from protocol_fakes import FakeApp

from harness.protocol import (
    MAX_LINE_BYTES,
    OPS,
    ProtocolError,
    Request,
    handle_line,
    parse_request,
)

BAD_LINES: list[tuple[str, object, list[str]]] = [
    # (line, expected response id, fragments the message must contain)
    ("x", None, ["request line", "not valid JSON", "one JSON object per line"]),
    ("{", None, ["not valid JSON", "column 2"]),
    ("{'id': 1, 'op': 'hello'}", None, ["not valid JSON"]),
    ('{"id": 1, "op": "hello"} trailing', None, ["not valid JSON", "Extra data"]),
    ("[]", None, ["an array, not an object"]),
    ("1", None, ["a number, not an object"]),
    ('"hello"', None, ["a string, not an object"]),
    ("null", None, ["null, not an object"]),
    ("true", None, ["a boolean, not an object"]),
    ('{"id": 1, "op": "hello", "op": "tap"}', None, ['"op" appears twice']),
    ('{"id": 1, "op": "clock", "advance": NaN}', None, ["NaN is not a JSON number"]),
    ('{"id": 1, "op": "clock", "advance": Infinity}', None, ["Infinity"]),
    ('{"id": 1, "op": "clock", "advance": 1e400}', None, ["1e400 is too large"]),
    ("[" * 5000 + "]" * 5000, None, ["5000 levels deep, over the limit of 64"]),
    ('{"op": "hello"}', None, ["'id' is missing", "a string or an integer"]),
    ('{"id": null, "op": "hello"}', None, ["'id' is null"]),
    ('{"id": true, "op": "hello"}', None, ["'id' is true"]),
    ('{"id": 1.5, "op": "hello"}', None, ["'id' is 1.5"]),
    ('{"id": 1.0, "op": "hello"}', None, ["'id' is 1.0", "no fraction"]),
    ('{"id": 1e3, "op": "hello"}', None, ["'id' is 1000.0"]),
    ('{"id": [1], "op": "hello"}', None, ["'id' is [1]"]),
    ('{"id": {"a": 1}, "op": "hello"}', None, ["'id' is {\"a\": 1}"]),
    ('{"id": "\\ud800", "op": "hello"}', None, ["'id' is"]),
    ('{"id": 7}', 7, ["request 7: 'op' is missing", "hello, reset"]),
    ('{"id": 7, "op": "tapp"}', 7, ['unknown op "tapp"', "did you mean 'tap'?"]),
    ('{"id": 7, "op": 3}', 7, ["unknown op 3", "use one of"]),
    ('{"id": 7, "op": null}', 7, ["unknown op null"]),
    ('{"id": "a", "op": "tap", "target": "\\udc80"}', "a", ["not valid Unicode"]),
    # no-argument ops
    ('{"id": 7, "op": "hello", "x": 1}', 7, ["op 'hello' takes no arguments", 'remove "x"']),
    ('{"id": 7, "op": "launch", "target": "a"}', 7, ["op 'launch' takes no arguments"]),
    ('{"id": 7, "op": "observe", "a": 1, "b": 2}', 7, ['remove "a", "b"']),
    # reset
    ('{"id": 7, "op": "reset"}', 7, ["op 'reset' needs 'fixture', an object"]),
    ('{"id": 7, "op": "reset", "fixture": []}', 7, ["needs 'fixture'", "but got []"]),
    ('{"id": 7, "op": "reset", "fixture": "{}"}', 7, ["needs 'fixture'", 'but got "{}"']),
    ('{"id": 7, "op": "reset", "fixture": {}, "x": 1}', 7, ['does not take "x"', "'fixture'"]),
    # tap
    (
        '{"id": 7, "op": "tap"}',
        7,
        [
            "request 7: op 'tap' needs 'target', a non-empty string of at most 1024 characters"
            " with the label as shown"
            " on screen"
        ],
    ),
    ('{"id": 7, "op": "tap", "target": ""}', 7, ["needs 'target'", 'but got ""']),
    ('{"id": 7, "op": "tap", "target": 3}', 7, ["needs 'target'", "but got 3"]),
    ('{"id": 7, "op": "tap", "target": null}', 7, ["but got null"]),
    ('{"id": 7, "op": "tap", "target": "OK", "x": 1}', 7, ["op 'tap' does not take \"x\""]),
    ('{"id": 7, "op": "tap", "label": "OK"}', 7, ['does not take "label"', "needs 'target'"]),
    # enter
    ('{"id": 7, "op": "enter"}', 7, ["needs 'field'", "needs 'value'"]),
    ('{"id": 7, "op": "enter", "field": "PIN"}', 7, ["op 'enter' needs 'value', a string"]),
    ('{"id": 7, "op": "enter", "value": "1"}', 7, ["op 'enter' needs 'field'"]),
    ('{"id": 7, "op": "enter", "field": "PIN", "value": 1234}', 7, ["but got 1234"]),
    ('{"id": 7, "op": "enter", "field": "", "value": "1"}', 7, ["needs 'field'", 'got ""']),
    ('{"id": 7, "op": "enter", "field": "PIN", "value": "1", "x": 0}', 7, ['not take "x"']),
    # key
    ('{"id": 7, "op": "key"}', 7, ["op 'key' needs 'key', one of \"back\""]),
    ('{"id": 7, "op": "key", "key": "menu"}', 7, ['but got "menu"']),
    ('{"id": 7, "op": "key", "key": "BACK"}', 7, ['but got "BACK"']),
    ('{"id": 7, "op": "key", "key": 1}', 7, ["but got 1"]),
    # clock
    ('{"id": 7, "op": "clock"}', 7, ["op 'clock' needs exactly one of: 'advance'", "'set'"]),
    (
        '{"id": 7, "op": "clock", "advance": 1, "set": "2026-04-01T09:00:00+09:00"}',
        7,
        ["needs exactly one of these arguments, but got 'advance' and 'set'"],
    ),
    ('{"id": 7, "op": "clock", "advance": -1}', 7, ["needs 'advance'", "but got -1"]),
    ('{"id": 7, "op": "clock", "advance": "60"}', 7, ['but got "60"']),
    ('{"id": 7, "op": "clock", "advance": true}', 7, ["but got true"]),
    ('{"id": 7, "op": "clock", "advance": 1e12}', 7, ["at most 100 years", "but got"]),
    ('{"id": 7, "op": "clock", "advance": 10' + "0" * 400 + "}", 7, ["but got"]),
    ('{"id": 7, "op": "clock", "set": "tomorrow"}', 7, ["needs 'set'", 'but got "tomorrow"']),
    ('{"id": 7, "op": "clock", "set": "2026/04/01 09:00"}', 7, ["needs 'set', an ISO 8601"]),
    (
        '{"id": 7, "op": "clock", "set": "2026-02-30T09:00:00+09:00"}',
        7,
        ['but got "2026-02-30T09:00:00+09:00" (day is out of range for month)'],
    ),
    ('{"id": 7, "op": "clock", "set": "2026-04-01T25:00:00Z"}', 7, ["hour must be in"]),
    ('{"id": 7, "op": "clock", "set": 0}', 7, ["but got 0"]),
    ('{"id": 7, "op": "clock", "advance": 1, "x": 1}', 7, ['does not take "x"']),
    # network
    ('{"id": 7, "op": "network"}', 7, ["op 'network' needs 'online', a boolean"]),
    ('{"id": 7, "op": "network", "online": "true"}', 7, ['but got "true"']),
    ('{"id": 7, "op": "network", "online": 1}', 7, ["but got 1"]),
    # server
    ('{"id": 7, "op": "server"}', 7, ["needs 'operation'", "needs 'code'"]),
    ('{"id": 7, "op": "server", "operation": "renewal"}', 7, ["op 'server' needs 'code'"]),
    ('{"id": 7, "op": "server", "operation": "renewal", "code": 1}', 7, ["but got 1"]),
    ('{"id": 7, "op": "server", "operation": "", "code": "S3B3"}', 7, ["needs 'operation'"]),
    # notify
    ('{"id": 7, "op": "notify"}', 7, ["op 'notify' needs 'transaction'"]),
    ('{"id": 7, "op": "notify", "transaction": 5}', 7, ["but got 5"]),
    ('{"id": 7, "op": "notify", "transaction": ""}', 7, ['but got ""']),
    # biometric
    ('{"id": 7, "op": "biometric"}', 7, ["op 'biometric' needs 'result', one of \"success\""]),
    ('{"id": 7, "op": "biometric", "result": "ok"}', 7, ['but got "ok"']),
    ('{"id": 7, "op": "biometric", "result": "cancel", "why": 1}', 7, ['not take "why"']),
    # ids are echoed whatever their form
    ('{"id": "req-1", "op": "tap"}', "req-1", ["request \"req-1\": op 'tap'"]),
    ('{"id": "取引1", "op": "tap"}', "取引1", ['request "取引1"']),
    ('{"id": -3, "op": "tap"}', -3, ["request -3"]),
    ('{"id": 12345678901234567890123, "op": "tap"}', 12345678901234567890123, ["request 1"]),
    ('{"op": "tap", "id": 0}', 0, ["request 0: op 'tap'"]),
]


def _answer(fake: FakeApp, line: str) -> dict[str, Any]:
    answer = handle_line(fake, line)
    assert answer is not None
    assert "\n" not in answer
    response = json.loads(answer)
    assert isinstance(response, dict)
    return response


@pytest.mark.parametrize(("line", "request_id", "fragments"), BAD_LINES)
def test_bad_request_is_precise_and_reaches_nothing(
    line: str, request_id: object, fragments: list[str]
) -> None:
    fake = FakeApp()
    response = _answer(fake, line)
    assert response["id"] == request_id
    assert response["ok"] is False
    assert response["error"]["kind"] == "bad_request"
    message = response["error"]["message"]
    for fragment in fragments:
        assert fragment in message, message
    assert fake.calls == []


@pytest.mark.parametrize(("line", "request_id", "fragments"), BAD_LINES)
def test_parse_request_raises_protocol_error(
    line: str, request_id: object, fragments: list[str]
) -> None:
    with pytest.raises(ProtocolError) as raised:
        parse_request(line)
    assert raised.value.kind == "bad_request"
    assert raised.value.request_id == request_id


def test_every_op_has_bad_forms() -> None:
    covered = {op for op in OPS for line, _, _ in BAD_LINES if f'"op": "{op}"' in line}
    assert covered == set(OPS)


def test_messages_are_one_line() -> None:
    for line, _, _ in BAD_LINES:
        response = _answer(FakeApp(), line)
        assert "\n" not in response["error"]["message"]


@pytest.mark.parametrize("line", ["", "\n", "   ", "\t\r\n", " \r "])
def test_blank_lines_are_ignored(line: str) -> None:
    fake = FakeApp()
    assert handle_line(fake, line) is None
    assert fake.calls == []


def test_ideographic_space_is_not_blank() -> None:
    response = _answer(FakeApp(), "\u3000")
    assert response["error"]["kind"] == "bad_request"


def test_line_over_one_mebibyte_is_refused() -> None:
    fake = FakeApp()
    padding = "a" * (MAX_LINE_BYTES - 40)
    line = json.dumps({"id": 1, "op": "tap", "target": padding + "あ" * 20})
    assert len(line.encode("utf-8")) > MAX_LINE_BYTES
    response = _answer(fake, line)
    assert response["id"] is None
    assert response["error"]["kind"] == "bad_request"
    assert "over the limit of 1048576 (1 MiB)" in response["error"]["message"]
    assert fake.calls == []


def test_line_of_exactly_one_mebibyte_is_read() -> None:
    fake = FakeApp()
    # A fixture is the one argument the request schema does not bound by length.
    skeleton = json.dumps({"id": 1, "op": "reset", "fixture": {"pad": ""}})
    padding = "a" * (MAX_LINE_BYTES - len(skeleton))
    line = json.dumps({"id": 1, "op": "reset", "fixture": {"pad": padding}})
    assert len(line.encode("utf-8")) == MAX_LINE_BYTES
    assert _answer(fake, line + "\n")["ok"] is True
    assert len(fake.calls) == 1


GOOD: list[tuple[dict[str, Any], tuple[str, tuple[Any, ...], dict[str, Any]]]] = [
    ({"op": "hello"}, ("hello", (), {})),
    (
        {"op": "reset", "fixture": {"now": "2026-04-01T09:00:00+09:00"}},
        ("reset", ({"now": "2026-04-01T09:00:00+09:00"},), {}),
    ),
    ({"op": "reset", "fixture": {}}, ("reset", ({},), {})),
    ({"op": "launch"}, ("launch", (), {})),
    ({"op": "tap", "target": "次へ"}, ("tap", ("次へ",), {})),
    ({"op": "enter", "field": "PIN", "value": "1234"}, ("enter", ("PIN", "1234"), {})),
    ({"op": "enter", "field": "PIN", "value": ""}, ("enter", ("PIN", ""), {})),
    ({"op": "key", "key": "back"}, ("key", ("back",), {})),
    ({"op": "key", "key": "home"}, ("key", ("home",), {})),
    ({"op": "observe"}, ("observe", (), {})),
    ({"op": "clock", "advance": 60}, ("clock", (), {"advance": 60.0})),
    ({"op": "clock", "advance": 0.5}, ("clock", (), {"advance": 0.5})),
    ({"op": "clock", "advance": 0}, ("clock", (), {"advance": 0.0})),
    (
        {"op": "clock", "set": "2026-04-01T09:00:00+09:00"},
        ("clock", (), {"set": "2026-04-01T09:00:00+09:00"}),
    ),
    ({"op": "clock", "set": "2026-04-01T00:00Z"}, ("clock", (), {"set": "2026-04-01T00:00Z"})),
    ({"op": "clock", "set": "2026-04-01T09:00:00"}, ("clock", (), {"set": "2026-04-01T09:00:00"})),
    ({"op": "network", "online": False}, ("network", (False,), {})),
    ({"op": "server", "operation": "renewal", "code": "S3B3"}, ("server", ("renewal", "S3B3"), {})),
    ({"op": "notify", "transaction": "T-1"}, ("notify", ("T-1",), {})),
    ({"op": "biometric", "result": "failure"}, ("biometric", ("failure",), {})),
]


@pytest.mark.parametrize(("body", "call"), GOOD)
def test_good_request_dispatches_with_its_arguments(
    body: dict[str, Any], call: tuple[str, tuple[Any, ...], dict[str, Any]]
) -> None:
    fake = FakeApp()
    response = _answer(fake, json.dumps({"id": 42, **body}, ensure_ascii=False))
    assert response["id"] == 42
    assert response["ok"] is True
    assert fake.calls == [call]
    clock_args = fake.calls[0][2]
    assert all(type(value) is float for key, value in clock_args.items() if key == "advance")


def test_every_op_has_a_good_form() -> None:
    assert {body["op"] for body, _ in GOOD} == set(OPS)


def test_parse_request_returns_the_typed_request() -> None:
    request = parse_request('{"op": "enter", "value": "1", "id": "a", "field": "PIN"}\n')
    assert request == Request("a", "enter", {"value": "1", "field": "PIN"})
    assert request.to_object() == {"id": "a", "op": "enter", "value": "1", "field": "PIN"}

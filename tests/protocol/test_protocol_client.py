"""The client side: encode_request and decode_response."""

from __future__ import annotations

import json
from typing import Any

import pytest
from protocol_fakes import VIEW, FakeApp

from harness.protocol import (
    ErrorInfo,
    HelloInfo,
    ProtocolError,
    Response,
    decode_response,
    encode_request,
    handle_line,
    parse_request,
)

ARGS: list[tuple[str, dict[str, Any]]] = [
    ("hello", {}),
    ("reset", {"fixture": {"app": {"tokens": [{"service_id": "MIRAI01", "user_id": "U1"}]}}}),
    ("launch", {}),
    ("tap", {"target": "生体認証ログイン 利用設定"}),
    ("enter", {"field": "PIN", "value": "1234"}),
    ("key", {"key": "home"}),
    ("observe", {}),
    ("clock", {"advance": 59.5}),
    ("clock", {"set": "2026-04-01T00:00:00Z"}),
    ("network", {"online": True}),
    ("server", {"operation": "renewal", "code": "S3B3"}),
    ("notify", {"transaction": "T0001"}),
    ("biometric", {"result": "cancel"}),
]


@pytest.mark.parametrize(("op", "args"), ARGS)
def test_encode_request_round_trips(op: str, args: dict[str, Any]) -> None:
    line = encode_request("r-1", op, **args)
    assert "\n" not in line
    request = parse_request(line)
    assert (request.id, request.op, request.args) == ("r-1", op, args)


@pytest.mark.parametrize(("op", "args"), ARGS)
def test_a_served_answer_decodes(op: str, args: dict[str, Any]) -> None:
    answer = handle_line(FakeApp(), encode_request(9, op, **args))
    assert answer is not None
    response = decode_response(answer + "\n")
    assert response.id == 9
    assert response.ok is True
    if op == "hello":
        assert response.hello == HelloInfo(1, "fake", "0.1", ("x",))
        assert response.view is None
    else:
        assert response.view == VIEW
        assert response.hello is None
    assert response.error is None


def test_encode_request_keeps_japanese_text_readable() -> None:
    assert encode_request(1, "tap", target="次へ") == '{"id": 1, "op": "tap", "target": "次へ"}'


@pytest.mark.parametrize(
    ("op", "args", "fragment"),
    [
        ("tap", {}, "request 1: op 'tap' needs 'target'"),
        ("tapp", {"target": "x"}, "unknown op"),
        ("clock", {"advance": -5}, "but got -5"),
        ("reset", {"fixture": {"now": object()}}, "cannot be encoded as JSON"),
        ("clock", {"advance": float("inf")}, "cannot be encoded as JSON"),
        ("tap", {"target": "a", "id": 2}, "pass id positionally"),
        ("tap", {"target": "a", "op": "key"}, "pass op positionally"),
    ],
)
def test_encode_request_refuses_what_the_server_would(
    op: str, args: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ProtocolError) as raised:
        encode_request(1, op, **args)
    assert raised.value.kind == "bad_request"
    assert fragment in raised.value.message


def test_encode_request_refuses_a_bad_id() -> None:
    with pytest.raises(ProtocolError, match="'id' is true"):
        encode_request(True, "hello")


def test_decode_an_error() -> None:
    line = '{"id": null, "ok": false, "error": {"kind": "bad_request", "message": "m"}}'
    assert decode_response(line) == Response(None, False, error=ErrorInfo("bad_request", "m"))


def test_decode_a_view_with_extra_keys() -> None:
    line = json.dumps({"id": "a", "ok": True, "view": {**VIEW, "transaction": None}})
    response = decode_response(line)
    assert response.view is not None
    assert response.view["transaction"] is None


BAD_RESPONSES: list[tuple[str, str]] = [
    ("", "not JSON"),
    ("garbage", "not JSON"),
    ('{"id": 1, "ok": true, "view": ', "not JSON"),
    ("[1]", "an array, not an object"),
    ('"ok"', "a string, not an object"),
    ("{}", "missing required key 'id'"),
    ('{"id": 1}', "missing required key 'ok'"),
    ('{"id": true, "ok": true, "view": {}}', "$.id"),
    ('{"id": 1.5, "ok": false, "error": {"kind": "internal", "message": "m"}}', "$.id"),
    ('{"id": 1.0, "ok": false, "error": {"kind": "internal", "message": "m"}}', "$.id"),
    ('{"id": [1], "ok": false, "error": {"kind": "internal", "message": "m"}}', "$.id"),
    ('{"id": 1, "ok": true}', "missing required key 'view'"),
    ('{"id": null, "ok": true, "view": ' + json.dumps(VIEW) + "}", "$.id"),
    ('{"id": 1, "ok": "yes", "view": {}}', "$.ok"),
    ('{"id": 1, "ok": true, "view": []}', "$.view"),
    ('{"id": 1, "ok": true, "view": {}}', "$.view: missing required key 'app'"),
    ('{"id": 1, "ok": true, "view": ' + json.dumps({**VIEW, "app": "on"}) + "}", "$.view.app"),
    (
        '{"id": 1, "ok": true, "view": ' + json.dumps(VIEW) + ', "error": null}',
        "unknown key 'error'",
    ),
    ('{"id": 1, "ok": false}', "missing required key 'error'"),
    ('{"id": 1, "ok": false, "error": {"kind": "oops", "message": "m"}}', "$.error.kind"),
    ('{"id": 1, "ok": false, "error": {"kind": "internal", "message": ""}}', "$.error.message"),
    ('{"id": 1, "ok": false, "error": {"kind": "internal"}}', "missing required key 'message'"),
    (
        '{"id": 1, "ok": true, "protocol": 2, "implementation": {"name": "a", "version": "1"},'
        ' "capabilities": []}',
        "$.protocol",
    ),
    ('{"id": 1, "ok": true, "protocol": 1}', "missing required key 'implementation'"),
    ('{"id": 1, "ok": true, "view": {}, "view": {}}', "appears twice"),
    ('{"id": 1, "ok": true, "view": {"app": NaN}}', "NaN"),
]


@pytest.mark.parametrize(("line", "fragment"), BAD_RESPONSES)
def test_decode_response_rejects(line: str, fragment: str) -> None:
    with pytest.raises(ProtocolError) as raised:
        decode_response(line)
    assert raised.value.kind == "bad_response"
    assert raised.value.message.startswith("bad response from the implementation: ")
    assert fragment in raised.value.message

"""Dispatch: the implementation's answers and failures become responses, never exceptions."""

from __future__ import annotations

import json
import logging
import typing
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from protocol_fakes import VIEW, FakeApp, KindError

import harness.protocol as protocol
from harness.protocol import (
    OPS,
    PROTOCOL_VERSION,
    Implementation,
    Request,
    decode_response,
    dispatch,
    handle_line,
    reported_error,
)
from statechart.schema import SCHEMA_DIR

SCHEMAS = ("protocol-request", "protocol-response", "view")


def _schema(name: str) -> dict[str, Any]:
    data = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _tap(fake: FakeApp, request_id: int = 5) -> dict[str, Any]:
    return dispatch(fake, Request(request_id, "tap", {"target": "次へ"}))


@pytest.mark.parametrize("name", SCHEMAS)
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    schema = _schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_ops_agree_everywhere() -> None:
    schema = _schema("protocol-request")
    assert tuple(schema["properties"]["op"]["enum"]) == OPS
    assert set(schema["$defs"]) == set(OPS)
    branches = [branch["if"]["properties"]["op"]["const"] for branch in schema["allOf"]]
    assert branches == list(OPS)
    assert set(typing.get_args(protocol.Op)) == set(OPS)
    methods = {name for name in vars(Implementation) if not name.startswith("_")}
    assert methods == set(OPS)


def test_a_view_is_answered() -> None:
    fake = FakeApp()
    assert _tap(fake) == {"id": 5, "ok": True, "view": VIEW}


def test_hello_is_answered_with_the_protocol_version() -> None:
    fake = FakeApp()
    response = dispatch(fake, Request("h", "hello"))
    assert response == {
        "id": "h",
        "ok": True,
        "protocol": PROTOCOL_VERSION,
        "implementation": {"name": "fake", "version": "0.1"},
        "capabilities": ["x"],
    }


def test_extra_view_keys_are_kept() -> None:
    fake = FakeApp()
    fake.result = {**VIEW, "transaction": {"金額": "1,000円"}}
    assert _tap(fake)["view"]["transaction"] == {"金額": "1,000円"}


def test_the_view_is_a_copy() -> None:
    fake = FakeApp()
    view = dict(VIEW, elements=("次へ",))
    fake.result = view
    response = _tap(fake)
    assert response["view"]["elements"] == ["次へ"]
    view["app"] = "closed"
    assert response["view"]["app"] == "running"


@pytest.mark.parametrize("kind", ["not_found", "bad_request", "unsupported", "internal"])
def test_reported_errors_keep_their_kind(kind: str) -> None:
    fake = FakeApp()
    fake.fail_with = KindError(kind, "「次へ」 is not on screen;\n a person can tap: 設定")
    response = _tap(fake)
    assert response == {
        "id": 5,
        "ok": False,
        "error": {"kind": kind, "message": "「次へ」 is not on screen; a person can tap: 設定"},
    }


def test_reported_error_without_message_text_still_says_something() -> None:
    fake = FakeApp()
    fake.fail_with = KindError("not_found", "")
    assert _tap(fake)["error"]["message"] == "not_found (the implementation gave no message)"


def test_unknown_kind_becomes_internal() -> None:
    fake = FakeApp()
    fake.fail_with = KindError("oops", "bad")
    error = _tap(fake)["error"]
    assert error["kind"] == "internal"
    assert 'unknown error kind "oops"' in error["message"]
    assert error["message"].endswith(": bad")


def test_any_other_exception_becomes_internal_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeApp()
    fake.fail_with = ZeroDivisionError("division by zero\nsecond line")
    with caplog.at_level(logging.ERROR, logger="harness"):
        response = _tap(fake)
    error = response["error"]
    assert response["ok"] is False
    assert error["kind"] == "internal"
    assert "request 5: op 'tap' failed inside the implementation" in error["message"]
    assert "ZeroDivisionError: division by zero second line" in error["message"]
    assert "\n" not in error["message"]
    assert "Traceback" not in error["message"]
    assert caplog.records[0].exc_info is not None


def test_exception_with_non_string_kind_is_internal() -> None:
    error = KindError("not_found", "x")
    error.kind = 3  # type: ignore[assignment]
    assert reported_error(error) is None


@pytest.mark.parametrize(
    ("result", "fragment"),
    [
        (object(), "a result that is not JSON"),
        ({"app": float("nan")}, "a result that is not JSON"),
        ({**VIEW, "app": "paused"}, "$.app"),
        ({key: value for key, value in VIEW.items() if key != "otp"}, "'otp'"),
        ({**VIEW, "screen": {"id": "x"}}, "$.screen"),
        (["not", "a", "view"], "a view that does not match"),
        (None, "a view that does not match"),
        ({**VIEW, "texts": ["\ud800"]}, "not JSON"),
    ],
)
def test_a_broken_view_is_internal(
    result: object, fragment: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeApp()
    fake.result = result if result is not None else 0
    error = _tap(fake)["error"]
    assert error["kind"] == "internal"
    assert "request 5: op 'tap': the implementation returned" in error["message"]
    assert fragment in error["message"]
    assert "fix the implementation" in error["message"]


@pytest.mark.parametrize(
    "hello",
    [
        {"name": "fake", "version": "1"},
        {"name": "", "version": "1", "capabilities": []},
        {"name": "fake", "version": 1, "capabilities": []},
        {"name": "fake", "version": "1", "capabilities": "x"},
        {"name": "fake", "version": "1", "capabilities": ["x", "x"]},
        "fake 1.0",
    ],
)
def test_a_broken_hello_is_internal(hello: object) -> None:
    fake = FakeApp()
    fake.hello_result = hello
    error = dispatch(fake, Request(1, "hello"))["error"]
    assert error["kind"] == "internal"
    assert "a hello answer that breaks" in error["message"]


def test_dispatch_revalidates_a_hand_made_request() -> None:
    fake = FakeApp()
    response = dispatch(fake, Request(3, "tap", {}))
    assert response["error"]["kind"] == "bad_request"
    assert "request 3: op 'tap' needs 'target'" in response["error"]["message"]
    response = dispatch(fake, Request(3, "tap", {"target": "a", "id": 9}))
    assert response["id"] == 3
    assert "args must not hold ['id']" in response["error"]["message"]
    assert fake.calls == []


def test_every_response_decodes() -> None:
    fake = FakeApp()
    lines = [
        '{"id": 1, "op": "hello"}',
        '{"id": 2, "op": "observe"}',
        '{"id": 3, "op": "tap"}',
        "garbage",
    ]
    for line in lines:
        answer = handle_line(fake, line)
        assert answer is not None
        decode_response(answer)

"""Properties: whatever arrives, handle_line answers with exactly one valid response line."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from protocol_fakes import FakeApp

from harness.protocol import OPS, decode_response, handle_line

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
ARG_NAMES = st.sampled_from(
    [
        "fixture",
        "target",
        "field",
        "value",
        "key",
        "advance",
        "set",
        "online",
        "operation",
        "code",
        "transaction",
        "result",
        "x",
    ]
)
ARG_VALUES = JSON_VALUES | st.sampled_from(
    ["back", "home", "success", "cancel", "2026-04-01T09:00:00+09:00", 0, 60.5, {}, "OK"]
)
REQUESTS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.integers() | st.text(max_size=10) | JSON_VALUES,
        "op": st.sampled_from(OPS) | JSON_VALUES,
    },
).flatmap(
    lambda envelope: st.dictionaries(ARG_NAMES, ARG_VALUES, max_size=3).map(
        lambda args: {**args, **envelope}
    )
)


def _check_one_response(fake: FakeApp, line: str) -> dict[str, Any] | None:
    before = len(fake.calls)
    answer = handle_line(fake, line)
    if answer is None:
        assert not line.strip(" \t\r\n")
        return None
    assert len(answer.splitlines()) == 1
    response = decode_response(answer)  # raises unless a valid response
    data = json.loads(answer)
    assert isinstance(data, dict)
    if response.error is not None and response.error.kind == "bad_request":
        assert len(fake.calls) == before
    else:
        assert len(fake.calls) == before + 1
    return data


@given(st.text())
@settings(max_examples=300)
def test_any_text_gets_one_valid_answer(line: str) -> None:
    _check_one_response(FakeApp(), line)


@given(st.text(alphabet='{}[]",:0123456789.-+eEtrufalsn \\u"idop\u2028\x85'))
@settings(max_examples=300)
def test_json_like_text_gets_one_valid_answer(line: str) -> None:
    _check_one_response(FakeApp(), line)


@given(REQUESTS)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_any_object_gets_one_valid_answer(request: dict[str, Any]) -> None:
    fake = FakeApp()
    data = _check_one_response(fake, json.dumps(request, ensure_ascii=False))
    assert data is not None
    valid_id = "id" in request and type(request["id"]) in (int, str)
    if data["id"] is not None:
        assert data["id"] == request["id"]
    else:
        assert not valid_id or data["ok"] is False


@given(st.text(min_size=1).filter(lambda s: s.strip(" \t\r\n") != ""))
def test_any_string_id_is_echoed(request_id: str) -> None:
    line = json.dumps({"id": request_id, "op": "observe"})
    data = _check_one_response(FakeApp(), line)
    assert data is not None
    assert data["id"] == request_id
    assert data["ok"] is True


@given(st.text())
def test_any_tap_target_is_passed_unchanged(target: str) -> None:
    fake = FakeApp()
    data = _check_one_response(fake, json.dumps({"id": 1, "op": "tap", "target": target}))
    assert data is not None
    assert data["ok"] is bool(target)
    assert fake.calls == ([("tap", (target,), {})] if target else [])

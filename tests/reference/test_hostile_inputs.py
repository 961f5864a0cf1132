"""Requests the protocol accepts at its bounds: each works, or is refused and changes nothing.

Issue 13 items 1, 2, 4 and 5 on the reference side: the virtual clock's range, fixture
dates and sizes, and the largest view the bounds of the protocol allow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from walkthrough import fixture, token

from statechart.app import AppError, ReferenceApp
from statechart.clock import CLOCK_RANGE
from statechart.model import Spec

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "spec" / "schemas"
REQUEST = json.loads((SCHEMAS / "protocol-request.schema.json").read_text(encoding="utf-8"))
REQUESTS = Draft202012Validator(REQUEST)
VIEWS = Draft202012Validator(json.loads((SCHEMAS / "view.schema.json").read_text("utf-8")))
MIB = 1024 * 1024

_APPS: dict[int, ReferenceApp] = {}


def _running(spec: Spec, data: dict[str, Any] | None = None) -> ReferenceApp:
    """The one reference app of this module, reset to `data` and launched."""
    app = _APPS.setdefault(id(spec), ReferenceApp(spec))
    app.reset(fixture(token("USER0001")) if data is None else data)
    app.launch()
    return app


def _refused(app: ReferenceApp, op: str, **args: Any) -> AppError:
    """Calls an op that must be refused with bad_request and leave the view as it was."""
    before = app.observe()
    with pytest.raises(AppError) as caught:
        getattr(app, op)(**args)
    assert caught.value.kind == "bad_request"
    assert "\n" not in caught.value.message
    assert app.observe() == before
    return caught.value


def _valid_request(op: str, **args: Any) -> bool:
    return REQUESTS.is_valid({"id": 1, "op": op, **args})


CLOCK_OUTSIDE = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "1969-12-31T23:59:59Z",
    "1970-12-31T23:59:59+09:00",
    "1971-01-01T00:00:00+10:00",
    "9900-01-01T00:00:00+09:00",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59-23:59",
]


class TestClockRange:
    """Item 1: a clock request the schema accepts works or is refused, changing nothing."""

    @pytest.mark.parametrize("instant", CLOCK_OUTSIDE)
    def test_set_outside_the_range_is_refused(self, spec: Spec, instant: str) -> None:
        app = _running(spec)
        refusal = _refused(app, "clock", set=instant)
        assert CLOCK_RANGE in refusal.message
        assert app.clock(advance=60)["otp"] is not None  # still answering

    @pytest.mark.parametrize("instant", ["1971-01-01T00:00:00+09:00", "9899-12-31T23:59:59+09:00"])
    def test_the_ends_of_the_range_work(self, spec: Spec, instant: str) -> None:
        assert _valid_request("clock", set=instant)
        app = _running(spec, fixture(token("USER0001", start="1971-01-01", expires="9899-12-31")))
        view = app.clock(set=instant)
        assert view["otp"] is not None and len(view["otp"]) == 6
        assert VIEWS.is_valid(view)

    def test_the_schema_refuses_the_years_outside(self) -> None:
        for instant in ("0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z"):
            assert not _valid_request("clock", set=instant), instant

    def test_repeated_advances_stop_at_the_end(self, spec: Spec) -> None:
        app = _running(spec)
        most = REQUEST["$defs"]["clock"]["properties"]["advance"]["maximum"]
        refusals = 0
        for _ in range(80):
            try:
                app.clock(advance=most)
            except AppError as refusal:
                assert refusal.kind == "bad_request"
                refusals += 1
        assert refusals > 0
        # The last accepted advance left the clock in range, and the app still answers (the
        # token expired centuries ago: 有効期限切れ shows no password, 3.9.2).
        view = app.clock(advance=0)
        assert view["app"] == "running" and view["screen"] is not None
        _refused(app, "clock", advance=most)

    def test_one_second_past_the_end(self, spec: Spec) -> None:
        app = _running(spec)
        app.clock(set="9899-12-31T23:59:59+09:00")
        assert "advancing 1 seconds" in _refused(app, "clock", advance=1).message

    def test_the_device_clock_must_stay_in_range_too(self, spec: Spec) -> None:
        app = _running(spec, fixture(token("USER0001"), device={"skew_seconds": -3600}))
        refusal = _refused(app, "clock", set="1971-01-01T00:30:00+09:00")
        assert "the device clock" in refusal.message

    @pytest.mark.parametrize("advance", [float("nan"), float("inf"), -1.0, 10.0**300])
    def test_advances_no_schema_would_pass(self, spec: Spec, advance: float) -> None:
        _refused(_running(spec), "clock", advance=advance)


# Item 2: fixtures the protocol carries that the old reference accepted, then failed on.
BAD_FIXTURES = [
    (fixture(token("USER0001"), now="0001-01-01T00:00:00Z"), "$.now", "1971-01-01T00:00:00"),
    (fixture(token("USER0001", start="9999-12-31")), "$.app.tokens[0].start", "9899-12-31"),
    (fixture(token("USER0001"), device={"skew_seconds": -(10**12)}), "$.device.skew_seconds",
     "-3155760000"),
    (fixture(*(token(f"U{index}") for index in range(11))), "$.app.tokens", "at most 10"),
    (fixture(token("USER0001", suffix="●" * 257)), "$.app.tokens[0].suffix", "at most 256"),
]  # fmt: skip


class TestFixtureRefusedWhole:
    @pytest.mark.parametrize(("data", "path", "words"), BAD_FIXTURES)
    def test_refused_up_front_and_nothing_applied(
        self, spec: Spec, data: dict[str, Any], path: str, words: str
    ) -> None:
        app = _running(spec)
        refusal = _refused(app, "reset", fixture=data)
        assert refusal.message.startswith(f"fixture: {path}: ")
        assert words in refusal.message
        assert app.launch()["otp"] is not None  # the previous session runs on


def _worst_text(length: int, tail: str = "") -> str:
    # U+2028 costs 6 bytes on the wire: it is always written as an escape (docs/protocol.md).
    return "\u2028" * (length - len(tail)) + tail


def _largest_fixture() -> dict[str, Any]:
    """Every string the fixture schema allows at its longest, with the costliest character."""
    defs = json.loads((SCHEMAS / "fixture.schema.json").read_text("utf-8"))["$defs"]
    text, link = defs["text"]["maxLength"], defs["link"]["maxLength"]
    details = defs["transaction"]["properties"]["details"]["maxProperties"]
    service = {
        "service_id": "S",
        "name": _worst_text(text),
        "transaction_confirmation": True,
        "biometric_login": True,
        "link": _worst_text(link),
        "login_site": _worst_text(link),
    }
    tokens = [
        {"service_id": "S", "user_id": f"U{index}", "suffix": _worst_text(text, str(index)),
         "transaction_started": True, "expires": "2027-12-31"}
        for index in range(10)
    ]  # fmt: skip
    transaction = {
        "transaction_id": "T1",
        "service_id": "S",
        "user_id": "U0",
        "details": {_worst_text(text, str(index)): _worst_text(text) for index in range(details)},
    }
    return {
        "services": [service],
        "transactions": [transaction],
        "app": {"privacy_policy_agreed": True, "tokens": tokens},
    }


def _wire_bytes(data: object) -> int:
    # An upper bound of the protocol's encoding: every character of the BMP as a \u escape.
    return len(json.dumps(data, ensure_ascii=True))


class TestLargestView:
    """Item 4: the bounds keep every answer of the reference far below the 1 MiB line."""

    def test_the_longest_fixture_is_within_one_line(self) -> None:
        assert _wire_bytes({"id": 1, "op": "reset", "fixture": _largest_fixture()}) < MIB

    def test_views_of_the_longest_fixture(self, spec: Spec) -> None:
        app = _APPS.setdefault(id(spec), ReferenceApp(spec))
        app.reset(_largest_fixture())
        value = "\u2028" * REQUEST["$defs"]["enter"]["properties"]["value"]["maxLength"]
        views = [app.launch()]  # トークン選択: ten display names, twice
        views.append(app.tap(views[0]["elements"][0]))
        views.append(app.tap("取引確認"))  # the transaction's details
        views.append(app.notify("T1"))
        views.append(app.tap("ワンタイムパスワード"))
        views.append(app.tap("ロゴ画像／リンク画像"))  # the link in the browser
        views.append(app.tap("設定"))
        views.append(app.tap("トークン表示名設定"))
        views.append(app.enter("変更後の追加文言", value))
        views.append(app.tap("登録"))
        sizes = [_wire_bytes(view) for view in views]
        assert all(VIEWS.is_valid(view) for view in views)
        assert max(sizes) < MIB // 4, sizes
        target = "\u2028" * REQUEST["$defs"]["tap"]["properties"]["target"]["maxLength"]
        with pytest.raises(AppError) as caught:
            app.tap(target)
        assert _wire_bytes(caught.value.message) < MIB // 4

    @pytest.mark.parametrize(
        ("op", "argument", "longest"),
        [("tap", "target", 1024), ("enter", "value", 256), ("enter", "field", 1024),
         ("notify", "transaction", 256), ("server", "code", 64)],
    )  # fmt: skip
    def test_request_strings_are_bounded(self, op: str, argument: str, longest: int) -> None:
        others = {
            "enter": {"field": "PIN", "value": ""},
            "server": {"operation": "renewal", "code": "y"},
        }
        args = dict(others.get(op, {}))
        assert _valid_request(op, **(args | {argument: "a" * longest}))
        assert not _valid_request(op, **(args | {argument: "a" * (longest + 1)}))
        assert (
            f"at most {longest} characters"
            in REQUEST["$defs"][op]["properties"][argument]["description"]
        )

    def test_server_operations_are_an_enumeration(self) -> None:
        # No length to bound: the operation names are the nine of docs/protocol.md.
        operation = REQUEST["$defs"]["server"]["properties"]["operation"]
        assert len(operation["enum"]) == 9
        assert not _valid_request("server", operation="a" * 64, code="S3B3")


class TestOneLineMessages:
    """A refusal's message is one line even when it quotes a label with line breaks."""

    @pytest.mark.parametrize("label", ["a\nb", "a\u2028b", "a\rb\x85c", "\x00"])
    def test_quoted_labels_are_escaped(self, spec: Spec, label: str) -> None:
        app = _running(spec, fixture(token("USER0001", suffix=label)))
        with pytest.raises(AppError) as caught:
            app.tap(label)
        assert len(caught.value.message.splitlines()) == 1
        assert caught.value.message.startswith("「a" if label[0] == "a" else "「\\x00")

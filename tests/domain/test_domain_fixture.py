"""The world's typed state and fixture parsing (defaults, errors, secrets, schema agreement)."""

from __future__ import annotations

import hashlib
import json
import re
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from statechart.clock import FIRST_DATE, JST, LAST_DATE
from statechart.domain import (
    ACCOUNT_STATES,
    BIOMETRICS,
    MAX_DETAILS,
    MAX_LINK_LENGTH,
    MAX_SKEW_SECONDS,
    MAX_TEXT_LENGTH,
    MAX_VERSION_LENGTH,
    OS_NAMES,
    TRANSACTION_STATES,
    Account,
    Device,
    FixtureError,
    Service,
    Token,
    default_added_text,
    demo_service,
    derive_seed,
    derive_serial,
    new_token,
    parse_fixture,
    version_tuple,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA: dict[str, Any] = json.loads(
    (ROOT / "spec" / "schemas" / "fixture.schema.json").read_text(encoding="utf-8")
)
VALIDATOR = Draft202012Validator(SCHEMA)

PIN_BANK = {"service_id": "PINBANK", "name": "ピン銀行", "pin": True}
MIRAI = {"service_id": "MIRAI01", "name": "ミレインターネットバンキング"}


def _token(service_id: str = "MIRAI01", user_id: str = "USER0001", **extra: Any) -> dict[str, Any]:
    return {"service_id": service_id, "user_id": user_id, **extra}


def _with_tokens(*tokens: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {**top, "app": {"tokens": list(tokens)}}


class TestFreshInstall:
    def test_empty_fixture(self) -> None:
        world = parse_fixture({})
        assert world.now == datetime(2026, 4, 1, 9, 0, tzinfo=JST)
        assert world.device == Device("android", "14.0", "enrolled", False, 0)
        assert world.services == {"MIRAI01": demo_service()}
        assert world.services["MIRAI01"].link == "https://mirai-bank.example/"
        account = world.accounts[("MIRAI01", "USER0001")]
        assert (account.activation_password, account.state, account.issued) == (
            "12345678",
            "active",
            False,
        )
        assert world.transactions == []
        assert world.online is True
        assert not world.app.privacy_policy_agreed
        assert world.app.app_lock_code is None
        assert world.app.tokens == []
        assert world.app.selected is None

    def test_today_and_device_clock(self) -> None:
        world = parse_fixture({"now": "2026-03-31T23:59:30+09:00", "device": {"skew_seconds": 60}})
        assert world.today == date(2026, 3, 31)
        assert world.device_now == datetime(2026, 4, 1, 0, 0, 30, tzinfo=JST)

    def test_demo_account_only_with_the_demo_service(self) -> None:
        assert parse_fixture({"services": [PIN_BANK]}).accounts == {}


class TestTokenDefaults:
    def test_one_token(self) -> None:
        world = parse_fixture(_with_tokens(_token()))
        token = world.app.tokens[0]
        serial = derive_serial("MIRAI01", "USER0001")
        assert len(serial) == 8
        assert serial.isdigit()
        assert token.serial == serial
        assert token.seed == hashlib.sha1(f"MIRAI01:USER0001:{serial}".encode()).digest()
        assert token.service_name == "ミレインターネットバンキング"
        assert token.display_name == "ミレインターネットバンキング"
        assert token.start == date(2026, 3, 2)
        assert token.expires == date(2028, 3, 1)
        assert token.pin is None
        assert not (token.transaction_started or token.biometric_registered)
        assert not token.biometric_mode
        assert world.app.selected == 0
        assert world.accounts[("MIRAI01", "USER0001")].issued

    def test_given_values(self) -> None:
        fixture = _with_tokens(
            _token(
                start="2025-01-01",
                expires="2026-06-30",
                serial="00001234",
                suffix="本店用",
                transaction_started=True,
                biometric_registered=True,
                biometric_mode=True,
            )
        )
        token = parse_fixture(fixture).app.tokens[0]
        assert (token.start, token.expires) == (date(2025, 1, 1), date(2026, 6, 30))
        assert token.serial == "00001234"
        assert token.seed == derive_seed("MIRAI01", "USER0001", "00001234")
        assert token.display_name == "ミレインターネットバンキング本店用"
        assert token.transaction_started and token.biometric_registered and token.biometric_mode

    def test_creates_a_missing_account_as_issued_and_active(self) -> None:
        world = parse_fixture(_with_tokens(_token(user_id="OTHER")))
        account = world.accounts[("MIRAI01", "OTHER")]
        assert (account.state, account.issued) == ("active", True)

    def test_keeps_the_state_of_a_given_account(self) -> None:
        accounts = [{"service_id": "MIRAI01", "user_id": "U", "state": "elsewhere"}]
        world = parse_fixture(_with_tokens(_token(user_id="U"), accounts=accounts))
        assert world.accounts[("MIRAI01", "U")].state == "elsewhere"
        assert world.accounts[("MIRAI01", "U")].issued

    def test_pin_defaults_to_the_activation_password(self) -> None:
        accounts = [{"service_id": "PINBANK", "user_id": "P", "activation_password": "24681357"}]
        fixture = _with_tokens(_token("PINBANK", "P"), services=[PIN_BANK], accounts=accounts)
        assert parse_fixture(fixture).app.tokens[0].pin == "24681357"

    def test_pin_given(self) -> None:
        fixture = _with_tokens(_token("PINBANK", "P", pin="1234"), services=[PIN_BANK])
        assert parse_fixture(fixture).app.tokens[0].pin == "1234"

    def test_several_tokens_select_nothing(self) -> None:
        world = parse_fixture(_with_tokens(_token(), _token(user_id="B")))
        assert world.app.selected is None
        assert world.app.selected_token is None

    def test_selected_given(self) -> None:
        fixture = _with_tokens(_token(), _token(user_id="B"))
        fixture["app"]["selected"] = 1
        world = parse_fixture(fixture)
        assert world.app.selected_token is world.app.tokens[1]


class TestSuffixes:
    def test_numbered_in_order_of_addition(self) -> None:
        tokens = [_token(user_id=u) for u in ("A", "B", "C")]
        world = parse_fixture(_with_tokens(*tokens, services=[MIRAI, PIN_BANK]))
        assert [t.added_text for t in world.app.tokens] == ["", "_2", "_3"]

    def test_other_services_do_not_count(self) -> None:
        tokens = [_token(user_id="A"), _token("PINBANK", "P"), _token(user_id="B")]
        world = parse_fixture(_with_tokens(*tokens, services=[MIRAI, PIN_BANK]))
        assert [t.added_text for t in world.app.tokens] == ["", "", "_2"]

    def test_skips_a_name_in_use(self) -> None:
        tokens = [_token(user_id="A"), _token(user_id="B", suffix="_3"), _token(user_id="C")]
        world = parse_fixture(_with_tokens(*tokens))
        assert [t.added_text for t in world.app.tokens] == ["", "_3", "_4"]

    def test_pattern_and_first_from_the_rules(self) -> None:
        tokens = [_token(user_id="A"), _token(user_id="B")]
        world = parse_fixture(_with_tokens(*tokens), suffix_first=5, suffix_pattern="-{n}")
        assert world.app.tokens[1].added_text == "-5"

    def test_default_added_text_directly(self) -> None:
        service = demo_service()
        first = new_token(service, "A", pin=None, start=date(2026, 1, 1), expires=date(2027, 1, 1))
        assert default_added_text(service, []) == ""
        assert default_added_text(service, [first]) == "_2"


class TestDevice:
    def test_version_comparison(self) -> None:
        assert Device(os_version="6.0").os_version_at_least("6.0")
        assert Device(os_version="10").os_version_at_least("6.0")
        assert not Device(os="ios", os_version="8.4.1").os_version_at_least("9.0")
        assert version_tuple("14.0.1") == (14, 0, 1)

    def test_major_only_version_is_accepted(self) -> None:
        assert parse_fixture({"device": {"os_version": "14"}}).device.os_version == "14"

    def test_bad_version(self) -> None:
        with pytest.raises(ValueError, match="version"):
            version_tuple("fourteen")


def _account(**extra: Any) -> dict[str, Any]:
    return {"accounts": [{"service_id": "MIRAI01", "user_id": "U", **extra}]}


def _transaction(**extra: Any) -> dict[str, Any]:
    item = {"transaction_id": "T", "service_id": "MIRAI01", "user_id": "USER0001", **extra}
    return {"transactions": [item]}


def _app(*tokens: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"app": {"tokens": list(tokens), **extra}}


T0 = "$.app.tokens[0]"
TWICE = [{"service_id": "MIRAI01", "user_id": "U"}] * 2
TX_TWICE = [{"transaction_id": "T", "service_id": "MIRAI01", "user_id": "USER0001"}] * 2
PIN_NULL = {"services": [PIN_BANK], **_app(_token("PINBANK", "P", pin=None))}
ELEVEN = _app(*(_token(user_id=f"U{i}") for i in range(11)))

# (fixture, error path, message part, whether the schema refuses it as well)
ERRORS: list[tuple[dict[str, Any], str, str, bool]] = [
    ({"nothing": 1}, "$.nothing", "unknown key", True),
    ({"now": 5}, "$.now", "expected a string", True),
    ({"now": "yesterday"}, "$.now", "ISO 8601", True),
    ({"device": []}, "$.device", "expected an object", True),
    ({"device": {"os": "windows"}}, "$.device.os", "one of", True),
    ({"device": {"os_version": "v14"}}, "$.device.os_version", "version", True),
    ({"device": {"biometrics": "face"}}, "$.device.biometrics", "one of", True),
    ({"device": {"memory_low": "no"}}, "$.device.memory_low", "true or false", True),
    ({"device": {"skew_seconds": True}}, "$.device.skew_seconds", "integer", True),
    ({"device": {"skew_seconds": 1.5}}, "$.device.skew_seconds", "integer", True),
    ({"online": 1}, "$.online", "true or false", True),
    ({"services": {}}, "$.services", "expected an array", True),
    ({"services": [{"service_id": "X"}]}, "$.services[0]", "missing required key 'name'", True),
    ({"services": [MIRAI, MIRAI]}, "$.services[1].service_id", "duplicate", False),
    ({"services": [{**MIRAI, "link": 3}]}, "$.services[0].link", "string or null", True),
    (_account(service_id="NOPE"), "$.accounts[0].service_id", "no service", False),
    (_account(state="gone"), "$.accounts[0].state", "one of", True),
    ({"accounts": TWICE}, "$.accounts[1].user_id", "duplicate", False),
    (_transaction(user_id="NOBODY"), "$.transactions[0].user_id", "no account", False),
    (_transaction(details={"金額": 1}), "$.transactions[0].details['金額']", "a string", True),
    ({"transactions": TX_TWICE}, "$.transactions[1].transaction_id", "duplicate", False),
    (_transaction(state="done"), "$.transactions[0].state", "one of", True),
    ({"app": {"colour": "red"}}, "$.app.colour", "unknown key", True),
    (_app(privacy_policy_agreed="yes"), "$.app.privacy_policy_agreed", "true or false", True),
    (_app(_token("NOPE")), f"{T0}.service_id", "no service", False),
    (_app({"user_id": "U"}), T0, "missing required key 'service_id'", True),
    (_app(_token(serial="123")), f"{T0}.serial", "8 half-width digits", True),
    (_app(_token(serial="１２３４５６７８")), f"{T0}.serial", "8 half-width", True),
    (_app(_token(expires="2026/04/01")), f"{T0}.expires", "YYYY-MM-DD", True),
    (_app(_token(start="2026-02-30")), f"{T0}.start", "valid date", False),
    (_app(_token(pin="1234")), f"{T0}.pin", "has no PIN", False),
    (PIN_NULL, f"{T0}.pin", "has a PIN", False),
    (_app(_token(suffix=None)), f"{T0}.suffix", "expected a string", True),
    (_app(_token(), _token()), "$.app.tokens[1].user_id", "duplicate token", False),
    (ELEVEN, "$.app.tokens", "at most 10 items, got 11", True),
    (_app(_token(), selected=1), "$.app.selected", "below 1", False),
    (_app(_token(), selected=True), "$.app.selected", "integer", True),
    (_app(app_lock_code=1234), "$.app.app_lock_code", "string or null", True),
    # The virtual clock's range (docs/protocol.md): 1971-01-01 … 9900-01-01 Japan time.
    ({"now": "0001-01-01T00:00:00Z"}, "$.now", "from 1971-01-01T00:00:00+09:00", True),
    ({"now": "9999-12-31T23:59:59Z"}, "$.now", "up to, not including, 9900-01-01", True),
    ({"now": "1969-12-31T23:59:59Z"}, "$.now", "from 1971-01-01T00:00:00+09:00", True),
    ({"now": "1971-01-01T00:00:00+10:00"}, "$.now", "from 1971-01-01T00:00:00+09:00", False),
    (_app(_token(start="9999-12-31")), f"{T0}.start", "from 1971-01-01 to 9899-12-31", True),
    (_app(_token(expires="0001-01-01")), f"{T0}.expires", "from 1971-01-01 to 9899-12-31", True),
    ({"device": {"skew_seconds": -(10**12)}}, "$.device.skew_seconds", "-3155760000", True),
    ({"device": {"skew_seconds": 10**400}}, "$.device.skew_seconds", "3155760000", True),
    (
        {"now": "1980-01-01T00:00:00+09:00", "device": {"skew_seconds": -3155760000}},
        "$.device.skew_seconds",
        "the device clock (now plus the skew) would be outside",
        False,
    ),
    # Lengths: no view of the reference comes near the protocol's 1 MiB line.
    ({"services": [{**MIRAI, "name": "名" * 257}]}, "$.services[0].name", "at most 256", True),
    ({"services": [{**MIRAI, "link": "h" * 2049}]}, "$.services[0].link", "at most 2048", True),
    (_app(_token(suffix="_" * 257)), f"{T0}.suffix", "at most 256 characters, got 257", True),
    (_app(_token(user_id="U" * 257)), f"{T0}.user_id", "at most 256 characters", True),
    (_account(activation_password="9" * 300), "$.accounts[0].activation_password", "300", True),
    (_app(app_lock_code="1" * 257), "$.app.app_lock_code", "at most 256 characters", True),
    ({"device": {"os_version": "1" * 33}}, "$.device.os_version", "at most 32", True),
    (
        _transaction(details={f"項目{i}": "x" for i in range(21)}),
        "$.transactions[0].details",
        "at most 20 entries, got 21",
        True,
    ),
    (_transaction(details={"k" * 257: "x"}), "$.transactions[0].details", "names of at most", True),
    (_transaction(details={"金額": "円" * 257}), "$.transactions[0].details['金額']", "256", True),
]


class TestFixtureErrors:
    @pytest.mark.parametrize(("fixture", "path", "message", "in_schema"), ERRORS)
    def test_refused_with_path(
        self, fixture: dict[str, Any], path: str, message: str, in_schema: bool
    ) -> None:
        with pytest.raises(FixtureError) as caught:
            parse_fixture(fixture)
        assert str(caught.value).startswith(f"{path}: ")
        assert message in caught.value.message

    def test_ten_thousand_tokens_are_refused_before_any_is_read(self) -> None:
        # 470 KB: the old parser read every token (quadratically) before counting them.
        tokens = [_token(user_id=f"USER{index:06d}") for index in range(10_000)]
        fixture = {"app": {"tokens": tokens}}
        assert len(json.dumps(fixture)) > 450_000
        started = time.perf_counter()
        with pytest.raises(FixtureError) as caught:
            parse_fixture(fixture)
        assert time.perf_counter() - started < 0.5
        assert str(caught.value) == "$.app.tokens: expected at most 10 items, got 10000"

    def test_the_bounds_hold_at_their_limits(self) -> None:
        fixture = {
            "now": "1971-01-01T00:00:00+09:00",
            "device": {"os_version": "1" * 32, "skew_seconds": 3155760000 - 10**9},
            "services": [{**MIRAI, "name": "名" * 256, "link": "h" * 2048}],
            "transactions": [
                {"transaction_id": "T" * 256, "service_id": "MIRAI01", "user_id": "U" * 256,
                 "details": {f"{i:0256d}": "円" * 256 for i in range(20)}}
            ],
            "app": {"tokens": [_token(user_id="U" * 256, suffix="_" * 256, start="1971-01-01",
                                      expires="9899-12-31")], "app_lock_code": "1" * 256},
        }  # fmt: skip
        assert list(VALIDATOR.iter_errors(fixture)) == []
        world = parse_fixture(fixture)
        assert len(world.app.tokens[0].display_name) == 512
        assert world.app.tokens[0].expires == date(9899, 12, 31)

    def test_is_a_value_error(self) -> None:
        assert issubclass(FixtureError, ValueError)

    @pytest.mark.parametrize(
        "fixture",
        [
            {"app": {"app_lock_code": 98765}},
            {"app": {"app_lock_code": ["98765"]}},
            {"accounts": [{"service_id": "MIRAI01", "user_id": "U", "activation_password": 98765}]},
            {"services": [PIN_BANK], "app": {"tokens": [_token("PINBANK", "P", pin=98765)]}},
        ],
    )
    def test_messages_never_quote_secrets(self, fixture: dict[str, Any]) -> None:
        with pytest.raises(FixtureError) as caught:
            parse_fixture(fixture)
        assert "98765" not in str(caught.value)


class TestSecretsNotInRepr:
    def _world_text(self) -> tuple[str, Token]:
        accounts = [{"service_id": "PINBANK", "user_id": "P", "activation_password": "97531864"}]
        fixture = _with_tokens(
            _token("PINBANK", "P", pin="86420864"), services=[PIN_BANK], accounts=accounts
        )
        fixture["app"]["app_lock_code"] = "31415926"
        world = parse_fixture(fixture)
        return repr(world), world.app.tokens[0]

    def test_world(self) -> None:
        text, token = self._world_text()
        for secret in ("97531864", "86420864", "31415926", repr(token.seed), token.seed.hex()):
            assert secret not in text
        assert "PINBANK" in text

    def test_token_and_account(self) -> None:
        _, token = self._world_text()
        assert "86420864" not in repr(token)
        assert repr(token.seed) not in repr(token)
        assert "Zq7Wx3Kp" not in repr(Account("S", "U", "Zq7Wx3Kp"))


class TestFixtureSchema:
    def test_is_a_valid_draft_2020_12_schema(self) -> None:
        Draft202012Validator.check_schema(SCHEMA)

    def test_enums_match_the_domain(self) -> None:
        defs, device = SCHEMA["$defs"], SCHEMA["properties"]["device"]["properties"]
        assert tuple(device["os"]["enum"]) == OS_NAMES
        assert tuple(device["biometrics"]["enum"]) == BIOMETRICS
        assert tuple(defs["account"]["properties"]["state"]["enum"]) == ACCOUNT_STATES
        assert tuple(defs["transaction"]["properties"]["state"]["enum"]) == TRANSACTION_STATES

    def test_a_full_fixture_is_valid_for_both(self) -> None:
        fixture = {
            "now": "2026-04-01T09:00:00+09:00",
            "device": {"os": "ios", "os_version": "17.4", "biometrics": "not_enrolled",
                       "memory_low": False, "skew_seconds": -30},
            "services": [{**MIRAI, "pin": False, "transaction_confirmation": True,
                          "biometric_login": True, "link": None}, PIN_BANK],
            "accounts": [{"service_id": "PINBANK", "user_id": "P", "activation_password": "1234",
                          "state": "suspended", "issued": False}],
            "transactions": [{"transaction_id": "T1", "service_id": "PINBANK", "user_id": "P",
                              "details": {"取引内容": "振込", "金額": "10,000円"},
                              "state": "pending"}],
            "online": False,
            "app": {"privacy_policy_agreed": True, "app_lock_code": "0000",
                    "tokens": [_token("PINBANK", "P", expires="2027-01-01", start="2025-01-01",
                                      pin="1234", suffix="", serial="12345678",
                                      transaction_started=True, biometric_registered=False,
                                      biometric_mode=False)],
                    "selected": 0},
        }  # fmt: skip
        assert list(VALIDATOR.iter_errors(fixture)) == []
        world = parse_fixture(fixture)
        assert world.transactions[0].details == {"取引内容": "振込", "金額": "10,000円"}
        assert world.accounts[("PINBANK", "P")].issued

    @pytest.mark.parametrize("fixture", [case[0] for case in ERRORS if case[3]])
    def test_schema_refuses_what_the_parser_refuses(self, fixture: dict[str, Any]) -> None:
        assert list(VALIDATOR.iter_errors(fixture)), f"schema accepts {fixture}"

    @pytest.mark.parametrize("fixture", [case[0] for case in ERRORS if not case[3]])
    def test_parser_only_cases_pass_the_schema(self, fixture: dict[str, Any]) -> None:
        # Cross-references, duplicates and counts are beyond the schema: the parser's job.
        assert list(VALIDATOR.iter_errors(fixture)) == []

    def test_empty_fixture_is_valid(self) -> None:
        assert list(VALIDATOR.iter_errors({})) == []


class TestRuleDefaults:
    def test_defaults_are_the_rules_values(self) -> None:
        rules = yaml.safe_load((ROOT / "spec" / "rules.yaml").read_text(encoding="utf-8"))["rules"]
        defaults = parse_fixture.__kwdefaults__
        assert defaults is not None
        assert defaults["max_tokens"] == rules["max_tokens"]["value"]
        assert defaults["suffix_first"] == rules["suffix"]["first"]
        assert defaults["suffix_pattern"] == rules["suffix"]["pattern"]
        # The schema states the same token cap as the rules (こんなことができます, 3.3, 4.2).
        tokens = SCHEMA["properties"]["app"]["properties"]["tokens"]
        assert tokens["maxItems"] == rules["max_tokens"]["value"]


class TestBoundsAgreeWithTheSchema:
    """The parser's bounds and the schema's are the same numbers (one checks the other)."""

    def test_lengths(self) -> None:
        defs = SCHEMA["$defs"]
        assert defs["id"]["maxLength"] == MAX_TEXT_LENGTH
        assert defs["text"]["maxLength"] == defs["optional_text"]["maxLength"] == MAX_TEXT_LENGTH
        assert defs["link"]["maxLength"] == MAX_LINK_LENGTH
        details = defs["transaction"]["properties"]["details"]
        assert details["maxProperties"] == MAX_DETAILS
        assert details["propertyNames"]["maxLength"] == MAX_TEXT_LENGTH
        device = SCHEMA["properties"]["device"]["properties"]
        assert device["os_version"]["maxLength"] == MAX_VERSION_LENGTH
        skew = device["skew_seconds"]
        assert (skew["minimum"], skew["maximum"]) == (-MAX_SKEW_SECONDS, MAX_SKEW_SECONDS)

    @pytest.mark.parametrize(
        ("year", "inside"),
        [(1970, False), (1971, True), (1999, True), (2026, True), (9899, True), (9900, False)],
    )
    def test_the_year_patterns_are_the_clock_range(self, year: int, inside: bool) -> None:
        defs = SCHEMA["$defs"]
        day = f"{year:04d}-06-15"
        assert bool(re.match(defs["date"]["pattern"], day)) is inside
        assert bool(re.match(defs["instant"]["pattern"], day + "T12:00:00+09:00")) is inside
        assert (FIRST_DATE.year <= year <= LAST_DATE.year) is inside


def test_service_is_immutable() -> None:
    with pytest.raises(AttributeError):
        demo_service().name = "x"  # type: ignore[misc]
    assert Service("S", "名").pin is False

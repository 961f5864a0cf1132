"""Seeds, serials and the fixture fields of issue 11: precedence, defaults, located errors."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from statechart.domain import (
    FixtureError,
    derive_seed,
    derive_serial,
    parse_fixture,
    parse_seed,
    version_at_least,
)
from statechart.schema import SCHEMA_DIR

KEY = b"12345678901234567890"
B32 = base64.b32encode(KEY).decode("ascii")
OTHER = base64.b32encode(b"abcdefghijklmnopqrst").decode("ascii")
MIRAI = {"service_id": "MIRAI01", "name": "ミレ"}
VALIDATOR = Draft202012Validator(
    json.loads((SCHEMA_DIR / "fixture.schema.json").read_text(encoding="utf-8"))
)


def _world(account: dict[str, Any] | None = None, **token: Any) -> Any:
    fixture: dict[str, Any] = {"services": [MIRAI]}
    fixture["accounts"] = [{"service_id": "MIRAI01", "user_id": "U1", **(account or {})}]
    fixture["app"] = {"tokens": [{"service_id": "MIRAI01", "user_id": "U1", **token}]}
    assert list(VALIDATOR.iter_errors(fixture)) == []
    return parse_fixture(fixture)


class TestPrecedence:
    def test_derived_by_default(self) -> None:
        token = _world().app.tokens[0]
        assert token.serial == derive_serial("MIRAI01", "U1")
        assert token.seed == derive_seed("MIRAI01", "U1", token.serial)

    def test_the_tokens_own(self) -> None:
        token = _world(serial="12345678", seed=B32).app.tokens[0]
        assert (token.serial, token.seed) == ("12345678", KEY)

    def test_the_accounts(self) -> None:
        token = _world({"serial": "87654321", "seed": B32}).app.tokens[0]
        assert (token.serial, token.seed) == ("87654321", KEY)

    def test_an_own_serial_derives_its_own_seed(self) -> None:
        token = _world({"serial": "87654321", "seed": B32}, serial="11112222").app.tokens[0]
        assert token.seed == derive_seed("MIRAI01", "U1", "11112222")

    def test_an_own_seed_wins(self) -> None:
        token = _world({"serial": "87654321", "seed": B32}, seed=OTHER).app.tokens[0]
        assert (token.serial, token.seed) == ("87654321", b"abcdefghijklmnopqrst")

    def test_an_accounts_seed_needs_its_serial(self) -> None:
        # A seed without the serial it belongs to is ambiguous (issue 12): the schema and
        # the reference both refuse it, at the seed (docs/fixture.md, accounts[]).
        account = {"service_id": "MIRAI01", "user_id": "U1", "seed": B32}
        fixture = {"services": [MIRAI], "accounts": [account]}
        assert [e.validator for e in VALIDATOR.iter_errors(fixture)] == ["dependentRequired"]
        with pytest.raises(FixtureError, match=r"accounts\[0\]\.seed.*serial"):
            parse_fixture(fixture)
        assert (
            list(
                VALIDATOR.iter_errors({**fixture, "accounts": [{**account, "serial": "12345678"}]})
            )
            == []
        )


class TestLocatedErrors:
    @pytest.mark.parametrize(
        ("account", "token", "where"),
        [
            ({"seed": "not base32!"}, {}, "accounts[0].seed"),
            ({"seed": "GEZDGNBV"}, {}, "accounts[0].seed"),
            ({"seed": B32}, {}, "accounts[0].seed"),
            ({}, {"seed": "GEZDGNBVGY3TQOJQ"}, "tokens[0].seed"),
            ({"serial": "1234"}, {}, "accounts[0].serial"),
            ({"transaction_application": "maybe"}, {}, "accounts[0].transaction_application"),
        ],
    )
    def test_fields(self, account: dict[str, Any], token: dict[str, Any], where: str) -> None:
        owner = {"service_id": "MIRAI01", "user_id": "U1"}
        fixture = {
            "services": [MIRAI],
            "accounts": [{**owner, **account}],
            "app": {"tokens": [{**owner, **token}]},
        }
        with pytest.raises(FixtureError) as caught:
            parse_fixture(fixture)
        assert where in str(caught.value)
        for value in (*account.values(), *token.values()):
            assert str(value) not in caught.value.message

    def test_lapses_at_and_min_app_version(self) -> None:
        tx = {"transaction_id": "T", "service_id": "MIRAI01", "user_id": "U1", "lapses_at": "soon"}
        with pytest.raises(FixtureError, match=r"transactions\[0\]\.lapses_at"):
            parse_fixture({"services": [MIRAI], "accounts": [{"service_id": "MIRAI01",
                                                              "user_id": "U1"}],
                           "transactions": [tx]})  # fmt: skip
        with pytest.raises(FixtureError, match=r"services\[0\]\.min_app_version"):
            parse_fixture({"services": [{**MIRAI, "min_app_version": "v5"}]})


def test_seed_text() -> None:
    assert parse_seed(B32.lower().rstrip("=")) == KEY
    with pytest.raises(ValueError, match="16 bytes"):
        parse_seed("GEZDGNBVGY3TQOJQ")


@pytest.mark.parametrize(
    ("version", "minimum", "expected"),
    [("4.1.0", "4.1", True), ("4.1", "4.1.0", True), ("4.0.9", "4.1", False), ("10", "9.9", True)],
)
def test_version_at_least(version: str, minimum: str, expected: bool) -> None:
    assert version_at_least(version, minimum) is expected

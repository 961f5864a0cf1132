"""The simulated authentication service: every operation's every code path."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from statechart.clock import JST, device_time
from statechart.domain import Token, Transaction, World, derive_serial, parse_fixture
from statechart.otp import token_password
from statechart.server import OPERATIONS, OTHER_APP, AuthServer

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=JST)
TODAY = date(2026, 4, 1)
KEY = ("MIRAI01", "U1")
PIN_BANK = {"service_id": "PINBANK", "name": "ピン銀行", "pin": True}
MIRAI = {"service_id": "MIRAI01", "name": "ミレ", "transaction_confirmation": True}


def make(
    *,
    state: str = "active",
    expires: date = TODAY + timedelta(days=400),
    transactions: tuple[dict[str, Any], ...] = (),
    **settings: int,
) -> tuple[World, AuthServer, Token]:
    """A world with one token MIRAI01/U1 whose account is in `state`, and its server."""
    fixture = {
        "now": NOW.isoformat(),
        "services": [MIRAI, PIN_BANK],
        "accounts": [
            {"service_id": "MIRAI01", "user_id": "U1", "state": state},
            {"service_id": "MIRAI01", "user_id": "NEW", "activation_password": "pass1234"},
            {"service_id": "PINBANK", "user_id": "P1", "activation_password": "24681357"},
            {"service_id": "MIRAI01", "user_id": "LOCKED", "state": "locked"},
            {"service_id": "MIRAI01", "user_id": "SUSP", "state": "suspended"},
            {"service_id": "MIRAI01", "user_id": "ELSE", "state": "elsewhere"},
            {"service_id": "MIRAI01", "user_id": "DONE", "issued": True},
            {"service_id": "MIRAI01", "user_id": "U2"},
        ],
        "transactions": [{"service_id": "MIRAI01", "user_id": "U1", **t} for t in transactions],
        "app": {"tokens": [{"service_id": "MIRAI01", "user_id": "U1", "expires": str(expires)}]},
    }
    world = parse_fixture(fixture)
    server = AuthServer(world.services, world.accounts, world.transactions, **settings)
    return world, server, world.app.tokens[0]


def app_password(token: Token, at: datetime, skew: int = 0, pin: str | None = None) -> str:
    """The password the app shows: computed from the device clock (ASM-009)."""
    return token_password(token.seed, pin, device_time(at, skew), period=60, digits=6)


def tx(transaction_id: str, state: str = "pending") -> dict[str, Any]:
    return {"transaction_id": transaction_id, "details": {"金額": "1円"}, "state": state}


class TestInject:
    def test_operations_are_the_apps_names(self) -> None:
        assert set(OPERATIONS) == {
            "launch", "issue", "pin_change", "renewal", "correction", "transaction_start",
            "transaction_fetch", "transaction_confirm", "biometric_setup",
        }  # fmt: skip

    def test_one_shot_and_queued_in_order(self) -> None:
        _, server, _ = make()
        server.inject("launch", "A801")
        server.inject("launch", "A999")
        assert server.launch_check().code == "A801"
        assert server.launch_check().code == "A999"
        assert server.launch_check().ok

    def test_only_the_named_operation(self) -> None:
        _, server, token = make()
        server.inject("renewal", "S3B3")
        assert server.correct(token, NOW, 0, True).ok
        assert server.launch_check().ok

    def test_offline_keeps_the_injection(self) -> None:
        _, server, token = make()
        server.inject("correction", "A401")
        assert server.correct(token, NOW, 0, False).code == "A400"
        assert server.correct(token, NOW, 0, True).code == "A401"

    def test_unknown_operation(self) -> None:
        _, server, _ = make()
        with pytest.raises(ValueError, match="unknown operation"):
            server.inject("renew", "S3B3")

    def test_empty_code(self) -> None:
        _, server, _ = make()
        with pytest.raises(ValueError, match="empty"):
            server.inject("issue", "")


class TestIssue:
    def _issue(
        self,
        server: AuthServer,
        user: str = "NEW",
        password: str = "pass1234",
        service: str = "MIRAI01",
        skew: int = 0,
        online: bool = True,
    ) -> str | None:
        return server.issue(service, user, password, NOW, skew, online).code

    def test_offline(self) -> None:
        assert self._issue(make()[1], online=False) == "A000"

    def test_injected(self) -> None:
        _, server, _ = make()
        server.inject("issue", "S0G1")
        assert self._issue(server) == "S0G1"
        assert self._issue(server) is None

    def test_unknown_service(self) -> None:
        assert self._issue(make()[1], service="NOPE", skew=99999) == "S0A1"

    @pytest.mark.parametrize(("skew", "code"), [(3601, "S0F1"), (-3601, "S0F1"), (3600, None)])
    def test_clock_skew(self, skew: int, code: str | None) -> None:
        assert self._issue(make()[1], skew=skew) == code

    def test_max_skew_from_the_rules(self) -> None:
        assert self._issue(make(max_skew_seconds=10)[1], skew=11) == "S0F1"

    def test_unknown_user(self) -> None:
        assert self._issue(make()[1], user="NOBODY") == "S0B1"

    @pytest.mark.parametrize(
        ("user", "code"),
        [("LOCKED", "S0C4"), ("SUSP", "S0B5"), ("DONE", "S0B4"), ("ELSE", "S0B4"), ("U1", "S0B4")],
    )
    def test_account_state_before_password(self, user: str, code: str) -> None:
        assert self._issue(make()[1], user=user, password="wrong") == code

    def test_wrong_password(self) -> None:
        assert self._issue(make()[1], password="pass12345") == "S0C1"

    def test_success(self) -> None:
        world, server, _ = make()
        outcome = server.issue("MIRAI01", "NEW", "pass1234", NOW, 0, True)
        token = outcome.token
        assert outcome.ok and token is not None
        assert world.accounts[("MIRAI01", "NEW")].issued
        assert token.serial == derive_serial("MIRAI01", "NEW")
        assert token.service_name == "ミレ"
        assert token.pin is None
        assert token.added_text == ""
        assert (token.start, token.expires) == (TODAY, date(2028, 3, 31))
        assert self._issue(server) == "S0B4"

    def test_start_is_the_japan_date(self) -> None:
        _, server, _ = make()
        utc_evening = datetime.fromisoformat("2026-03-31T15:30:00+00:00")
        token = server.issue("MIRAI01", "NEW", "pass1234", utc_evening, 0, True).token
        assert token is not None
        assert token.start == date(2026, 4, 1)

    def test_pin_starts_as_the_activation_password(self) -> None:
        _, server, _ = make()
        token = server.issue("PINBANK", "P1", "24681357", NOW, 0, True).token
        assert token is not None
        assert token.pin == "24681357"


class TestChangePin:
    def _pin_token(self) -> tuple[AuthServer, Token]:
        _, server, _ = make()
        token = server.issue("PINBANK", "P1", "24681357", NOW, 0, True).token
        assert token is not None
        return server, token

    def test_offline(self) -> None:
        server, token = self._pin_token()
        assert server.change_pin(token, "24681357", "1111", NOW, False).code == "A100"

    def test_injected(self) -> None:
        server, token = self._pin_token()
        server.inject("pin_change", "S1E2")
        assert server.change_pin(token, "24681357", "1111", NOW, True).code == "S1E2"
        assert token.pin == "24681357"

    def test_elsewhere_before_expiry(self) -> None:
        _, server, token = make(state="elsewhere", expires=TODAY - timedelta(days=1))
        assert server.change_pin(token, "x", "1111", NOW, True).code == OTHER_APP

    def test_expired_by_server_time(self) -> None:
        server, token = self._pin_token()
        token.expires = TODAY - timedelta(days=1)
        assert server.change_pin(token, "24681357", "1111", NOW, True).code == "S1E3"

    def test_expiry_day_is_still_valid(self) -> None:
        server, token = self._pin_token()
        token.expires = TODAY
        assert server.change_pin(token, "24681357", "1111", NOW, True).ok

    def test_wrong_current_pin(self) -> None:
        server, token = self._pin_token()
        assert server.change_pin(token, "24681358", "1111", NOW, True).code == "S1C2"
        assert token.pin == "24681357"

    def test_token_without_pin(self) -> None:
        _, server, token = make()
        assert server.change_pin(token, "1234", "1111", NOW, True).code == "S1C2"

    def test_success_sets_the_pin(self) -> None:
        server, token = self._pin_token()
        assert server.change_pin(token, "24681357", "1111", NOW, True).ok
        assert token.pin == "1111"


class TestRenew:
    def test_offline(self) -> None:
        _, server, token = make(expires=TODAY + timedelta(days=100))
        assert server.renew(token, NOW, 0, False).code == "A300"

    def test_injected(self) -> None:
        _, server, token = make(expires=TODAY + timedelta(days=100))
        server.inject("renewal", "A301")
        assert server.renew(token, NOW, 0, True).code == "A301"

    def test_elsewhere(self) -> None:
        _, server, token = make(state="elsewhere", expires=TODAY + timedelta(days=100))
        assert server.renew(token, NOW, 0, True).code == OTHER_APP

    def test_suspended(self) -> None:
        _, server, token = make(state="suspended", expires=TODAY + timedelta(days=100))
        assert server.renew(token, NOW, 0, True).code == "S3B5"

    @pytest.mark.parametrize(
        ("days", "code"), [(181, "S3E4"), (180, None), (0, None), (-1, "S3E4")]
    )
    def test_window_by_true_time(self, days: int, code: str | None) -> None:
        _, server, token = make(expires=TODAY + timedelta(days=days))
        # A device clock a day ahead does not matter: the server uses its own time.
        assert server.renew(token, NOW, 86400, True).code == code

    def test_window_from_the_rules(self) -> None:
        _, server, token = make(expires=TODAY + timedelta(days=31), renewal_window_days=30)
        assert server.renew(token, NOW, 0, True).code == "S3E4"

    def test_pending_transactions(self) -> None:
        _, server, token = make(expires=TODAY + timedelta(days=100), transactions=(tx("T1"),))
        assert server.renew(token, NOW, 0, True).code == "S3D4"

    def test_confirmed_transactions_do_not_block(self) -> None:
        days_100 = TODAY + timedelta(days=100)
        _, server, token = make(expires=days_100, transactions=(tx("T1", "confirmed"),))
        assert server.renew(token, NOW, 0, True).ok

    def test_success_extends_from_the_old_expiry(self) -> None:
        _, server, token = make(expires=date(2026, 6, 30))
        outcome = server.renew(token, NOW, 0, True)
        assert outcome.ok and outcome.token is token
        assert token.expires == date(2027, 6, 30)

    def test_extension_from_the_rules(self) -> None:
        _, server, token = make(expires=date(2026, 6, 30), renewal_extension_days=10)
        server.renew(token, NOW, 0, True)
        assert token.expires == date(2026, 7, 10)


class TestCorrect:
    def test_offline(self) -> None:
        _, server, token = make()
        assert server.correct(token, NOW, 0, False).code == "A400"

    def test_injected(self) -> None:
        _, server, token = make()
        server.inject("correction", "A403")
        assert server.correct(token, NOW, 0, True).code == "A403"

    def test_elsewhere(self) -> None:
        _, server, token = make(state="elsewhere")
        assert server.correct(token, NOW, 0, True).code == OTHER_APP

    def test_expired(self) -> None:
        _, server, token = make(expires=TODAY - timedelta(days=1))
        assert server.correct(token, NOW, 99999, True).code == "S4E3"

    @pytest.mark.parametrize(("skew", "code"), [(3601, "S4H1"), (-3601, "S4H1"), (-3600, None)])
    def test_too_far_off(self, skew: int, code: str | None) -> None:
        _, server, token = make()
        assert server.correct(token, NOW, skew, True).code == code

    def test_stores_the_skew(self) -> None:
        _, server, token = make()
        assert server.correction(token.key) == 0
        assert server.correct(token, NOW, 125, True).ok
        assert server.correction(token.key) == 125

    @pytest.mark.parametrize(("seconds", "code"), [(1, "S4H9"), (179, "S4H9"), (180, None)])
    def test_repeated_too_soon(self, seconds: int, code: str | None) -> None:
        _, server, token = make()
        server.correct(token, NOW, 125, True)
        later = NOW + timedelta(seconds=seconds)
        assert server.correct(token, later, 0, True).code == code
        assert server.correction(token.key) == (125 if code else 0)

    def test_repeat_seconds_from_the_rules(self) -> None:
        _, server, token = make(correction_repeat_seconds=10)
        server.correct(token, NOW, 0, True)
        assert server.correct(token, NOW + timedelta(seconds=10), 0, True).ok

    def test_a_failure_does_not_start_the_wait(self) -> None:
        _, server, token = make()
        assert server.correct(token, NOW, 4000, True).code == "S4H1"
        assert server.correct(token, NOW, 100, True).ok

    def test_per_token(self) -> None:
        _, server, token = make()
        other = server.issue("MIRAI01", "U2", "12345678", NOW, 0, True).token
        assert other is not None
        server.correct(token, NOW, 50, True)
        assert server.correct(other, NOW, 60, True).ok
        assert (server.correction(token.key), server.correction(other.key)) == (50, 60)


class TestCorrection:
    def test_unknown_token_has_none(self) -> None:
        assert make()[1].correction(("X", "Y")) == 0


class TestStartTransactions:
    def test_offline(self) -> None:
        _, server, token = make()
        assert server.start_transactions(token, NOW, 0, False).code == "S5D1"

    def test_injected(self) -> None:
        _, server, token = make()
        server.inject("transaction_start", "S5E2")
        assert server.start_transactions(token, NOW, 0, True).code == "S5E2"

    def test_suspended(self) -> None:
        _, server, token = make(state="suspended")
        assert server.start_transactions(token, NOW, 9999, True).code == "S5B5"

    def test_skew_less_correction(self) -> None:
        _, server, token = make()
        assert server.start_transactions(token, NOW, 3601, True).code == "S5H1"
        server.correct(token, NOW, 3000, True)
        assert server.start_transactions(token, NOW, 6600, True).ok
        assert server.start_transactions(token, NOW, 6601, True).code == "S5H1"

    def test_success_leaves_the_token_to_the_app(self) -> None:
        _, server, token = make()
        outcome = server.start_transactions(token, NOW, 0, True)
        assert outcome.ok and outcome.token is token
        assert not token.transaction_started


class TestFetchTransaction:
    def test_offline(self) -> None:
        _, server, token = make()
        assert server.fetch_transaction(token, NOW, 0, False).code == "A999"

    def test_injected(self) -> None:
        _, server, token = make()
        server.inject("transaction_fetch", "S6D2")
        assert server.fetch_transaction(token, NOW, 0, True).code == "S6D2"

    def test_elsewhere(self) -> None:
        _, server, token = make(state="elsewhere")
        assert server.fetch_transaction(token, NOW, 0, True).code == OTHER_APP

    def test_suspended(self) -> None:
        _, server, token = make(state="suspended")
        assert server.fetch_transaction(token, NOW, 0, True).code == "S6B5"

    def test_skew_less_correction(self) -> None:
        _, server, token = make()
        assert server.fetch_transaction(token, NOW, -3601, True).code == "S6H1"
        server.correct(token, NOW, -3000, True)
        assert server.fetch_transaction(token, NOW, -3601, True).ok

    def test_nothing_pending(self) -> None:
        _, server, token = make(transactions=(tx("T0", "confirmed"),))
        outcome = server.fetch_transaction(token, NOW, 0, True)
        assert outcome.ok and outcome.transaction is None

    def test_oldest_pending_of_the_account(self) -> None:
        world, server, token = make(transactions=(tx("T0", "confirmed"), tx("T1"), tx("T2")))
        server.add_transaction(Transaction("T9", "MIRAI01", "U2"))
        world.transactions.insert(0, Transaction("T8", "MIRAI01", "U2"))
        transaction = server.fetch_transaction(token, NOW, 0, True).transaction
        assert transaction is not None
        assert transaction.transaction_id == "T1"


class TestConfirmTransaction:
    def _confirm(
        self,
        server: AuthServer,
        token: Token,
        tid: str = "T1",
        *,
        password: str | None = None,
        at: datetime = NOW,
        online: bool = True,
    ) -> str | None:
        password = app_password(token, at) if password is None else password
        return server.confirm_transaction(token, tid, password, at, online).code

    def test_offline(self) -> None:
        _, server, token = make(transactions=(tx("T1"),))
        assert self._confirm(server, token, online=False) == "A999"

    def test_injected(self) -> None:
        _, server, token = make(transactions=(tx("T1"),))
        server.inject("transaction_confirm", "S7B3")
        assert self._confirm(server, token) == "S7B3"

    def test_suspended(self) -> None:
        _, server, token = make(state="suspended", transactions=(tx("T1"),))
        assert self._confirm(server, token) == "S7B5"

    @pytest.mark.parametrize("tid", ["T0", "T404", "T2"])
    def test_not_pending(self, tid: str) -> None:
        world, server, token = make(transactions=(tx("T0", "confirmed"), tx("T1")))
        world.transactions.append(Transaction("T2", "MIRAI01", "U2"))
        assert self._confirm(server, token, tid) == "S7J5"

    def test_wrong_password(self) -> None:
        _, server, token = make(transactions=(tx("T1"),))
        wrong = app_password(token, NOW, pin="1234")
        assert self._confirm(server, token, password=wrong) == "S6H2"
        assert server.transaction("T1") is not None

    def test_replayed_password(self) -> None:
        _, server, token = make(transactions=(tx("T1"), tx("T2")))
        password = app_password(token, NOW)
        assert self._confirm(server, token, "T1", password=password) is None
        later = NOW + timedelta(seconds=30)
        assert self._confirm(server, token, "T2", password=password, at=later) == "S6H2"
        assert self._confirm(server, token, "T2", at=NOW + timedelta(seconds=60)) is None

    def test_success_marks_confirmed(self) -> None:
        world, server, token = make(transactions=(tx("T1"),))
        outcome = server.confirm_transaction(token, "T1", app_password(token, NOW), NOW, True)
        assert outcome.ok and outcome.transaction is world.transactions[0]
        assert world.transactions[0].state == "confirmed"

    def test_uses_the_stored_correction(self) -> None:
        _, server, token = make(transactions=(tx("T1"),))
        skewed = app_password(token, NOW, skew=600)
        server.correct(token, NOW, 600, True)
        assert self._confirm(server, token, password=skewed) is None


class TestRegisterBiometric:
    def test_offline(self) -> None:
        _, server, token = make()
        assert server.register_biometric(token, "id", "pw", False).code == "A999"

    def test_injected(self) -> None:
        _, server, token = make()
        server.inject("biometric_setup", "A999")
        assert server.register_biometric(token, "id", "pw", True).code == "A999"

    def test_success_leaves_the_token_to_the_app(self) -> None:
        _, server, token = make()
        outcome = server.register_biometric(token, "id", "pw", True)
        assert outcome.ok and outcome.token is token
        assert not token.biometric_registered


class TestLaunchCheck:
    def test_nothing_injected(self) -> None:
        assert make()[1].launch_check().ok

    @pytest.mark.parametrize("code", ["A801", "A812", "A998", "A999", "A9EX"])
    def test_injected(self, code: str) -> None:
        _, server, _ = make()
        server.inject("launch", code)
        assert server.launch_check().code == code


class TestVerifyPassword:
    @pytest.mark.parametrize(("steps", "ok"), [(-2, False), (-1, True), (0, True), (1, True),
                                               (2, False)])  # fmt: skip
    def test_one_step_either_side(self, steps: int, ok: bool) -> None:
        _, server, token = make()
        assert server.verify_password(token, app_password(token, NOW, skew=60 * steps), NOW) is ok

    def test_with_correction(self) -> None:
        _, server, token = make()
        password = app_password(token, NOW, skew=1800)
        assert not server.verify_password(token, password, NOW)
        server.correct(token, NOW, 1800, True)
        assert server.verify_password(token, password, NOW)

    def test_pin_is_part_of_the_password(self) -> None:
        _, server, _ = make()
        token = server.issue("PINBANK", "P1", "24681357", NOW, 0, True).token
        assert token is not None
        assert server.verify_password(token, app_password(token, NOW, pin="24681357"), NOW)
        assert not server.verify_password(token, app_password(token, NOW, pin="24681358"), NOW)
        assert not server.verify_password(token, app_password(token, NOW), NOW)

    def test_does_not_consume_but_refuses_a_used_step(self) -> None:
        _, server, token = make(transactions=(tx("T1"),))
        password = app_password(token, NOW)
        assert server.verify_password(token, password, NOW)
        assert server.verify_password(token, password, NOW)
        server.confirm_transaction(token, "T1", password, NOW, True)
        assert not server.verify_password(token, password, NOW)

    def test_garbage_is_refused_not_raised(self) -> None:
        _, server, token = make()
        assert not server.verify_password(token, "１２３４５６", NOW)


class TestTransaction:
    def test_pending_only(self) -> None:
        _, server, _ = make(transactions=(tx("T0", "confirmed"), tx("T1")))
        assert server.transaction("T0") is None
        assert server.transaction("T404") is None
        found = server.transaction("T1")
        assert found is not None and found.key == KEY


class TestPendingTransactions:
    def test_by_account_oldest_first(self) -> None:
        _, server, _ = make(transactions=(tx("T1"), tx("T0", "confirmed"), tx("T2")))
        assert [t.transaction_id for t in server.pending_transactions(KEY)] == ["T1", "T2"]
        assert server.pending_transactions(("MIRAI01", "U2")) == []


class TestAddTransaction:
    def test_is_seen_by_the_world_and_fetch(self) -> None:
        world, server, token = make()
        server.add_transaction(Transaction("T5", "MIRAI01", "U1", {"金額": "5円"}))
        assert world.transactions[-1].transaction_id == "T5"
        fetched = server.fetch_transaction(token, NOW, 0, True).transaction
        assert fetched is not None and fetched.details == {"金額": "5円"}


@dataclass(frozen=True)
class _Rules:
    period: int = 30
    digits: int = 8
    max_skew_seconds: int = 100
    repeat_seconds: int = 5
    window_days: int = 10
    extension_days: int = 20
    validity_days: int = 40


class TestForWorld:
    def test_shares_the_world_and_uses_the_rules(self) -> None:
        world, _, token = make(expires=TODAY + timedelta(days=10))
        server = AuthServer.for_world(world, _Rules())
        assert server.issue("MIRAI01", "NEW", "pass1234", NOW, 101, True).code == "S0F1"
        issued = server.issue("MIRAI01", "NEW", "pass1234", NOW, 0, True).token
        assert world.accounts[("MIRAI01", "NEW")].issued
        assert issued is not None and issued.expires - issued.start == timedelta(days=40)
        assert server.renew(token, NOW, 0, True).ok
        assert token.expires == TODAY + timedelta(days=30)
        eight = token_password(token.seed, None, NOW, period=30, digits=8)
        assert server.verify_password(token, eight, NOW)

    def test_defaults_are_the_rules_values(self) -> None:
        root = Path(__file__).resolve().parents[2]
        rules = yaml.safe_load((root / "spec" / "rules.yaml").read_text(encoding="utf-8"))["rules"]
        defaults = {
            name: parameter.default
            for name, parameter in inspect.signature(AuthServer).parameters.items()
        }
        pairs = {
            "period": "otp_period_seconds",
            "digits": "otp_digits",
            "max_skew_seconds": "correction_max_skew_seconds",
            "correction_repeat_seconds": "correction_repeat_seconds",
            "renewal_window_days": "renewal_window_days",
            "renewal_extension_days": "renewal_extension_days",
            "validity_days": "token_validity_days",
        }
        for parameter, rule in pairs.items():
            assert defaults[parameter] == rules[rule]["value"], parameter


class TestMissingAccount:
    def test_names_the_token_not_its_secrets(self) -> None:
        world, server, token = make()
        del world.accounts[KEY]
        with pytest.raises(LookupError, match="MIRAI01") as caught:
            server.correct(token, NOW, 0, True)
        assert token.seed.hex() not in str(caught.value)

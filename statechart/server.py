"""The simulated authentication service the app talks to: in-process and deterministic.

Every operation returns an `Outcome`; its `code` is None on success, else a catalogue code of
spec/errors.yaml (`OTHER-APP` for the message without a code). A disconnected device gets
the app-side communication code of ASM-007 before anything else; then a code queued by
`inject` for that operation, if any; then the conditions of ASM-036, ASM-042 … ASM-044 and
ASM-048 … ASM-051.
"""

from __future__ import annotations

import hmac
from collections import deque
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol

from statechart.clock import in_renewal_window, is_expired, jst_date
from statechart.domain import (
    TOKEN_VALIDITY_DAYS,
    Account,
    Service,
    Token,
    TokenKey,
    Transaction,
    World,
    new_token,
    version_at_least,
)
from statechart.otp import time_step, token_password

__all__ = ["OPERATIONS", "OTHER_APP", "AuthServer", "Outcome", "ServerRules"]

OTHER_APP: Final = "OTHER-APP"
# The names of the app's `server` request (statechart/app.py), one per service request.
OPERATIONS: Final = (
    "launch",
    "issue",
    "pin_change",
    "renewal",
    "correction",
    "transaction_start",
    "transaction_fetch",
    "transaction_confirm",
    "biometric_setup",
)


class ServerRules(Protocol):
    """The rules.yaml values the server needs (statechart.session.RuleValues has them)."""

    @property
    def period(self) -> int: ...
    @property
    def digits(self) -> int: ...
    @property
    def max_skew_seconds(self) -> int: ...
    @property
    def repeat_seconds(self) -> int: ...
    @property
    def window_days(self) -> int: ...
    @property
    def validity_days(self) -> int: ...
    @property
    def extension_days(self) -> int: ...


@dataclass(frozen=True)
class Outcome:
    """The answer to one request: `code` None means success."""

    code: str | None = None
    token: Token | None = None
    transaction: Transaction | None = None

    @property
    def ok(self) -> bool:
        """Whether the request succeeded."""
        return self.code is None


def _same_secret(typed: str | None, stored: str | None) -> bool:
    # Constant-time, and bytes so that non-ASCII input cannot make compare_digest raise.
    if typed is None or stored is None:
        return typed is stored
    return hmac.compare_digest(typed.encode(), stored.encode())


class AuthServer:
    """The OTP authentication service, holding service-side state.

    The services, accounts and transactions passed in are shared, not copied, so the
    World they came from sees what the server changes.
    """

    def __init__(
        self,
        services: Mapping[str, Service],
        accounts: MutableMapping[TokenKey, Account],
        transactions: list[Transaction],
        *,
        period: int = 60,
        digits: int = 6,
        max_skew_seconds: int = 3600,
        correction_repeat_seconds: int = 180,
        renewal_window_days: int = 180,
        renewal_extension_days: int = 365,
        validity_days: int = TOKEN_VALIDITY_DAYS,
        min_app_versions: Mapping[str, str] | None = None,
    ) -> None:
        """Creates the server; the numbers come from spec/rules.yaml.

        Args:
            services: Services by id.
            accounts: Accounts by (service_id, user_id).
            transactions: All transactions, oldest first.
            period: rules `otp_period_seconds`.
            digits: rules `otp_digits`.
            max_skew_seconds: rules `correction_max_skew_seconds` (ASM-016, ASM-042).
            correction_repeat_seconds: rules `correction_repeat_seconds` (ASM-063).
            renewal_window_days: rules `renewal_window_days` (ASM-008).
            renewal_extension_days: rules `renewal_extension_days` (ASM-010).
            validity_days: Lifetime of a newly issued token.
            min_app_versions: Service id → the oldest app version it accepts (ASM-051).
        """
        self._services = services
        self._accounts = accounts
        self._transactions = transactions
        self._period = period
        self._digits = digits
        self._max_skew = max_skew_seconds
        self._repeat = timedelta(seconds=correction_repeat_seconds)
        self._window_days = renewal_window_days
        self._extension = timedelta(days=renewal_extension_days)
        self._validity = timedelta(days=validity_days)
        self._min_app_versions = dict(min_app_versions or {})
        self._used_steps: dict[TokenKey, set[int]] = {}
        self._corrections: dict[TokenKey, int] = {}
        self._last_correction: dict[TokenKey, datetime] = {}
        self._injected: dict[str, deque[str]] = {}

    @classmethod
    def for_world(cls, world: World, rules: ServerRules) -> AuthServer:
        """A server sharing the World's services, accounts and transactions."""
        return cls(
            world.services,
            world.accounts,
            world.transactions,
            period=rules.period,
            digits=rules.digits,
            max_skew_seconds=rules.max_skew_seconds,
            correction_repeat_seconds=rules.repeat_seconds,
            renewal_window_days=rules.window_days,
            renewal_extension_days=rules.extension_days,
            validity_days=rules.validity_days,
            min_app_versions=world.min_app_versions,
        )

    # --- control and queries ------------------------------------------------------------

    def inject(self, operation: str, code: str) -> None:
        """Makes the next call of `operation` (online) fail with `code`, once; calls queue.

        Raises:
            ValueError: `operation` is not one of OPERATIONS, or `code` is empty.
        """
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; expected one of {OPERATIONS}")
        if not code:
            raise ValueError("an injected code must not be empty")
        self._injected.setdefault(operation, deque()).append(code)

    def add_transaction(self, transaction: Transaction) -> None:
        """Records a new transaction made at the service (3.13.2 (1))."""
        self._transactions.append(transaction)

    def correction(self, token_key: TokenKey) -> int:
        """The skew stored for a token by its last successful correction (0 if none)."""
        return self._corrections.get(token_key, 0)

    def transaction(self, transaction_id: str) -> Transaction | None:
        """The pending transaction with this id (what a notification names), else None."""
        for transaction in self._transactions:
            if transaction.transaction_id == transaction_id and transaction.state == "pending":
                return transaction
        return None

    def pending_transactions(
        self, token_key: TokenKey, now: datetime | None = None
    ) -> list[Transaction]:
        """The account's transactions awaiting confirmation, oldest first.

        With `now`, a transaction whose `lapses_at` has come is no longer awaiting (ASM-050).
        """
        return [
            t
            for t in self._transactions
            if t.key == token_key and t.state == "pending" and not _lapsed(t, now)
        ]

    # --- operations ---------------------------------------------------------------------

    def issue(
        self,
        service_id: str,
        user_id: str,
        activation_password: str,
        now: datetime,
        device_skew: int,
        online: bool,
        app_version: str = "",
    ) -> Outcome:
        """初期設定／トークン追加: issues a token for an account (ASM-043, ASM-051).

        The token's PIN starts as the activation password when the service has PINs (4.2);
        its 追加文言 is empty (the app gives the suffix, ASM-012); its serial and seed are
        the account's, or derived (docs/protocol.md, Passwords). An app older than the
        service's `min_app_version` gets S0K1.
        """
        code = self._gate("issue", online, "A000") or self._issue_refusal(
            service_id, user_id, activation_password, device_skew, app_version
        )
        if code is not None:
            return Outcome(code)
        account = self._accounts[(service_id, user_id)]
        account.issued = True
        service = self._services[service_id]
        start = jst_date(now)
        pin = activation_password if service.pin else None
        token = new_token(
            service,
            user_id,
            pin=pin,
            start=start,
            expires=start + self._validity,
            serial=account.serial,
            seed=account.seed,
        )
        return Outcome(token=token)

    def change_pin(
        self, token: Token, current: str, new: str, now: datetime, online: bool
    ) -> Outcome:
        """PIN変更 (3.8): S1C2 when `current` is not the token's PIN (ASM-015); S1E2 for a
        token locked after repeated failures (ASM-048)."""
        code = self._gate("pin_change", online, "A100") or self._elsewhere(token)
        code = code or self._in_state(token, "token_locked", "S1E2")
        if code is None and is_expired(token.expires, jst_date(now)):
            code = "S1E3"
        if code is None and not _same_secret(current, token.pin):
            code = "S1C2"
        if code is not None:
            return Outcome(code)
        token.pin = new
        return Outcome(token=token)

    def renew(self, token: Token, now: datetime, device_skew: int, online: bool) -> Outcome:
        """有効期限更新 (3.9.1): the window is checked by true time (ASM-044).

        `device_skew` is part of the request but not used: the server trusts its own clock.
        """
        code = self._gate("renewal", online, "A300") or self._renew_refusal(token, now)
        if code is not None:
            return Outcome(code)
        token.expires += self._extension
        return Outcome(token=token)

    def correct(self, token: Token, now: datetime, device_skew: int, online: bool) -> Outcome:
        """パスワード補正 (3.10): stores the device's skew for the token (ASM-016)."""
        code = self._gate("correction", online, "A400") or self._correct_refusal(
            token, now, device_skew
        )
        if code is not None:
            return Outcome(code)
        self._corrections[token.key] = device_skew
        self._last_correction[token.key] = now
        return Outcome(token=token)

    def start_transactions(
        self, token: Token, now: datetime, device_skew: int, online: bool
    ) -> Outcome:
        """取引確認開始 (3.13.1). The caller marks the token started on success.

        S5D2 for a token that is not valid (expired or locked, ASM-048); S5E2 when the
        application at the service has lapsed (ASM-049).
        """
        code = self._gate("transaction_start", online, "S5D1")
        code = code or self._suspended(token, "S5B5") or self._invalid(token, now, "S5D2")
        if code is None and self._account(token).transaction_application == "lapsed":
            code = "S5E2"
        code = code or self._skewed(token, device_skew, "S5H1")
        if code is None:
            self._account(token).transaction_application = None
        return Outcome(code, token=None if code else token)

    def fetch_transaction(
        self,
        token: Token,
        now: datetime,
        device_skew: int,
        online: bool,
        wanted: str | None = None,
    ) -> Outcome:
        """Fetches a pending transaction of the token's account (3.13.2): `wanted` (the one a
        notification named) while it is pending, else the oldest (ASM-025, ASM-026).

        Success with `transaction` None means there is nothing to confirm. S6B3 while the
        account's setup is incomplete, S6D2 for a token that is not valid (ASM-048).
        """
        code = self._gate("transaction_fetch", online, "A999") or self._elsewhere(token)
        code = code or self._suspended(token, "S6B5")
        code = code or self._in_state(token, "setup_incomplete", "S6B3")
        code = code or self._invalid(token, now, "S6D2")
        code = code or self._skewed(token, device_skew, "S6H1")
        if code is not None:
            return Outcome(code)
        pending = self.pending_transactions(token.key, now)
        chosen = [t for t in pending if t.transaction_id == wanted] or pending
        return Outcome(token=token, transaction=chosen[0] if chosen else None)

    def confirm_transaction(
        self, token: Token, transaction_id: str, password: str, now: datetime, online: bool
    ) -> Outcome:
        """取引確認 (3.13.2): S6H2 for a used or non-matching password (ASM-025); S7B3 while
        the account's setup is incomplete, S6D2 for a token that is not valid (ASM-048),
        S7J5 when the transaction no longer awaits confirmation (ASM-050)."""
        code = self._gate("transaction_confirm", online, "A999") or self._suspended(token, "S7B5")
        code = code or self._in_state(token, "setup_incomplete", "S7B3")
        code = code or self._invalid(token, now, "S6D2")
        if code is not None:
            return Outcome(code)
        transaction = self._pending(token, transaction_id, now)
        if transaction is None:
            return Outcome("S7J5")
        step = self._fresh_step(token, password, now)
        if step is None:
            return Outcome("S6H2")
        transaction.state = "confirmed"
        self._used_steps.setdefault(token.key, set()).add(step)
        return Outcome(token=token, transaction=transaction)

    def register_biometric(
        self, token: Token, login_id: str, login_password: str, online: bool
    ) -> Outcome:
        """生体認証ログイン利用設定 (3.14.1); the caller records the registration."""
        code = self._gate("biometric_setup", online, "A999")
        return Outcome(code, token=None if code else token)

    def launch_check(self) -> Outcome:
        """The check at launch: only injected codes (A801…A812, A998, A999, A9EX; ASM-034)."""
        return Outcome(self._pop("launch"))

    def verify_password(self, token: Token, password: str, now: datetime) -> bool:
        """Whether `password` authenticates now: the token's password at true time plus the
        stored correction, or one step either side, and not a step already used."""
        return self._fresh_step(token, password, now) is not None

    # --- checks -------------------------------------------------------------------------

    def _pop(self, operation: str) -> str | None:
        queue = self._injected.get(operation)
        return queue.popleft() if queue else None

    def _gate(self, operation: str, online: bool, offline_code: str) -> str | None:
        # Offline comes first and leaves injected codes queued: no request reached the server.
        return offline_code if not online else self._pop(operation)

    def _account(self, token: Token) -> Account:
        try:
            return self._accounts[token.key]
        except KeyError:
            raise LookupError(f"no account for token {token.key}") from None

    def _elsewhere(self, token: Token) -> str | None:
        return OTHER_APP if self._account(token).state == "elsewhere" else None

    def _suspended(self, token: Token, code: str) -> str | None:
        return self._in_state(token, "suspended", code)

    def _in_state(self, token: Token, state: str, code: str) -> str | None:
        return code if self._account(token).state == state else None

    def _invalid(self, token: Token, now: datetime, code: str) -> str | None:
        # ASM-048: a token is not valid once expired (server time) or locked.
        expired = is_expired(token.expires, jst_date(now))
        return code if expired or self._account(token).state == "token_locked" else None

    def _skewed(self, token: Token, device_skew: int, code: str) -> str | None:
        # ASM-042: the skew left after the token's stored correction.
        return code if abs(device_skew - self.correction(token.key)) > self._max_skew else None

    def _issue_refusal(
        self,
        service_id: str,
        user_id: str,
        activation_password: str,
        device_skew: int,
        app_version: str,
    ) -> str | None:
        if service_id not in self._services:
            return "S0A1"
        minimum = self._min_app_versions.get(service_id)
        if minimum is not None and not version_at_least(app_version or "0", minimum):
            return "S0K1"
        if abs(device_skew) > self._max_skew:
            return "S0F1"
        account = self._accounts.get((service_id, user_id))
        if account is None:
            return "S0B1"
        return _account_refusal(account) or (
            None if _same_secret(activation_password, account.activation_password) else "S0C1"
        )

    def _renew_refusal(self, token: Token, now: datetime) -> str | None:
        code = self._elsewhere(token) or self._suspended(token, "S3B5")
        code = code or self._in_state(token, "setup_incomplete", "S3B3")
        if code is None and not in_renewal_window(token.expires, jst_date(now), self._window_days):
            code = "S3E4"
        application = self._account(token).transaction_application
        if code is None and application == "pending" and not token.transaction_started:
            code = "S3D3"
        if code is None and self.pending_transactions(token.key, now):
            code = "S3D4"
        return code

    def _correct_refusal(self, token: Token, now: datetime, device_skew: int) -> str | None:
        code = self._elsewhere(token)
        if code is None and is_expired(token.expires, jst_date(now)):
            code = "S4E3"
        if code is None and abs(device_skew) > self._max_skew:
            code = "S4H1"
        last = self._last_correction.get(token.key)
        if code is None and last is not None and now - last < self._repeat:
            code = "S4H9"
        return code

    def _pending(self, token: Token, transaction_id: str, now: datetime) -> Transaction | None:
        for transaction in self.pending_transactions(token.key, now):
            if transaction.transaction_id == transaction_id:
                return transaction
        return None

    def _fresh_step(self, token: Token, password: str, now: datetime) -> int | None:
        step = self._matching_step(token, password, now)
        used = self._used_steps.get(token.key, set())
        return None if step is None or step in used else step

    def _matching_step(self, token: Token, password: str, now: datetime) -> int | None:
        center = time_step(now + timedelta(seconds=self.correction(token.key)), self._period)
        # The current step first, so a password valid in two steps counts as the current one.
        for step in (center, center - 1, center + 1):
            if _same_secret(password, self._password_at(token, step)):
                return step
        return None

    def _password_at(self, token: Token, step: int) -> str:
        at = datetime.fromtimestamp(step * self._period, tz=UTC)
        return token_password(token.seed, token.pin, at, period=self._period, digits=self._digits)


def _lapsed(transaction: Transaction, now: datetime | None) -> bool:
    return now is not None and transaction.lapses_at is not None and now >= transaction.lapses_at


def _account_refusal(account: Account) -> str | None:
    # ASM-043; an account started in another app counts as already set up (S0B4).
    if account.state == "locked":
        return "S0C4"
    if account.state == "suspended":
        return "S0B5"
    if account.issued or account.state == "elsewhere":
        return "S0B4"
    return None

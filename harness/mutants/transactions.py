"""Mutants that get transaction confirmation (3.13) wrong, or the service's own judgement:
the transaction shown, confirmed or opened by a notification is not the right one; a used
password is accepted; a code of 4.3 is raised only when injected, never by its condition.
Those that break a contract of spec/contracts.yaml name it (`Mutant.contract`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Final

from harness.mutants.app import Mutant, server_patch
from harness.mutants.edit import edit_transitions
from statechart.domain import Token, Transaction
from statechart.model import Spec, Transition
from statechart.server import AuthServer, Outcome
from statechart.session import Session

__all__ = ["TRANSACTION_MUTANTS"]


def _used_password_accepted(server: AuthServer) -> None:
    confirm = server.confirm_transaction

    def confirmed(
        token: Token, transaction_id: str, password: str, now: datetime, online: bool
    ) -> Outcome:
        server._used_steps.clear()  # the service forgets which steps were used
        return confirm(token, transaction_id, password, now, online)

    server.confirm_transaction = confirmed  # type: ignore[method-assign]


def _newest_first(server: AuthServer) -> None:
    pending = server.pending_transactions

    def newest(token_key: tuple[str, str], now: datetime | None = None) -> list[Transaction]:
        return list(reversed(pending(token_key, now)))

    server.pending_transactions = newest  # type: ignore[method-assign]


def _notification_opens_oldest(server: AuthServer) -> None:
    """The old reference: the notified transaction is not asked for; the oldest opens."""
    fetch = server.fetch_transaction

    def fetched(
        token: Token, now: datetime, device_skew: int, online: bool, wanted: str | None = None
    ) -> Outcome:
        return fetch(token, now, device_skew, online, None)

    server.fetch_transaction = fetched  # type: ignore[method-assign]


def _confirms_all(server: AuthServer) -> None:
    confirm = server.confirm_transaction

    def confirmed(
        token: Token, transaction_id: str, password: str, now: datetime, online: bool
    ) -> Outcome:
        outcome = confirm(token, transaction_id, password, now, online)
        if outcome.ok:
            for transaction in server.pending_transactions(token.key):
                transaction.state = "confirmed"
        return outcome

    server.confirm_transaction = confirmed  # type: ignore[method-assign]


def _confirms_none(server: AuthServer) -> None:
    confirm = server.confirm_transaction

    def confirmed(
        token: Token, transaction_id: str, password: str, now: datetime, online: bool
    ) -> Outcome:
        outcome = confirm(token, transaction_id, password, now, online)
        if outcome.transaction is not None:
            outcome.transaction.state = "pending"
        return outcome

    server.confirm_transaction = confirmed  # type: ignore[method-assign]


def _expired_still_valid(server: AuthServer) -> None:
    """The old reference: a token that expired while the app runs still starts, fetches
    and confirms (no S5D2 / S6D2, ASM-048)."""
    valid = server._invalid

    def invalid(token: Token, now: datetime, code: str) -> str | None:
        found = valid(token, now, code)
        locked = server._accounts[token.key].state == "token_locked"
        return found if locked else None

    server._invalid = invalid  # type: ignore[method-assign]


def _conditions_ignored(session: Session) -> None:
    """A service that raises the codes of 4.3 only when told to (injection), never by their
    conditions: a suspended user, a locked activation password, a locked token, an incomplete
    setup, an application pending or lapsed, a
    transaction that lapsed, an outdated app (ASM-048 … ASM-051, ASM-054)."""
    world = session.world
    for account in world.accounts.values():
        if account.state in ("token_locked", "setup_incomplete", "suspended", "locked"):
            account.state = "active"
        account.transaction_application = None
    for transaction in world.transactions:
        transaction.lapses_at = None
    session.server._min_app_versions.clear()


def _empty_transaction_screen(spec: Spec) -> Spec:
    """The old reference: with nothing to confirm, 「取引確認」 itself is shown (3.13.2 注意)."""

    def retarget(transition: Transition) -> Transition:
        if transition.target == "running.main.transaction_started" and not transition.guard:
            return replace(transition, target="running.main.transaction")
        return transition

    return edit_transitions(spec, "running.main.transaction.fetching", retarget)


TRANSACTION_MUTANTS: Final[tuple[Mutant, ...]] = (
    Mutant("used_password_accepted", "3.13.2", "a password already used is accepted again",
           session=server_patch(_used_password_accepted), contract="password_verdict"),
    Mutant("newest_transaction_first", "3.13.2", "「取引確認」 shows the newest transaction",
           session=server_patch(_newest_first), contract="transaction_details_shown"),
    Mutant("notification_opens_oldest", "3.13.2",
           "a notification opens the oldest transaction, not its own",
           session=server_patch(_notification_opens_oldest),
           contract="notification_opens_its_transaction"),
    Mutant("confirms_every_transaction", "3.13.2", "confirming one confirms them all",
           session=server_patch(_confirms_all), contract="confirmation_confirms_that_transaction"),
    Mutant("confirms_no_transaction", "3.13.2", "confirming leaves the transaction pending",
           session=server_patch(_confirms_none), contract="confirmation_confirms_that_transaction"),
    Mutant("expired_token_confirms", "3.13.2 / 4.3",
           "a token that expired while the app runs still confirms (no S5D2 / S6D2)",
           session=server_patch(_expired_still_valid)),
    Mutant("codes_only_by_injection", "4.3",
           "the service raises S0B5, S0C4, S0K1, S1E2, S3B3, S3D3, S5D2, S5E2, S6B3, S7J5 only "
           "by injection",
           session=_conditions_ignored),
    Mutant("empty_transaction_screen", "3.13.2", "with nothing to confirm 「取引確認」 is shown",
           apply=_empty_transaction_screen, contract="transaction_details_shown"),
)  # fmt: skip
"""Transaction confirmation and the service's judgement, got wrong."""

"""Contracts on transaction confirmation (3.13.2): the transaction shown is the one confirmed.

The details a view carries (`transaction`, docs/protocol.md) identify the transaction: the
harness knows every transaction of the fixture and which it has seen confirmed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from harness.contracts.advance import NOTHING_TO_CONFIRM, says_nothing_to_confirm
from harness.contracts.registry import contract
from harness.contracts.step import Step
from harness.contracts.types import Finding
from harness.contracts.world import Transaction

__all__: list[str] = []


def _details(step: Step) -> dict[str, str] | None:
    details = None if step.view is None else step.view.get("transaction")
    if not isinstance(details, Mapping):
        return None
    return {str(k): str(v) for k, v in details.items()}


def _on_confirmation_screen(step: Step) -> bool:
    view = step.view
    return (
        view is not None
        and step.shown == "取引確認"
        and not step.failed
        and view.get("dialog") is None
    )


def _arriving(step: Step) -> bool:
    """The step that opens 「取引確認」 (or refreshes it): the app fetched a transaction."""
    return step.on != "取引確認" or step.tapped in ("更新", "取引確認")


def _nothing_shown(step: Step) -> bool:
    texts = None if step.view is None else step.view.get("texts")
    return step.shown == "取引確認開始完了" and says_nothing_to_confirm(texts)


def _shown(details: Mapping[str, str] | None) -> str:
    return "none" if details is None else repr(dict(details))


def _confirmed_again(step: Step, details: dict[str, str], pending: list[Transaction]) -> bool:
    token = step.world.selected_token
    if token is None or details in [t.details for t in pending]:
        return False
    return any(t.confirmed and t.key == token.key and t.details == details
               for t in step.world.transactions)  # fmt: skip


@contract("transaction_details_shown", aspects=("oldest",))
def _details_shown(step: Step) -> Iterator[Finding]:
    world = step.world
    token = world.selected_token
    if token is None or world.opening is not None:
        return  # notification_opens_its_transaction owns a notification's screen
    pending = world.pending(token.key)
    if _nothing_shown(step) and pending and not world.confirmed_any:
        yield Finding("no transaction is shown while one awaits confirmation",
                      _shown(pending[0].details), NOTHING_TO_CONFIRM)  # fmt: skip
        return
    if not _on_confirmation_screen(step):
        return
    details = _details(step)
    if details is None:
        yield Finding("「取引確認」 shows no transaction details", "the details", "none")
        return
    if not _arriving(step):
        previous = world.transaction(step.before.shown_transaction)
        if previous is not None and previous.details != details:
            yield Finding("「取引確認」 changed its transaction", _shown(previous.details),
                          _shown(details))  # fmt: skip
        return
    if _confirmed_again(step, details, pending):
        return  # confirmation_confirms_that_transaction's case
    if details not in [t.details for t in pending]:
        yield Finding("「取引確認」 shows no transaction awaiting confirmation",
                      " or ".join(_shown(t.details) for t in pending) or "no 「取引確認」",
                      _shown(details))  # fmt: skip
    elif details != pending[0].details:
        # Which of several awaiting transactions comes first is ASM-057's decision.
        yield Finding("「取引確認」 does not show the oldest transaction awaiting confirmation",
                      _shown(pending[0].details), _shown(details), "oldest")  # fmt: skip


@contract("notification_opens_its_transaction")
def _notification(step: Step) -> Iterator[Finding]:
    world = step.world
    opened = world.transaction(world.opening)
    if opened is None or not opened.pending(world.now):
        return
    if _nothing_shown(step):
        yield Finding("the notification's transaction is not shown", _shown(opened.details),
                      NOTHING_TO_CONFIRM)  # fmt: skip
    elif _on_confirmation_screen(step) and _details(step) != opened.details:
        yield Finding("the notification opened another transaction", _shown(opened.details),
                      _shown(_details(step)))  # fmt: skip


@contract("confirmation_confirms_that_transaction")
def _confirmation(step: Step) -> Iterator[Finding]:
    world = step.world
    token = world.selected_token
    if token is None or not world.confirmed_any:
        return
    pending = world.pending(token.key)
    if _nothing_shown(step) and pending:
        yield Finding("a transaction still awaiting confirmation is gone",
                      _shown(pending[0].details), NOTHING_TO_CONFIRM)  # fmt: skip
        return
    details = _details(step)
    shown_again = details is not None and _confirmed_again(step, details, pending)
    if _on_confirmation_screen(step) and _arriving(step) and shown_again:
        yield Finding("a confirmed transaction is shown for confirmation again",
                          " or ".join(_shown(t.details) for t in pending) or "none",
                          _shown(details))  # fmt: skip

"""Mutants that get an effect the manual promises wrong (issue 11) for passwords, PINs and
tokens, the reference's own old bugs among them: each breaks a contract of
spec/contracts.yaml (named in `Mutant.contract`). Transactions are in transactions.py.

A screen that looks right is not enough: the password must authenticate, a PIN or a
correction must take effect, a rename must rename the token it names. These bugs keep most
titles and labels and get the effect wrong, so a suite that compares only what the app
shows can pass them; the contracts (harness.contracts) fail them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from harness.mutants.app import Mutant, server_patch
from harness.mutants.edit import delete_transitions
from statechart.actions import ACTIONS
from statechart.domain import Token
from statechart.inputs import check_input
from statechart.model import Spec
from statechart.otp import token_password
from statechart.server import AuthServer, Outcome
from statechart.session import Session

__all__ = ["EFFECT_MUTANTS"]

View = dict[str, Any]


def _title(view: View) -> str | None:
    screen = view.get("screen")
    return screen.get("title") if isinstance(screen, dict) else None


# ---- the password (2.1, 3.1.3, 3.8, 3.9, 3.10, 4.2)


def _five_digits(s: Session, view: View) -> View:
    otp = view["otp"]
    return view if otp is None else {**view, "otp": otp[1:]}


def _true_time_password(session: Session) -> None:
    """Passwords from true time: the device clock is ignored (ASM-009)."""
    rules = session.rules

    def password(token: Token) -> str:
        pin = session.entered_pin if token.pin is not None else None
        return token_password(
            token.seed, pin, session.world.now, period=rules.period, digits=rules.digits
        )

    session.password = password  # type: ignore[method-assign]


def _password_without_pin(session: Session) -> None:
    """The old reference's bug class (1.3.1, 3.3): a PIN token's password computed without
    its PIN, which the service refuses (4.2, ASM-037)."""
    rules = session.rules

    def password(token: Token) -> str:
        return token_password(
            token.seed, None, session.device_now, period=rules.period, digits=rules.digits
        )

    session.password = password  # type: ignore[method-assign]


def _pin_entry_by_activation_rule(s: Session) -> None:
    """The old reference's bug class (4.2 + 3.8, ASM-047): 「PIN入力」 checks the wider rule
    of the activation password (half-width letters and digits, any length), not 3.8's."""
    pin = s.form.get("PIN", "")
    rule = s.spec.rules.inputs["activation_password"]
    if not isinstance(pin, str) or not check_input(pin, rule.charset, rule.min, rule.max):
        s.fail("A913")
        return
    s.entered_pin = pin


def _password_while_expired(s: Session, view: View) -> View:
    """The old reference: a token that expires while shown keeps showing its password."""
    token = s.selected
    if _title(view) == "ワンタイムパスワード" and token is not None and view["otp"] is None:
        return {**view, "otp": s.password(token)}
    return view


def _expired_shows_otp(spec: Spec) -> Spec:
    """An expired token opens 「ワンタイムパスワード」 instead of 「有効期限切れ」."""

    return delete_transitions(
        spec, "running.token_route", lambda t: t.guard == ("selected_expired",)
    )


def _initial_pin(pin: str) -> Callable[[AuthServer], None]:
    """The service issues PIN tokens whose PIN is not the activation password (4.2)."""

    def patch(server: AuthServer) -> None:
        issue = server.issue

        def issued(*args: Any, **kwargs: Any) -> Outcome:
            outcome = issue(*args, **kwargs)
            if outcome.token is not None and outcome.token.pin is not None:
                outcome.token.pin = pin
            return outcome

        server.issue = issued  # type: ignore[method-assign]

    return patch


def _setup_without_pin(s: Session) -> None:
    """The old reference: after 初期設定 the password ignored the PIN (4.2)."""
    ACTIONS["request_issue"](s)
    s.entered_pin = None


def _pin_change_after_restart(s: Session) -> None:
    """3.8's change reaches the service, but the running app keeps the old PIN."""
    kept = s.entered_pin
    ACTIONS["request_pin_change"](s)
    s.entered_pin = kept


def _current_pin_ignored(server: AuthServer) -> None:
    change = server.change_pin

    def changed(token: Token, current: str, new: str, now: datetime, online: bool) -> Outcome:
        return change(token, token.pin or current, new, now, online)

    server.change_pin = changed  # type: ignore[method-assign]


def _no_correction(server: AuthServer) -> None:
    """パスワード補正 succeeds, but the service keeps no correction (3.10)."""
    server.correction = lambda token_key: 0  # type: ignore[method-assign]


def _pin_in_clear(s: Session, view: View) -> View:
    if "PIN" not in view["fields"]:
        return view
    return {**view, "fields": {**view["fields"], "PIN": str(s.form.get("PIN", ""))}}


# ---- tokens (3.3, 3.4, 3.12, 4.2)


def _other_serial(server: AuthServer) -> None:
    issue = server.issue

    def issued(*args: Any, **kwargs: Any) -> Outcome:
        outcome = issue(*args, **kwargs)
        if outcome.token is not None:
            outcome.token.serial = f"{(int(outcome.token.serial) + 1) % 10**8:08d}"
        return outcome

    server.issue = issued  # type: ignore[method-assign]


def _blank_keeps_text(s: Session) -> None:
    """A blank 「変更後の追加文言」 keeps the old text (1.3.1, 3.12 注意)."""
    if s.form.get("変更後の追加文言"):
        ACTIONS["set_display_text"](s)


def _add_names_selected(spec: Spec) -> Spec:
    """The old reference: 3.3's 「トークン表示名設定」 shows the selected token."""
    path = "running.main.settings.add_display_name"
    state = replace(spec.statechart.state(path), shows=("token",))
    chart = replace(spec.statechart, states={**spec.statechart.states, path: state})
    return replace(spec, statechart=chart)


def _leaky_load_text(s: Session) -> None:
    """The old reference: 3.12 took the token of a 3.3 flow left unfinished, if any."""
    token = s.naming_token() or s.selected
    if token is not None:
        s.prefill["変更後の追加文言"] = token.added_text


def _leaky_set_text(s: Session) -> None:
    token = s.naming_token() or s.selected
    if token is not None:
        token.added_text = str(s.form.get("変更後の追加文言", ""))
    s.naming = None


def _deletes_the_next(s: Session) -> None:
    if s.marked is not None and s.marked + 1 < len(s.tokens):
        s.marked += 1
    ACTIONS["delete_marked_token"](s)


def _selection_not_shifted(s: Session) -> None:
    """Deleting a token listed before the selected one leaves the index as it was."""
    marked, selected = s.marked, s.world.app.selected
    ACTIONS["delete_marked_token"](s)
    if marked is not None and selected is not None and selected != marked:
        s.world.app.selected = selected if selected < len(s.tokens) else None


def _lock_stays(s: Session) -> None:
    """Turning the app lock off is accepted, but the code stays in force."""
    if s.lock_form_on:
        ACTIONS["apply_app_lock"](s)


def _renewal_keeps_expiry(server: AuthServer) -> None:
    renew = server.renew

    def renewed(token: Token, now: datetime, device_skew: int, online: bool) -> Outcome:
        expires = token.expires
        outcome = renew(token, now, device_skew, online)
        token.expires = expires
        return outcome

    server.renew = renewed  # type: ignore[method-assign]


EFFECT_MUTANTS: Final[tuple[Mutant, ...]] = (
    Mutant("five_digit_password", "2.1", "the password has 5 digits",
           view=_five_digits, contract="password_format"),
    Mutant("password_from_true_time", "2.1",
           "the password is computed from true time, not the device clock",
           session=_true_time_password, contract="password_value"),
    Mutant("expired_shows_otp", "3.9.2", "an expired token shows its password at launch",
           apply=_expired_shows_otp, view=_password_while_expired,
           contract="expired_token_shows_no_password"),
    Mutant("password_after_expiry", "3.9.2",
           "a token that expires while shown keeps showing its password",
           view=_password_while_expired, contract="expired_token_shows_no_password"),
    Mutant("initial_pin_not_activation_password", "4.2",
           "a new PIN token's PIN is not its activation password",
           session=server_patch(_initial_pin("0000")),
           contract="initial_pin_is_activation_password"),
    Mutant("pinless_password_after_setup", "4.2 / 1.3.1",
           "after 初期設定 of a PIN service the password ignores the PIN",
           actions={"request_issue": _setup_without_pin},
           contract="initial_pin_is_activation_password"),
    Mutant("password_without_pin", "4.2 / 3.3",
           "a PIN token's password is computed without its PIN",
           session=_password_without_pin, contract="password_value"),
    Mutant("pin_entry_by_activation_rule", "3.1.3 / 3.8",
           "「PIN入力」 accepts what an activation password may be (letters, any length)",
           actions={"check_pin_entry": _pin_entry_by_activation_rule}),
    Mutant("pin_change_after_restart", "3.8", "a new PIN takes effect only after a restart",
           actions={"request_pin_change": _pin_change_after_restart},
           contract="pin_change_takes_effect"),
    Mutant("current_pin_ignored", "3.8", "PIN変更 accepts any 「現在のPIN」",
           session=server_patch(_current_pin_ignored), contract="current_pin_checked"),
    Mutant("correction_stores_nothing", "3.10", "パスワード補正 stores no correction",
           session=server_patch(_no_correction), contract="correction_takes_effect"),
    Mutant("pin_in_clear", "3.1.3", "the PIN typed shows in clear",
           view=_pin_in_clear, contract="secrets_masked"),
    Mutant("other_serial", "4.2", "a new token gets a serial other than the documented one",
           session=server_patch(_other_serial), contract="token_serial"),
    Mutant("blank_text_kept", "3.12", "a blank 「変更後の追加文言」 keeps the old text",
           actions={"set_display_text": _blank_keeps_text}, contract="display_text_applied"),
    Mutant("add_names_selected_token", "3.3",
           "3.3's 「トークン表示名設定」 shows the selected token, not the new one",
           apply=_add_names_selected, contract="acted_on_token_is_named"),
    Mutant("rename_leaks_pending_token", "3.12",
           "3.12 renames the token of a 3.3 flow left at 「トークン表示名設定」",
           actions={"load_display_text": _leaky_load_text, "set_display_text": _leaky_set_text},
           contract="display_text_applied"),
    Mutant("deletes_the_next_token", "3.4", "the token after the one confirmed is deleted",
           actions={"delete_marked_token": _deletes_the_next},
           contract="deletion_removes_that_token"),
    Mutant("selection_not_shifted", "3.4",
           "deleting a token listed before the selected one changes the selection",
           actions={"delete_marked_token": _selection_not_shifted}, contract="selection_kept"),
    Mutant("lock_stays_after_off", "3.7", "turning the app lock off leaves the code in force",
           actions={"apply_app_lock": _lock_stays}, contract="lock_code_in_force"),
    Mutant("renewal_keeps_expiry", "3.9.1", "有効期限更新 completes but the expiry stays",
           session=server_patch(_renewal_keeps_expiry), contract="renewal_extends_expiry"),
)  # fmt: skip
"""Effects the manual promises, got wrong; the reference's old bugs among them."""

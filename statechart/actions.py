"""The actions the statechart names: what the app does when a transition is taken.

Checks that fail call `Session.fail` with the manual's code; the statechart's next
choice state sends the app to the error dialog. `otpspec validate` checks that the
statechart names exactly these actions.
"""

from __future__ import annotations

from collections.abc import Callable

from statechart.domain import default_added_text
from statechart.inputs import check_input
from statechart.server import Outcome
from statechart.session import Session

__all__ = ["ACTIONS"]

ActionFunction = Callable[[Session], None]
ACTIONS: dict[str, ActionFunction] = {}

_BIOMETRIC_SETTINGS = "settings:biometrics"
"""What the not-enrolled dialog's [次へ] opens: the device's settings, not a web page."""


def _action(function: ActionFunction) -> ActionFunction:
    ACTIONS[function.__name__] = function
    return function


def _valid(s: Session, rule: str, value: object) -> bool:
    spec_rule = s.spec.rules.inputs[rule]
    return isinstance(value, str) and check_input(
        value, spec_rule.charset, spec_rule.min, spec_rule.max
    )


def _field(s: Session, label: str) -> str:
    value = s.form.get(label, "")
    return value if isinstance(value, str) else ""


def _apply(s: Session, outcome: Outcome, variant: str | None = None) -> bool:
    """Shows the outcome's error, if any; True on success."""
    if outcome.code is not None:
        s.fail(outcome.code, variant)
        return False
    return True


def _skew(s: Session) -> int:
    return s.world.device.skew_seconds


# ---- launch and leaving (2.1, 2.3, 3.1, 4.1)
@_action
def begin_launch(s: Session) -> None:
    s.clear_error()
    s.from_notification = False
    s.entered_pin = None
    s.transaction = None
    s.naming = None
    if s.world.device.memory_low:
        s.fail("A9EX")
        return
    _apply(s, s.server.launch_check())


@_action
def end_session(s: Session) -> None:
    s.from_notification = False
    s.entered_pin = None
    s.transaction = None
    s.lock_form_on = False
    s.naming = None


@_action
def clear_error(s: Session) -> None:
    s.clear_error()


@_action
def agree_privacy(s: Session) -> None:
    s.world.app.privacy_policy_agreed = True


@_action
def revoke_privacy(s: Session) -> None:
    s.world.app.privacy_policy_agreed = False


@_action
def check_lock_code(s: Session) -> None:
    code = _field(s, "アプリロックコード")
    if not _valid(s, "app_lock_code", code) or code != s.world.app.app_lock_code:
        s.fail("A914")


# ---- choosing a token (3.1, 3.2, 3.9)
@_action
def select_only_token(s: Session) -> None:
    s.world.app.selected = 0
    s.entered_pin = None


@_action
def select_listed_token(s: Session) -> None:
    s.world.app.selected = s.tapped
    s.entered_pin = None


@_action
def check_pin_entry(s: Session) -> None:
    pin = _field(s, "PIN")
    if not _valid(s, "pin", pin):
        s.fail("A913")
        return
    s.entered_pin = pin


@_action
def delete_selected_token(s: Session) -> None:
    index = s.world.app.selected
    if index is not None:
        del s.tokens[index]
    s.world.app.selected = None


@_action
def request_renewal(s: Session) -> None:
    token = s.require_selected()
    variant = "transaction_confirmation_active" if token.transaction_started else None
    _apply(s, s.server.renew(token, s.world.now, _skew(s), s.world.online), variant)


# ---- issuing a token (1.3.1, 3.3)
@_action
def request_issue(s: Session) -> None:
    if _issue(s, variant=None):
        s.world.app.selected = s.naming
        # 4.2: the PIN starts as the activation password just typed; 1.3.1 goes on to
        # 「ワンタイムパスワード」 without PIN入力, so the app uses it (ASM-046).
        s.entered_pin = s.require_selected().pin


@_action
def request_token_add(s: Session) -> None:
    _issue(s, variant="token_add")


def _issue(s: Session, variant: str | None) -> bool:
    service_id, user_id = _field(s, "サービスID"), _field(s, "ユーザID")
    password = _field(s, "利用開始パスワード")
    fields = (("service_id", service_id), ("user_id", user_id), ("activation_password", password))
    if not all(_valid(s, rule, value) for rule, value in fields):
        s.fail("A911", variant)
        return False
    if any(t.service_id == service_id and t.user_id == user_id for t in s.tokens):
        s.fail("A916", variant)
        return False
    world = s.world
    outcome = s.server.issue(
        service_id, user_id, password, world.now, _skew(s), world.online, s.rules.version
    )
    if not _apply(s, outcome, variant) or outcome.token is None:
        return False
    service = s.world.services[service_id]
    outcome.token.added_text = default_added_text(
        service, s.tokens, first=s.rules.suffix_first, pattern=s.rules.suffix_pattern
    )
    s.tokens.append(outcome.token)
    s.naming = len(s.tokens) - 1
    return True


_DISPLAY_TEXT = "変更後の追加文言"


@_action
def load_new_token_text(s: Session) -> None:
    """1.3.1 (4), 3.3 (4): 「トークン表示名設定」 names the token just issued."""
    token = s.naming_token()
    if token is not None:
        s.prefill[_DISPLAY_TEXT] = token.added_text


@_action
def set_new_token_text(s: Session) -> None:
    token = s.naming_token()
    if token is not None:
        token.added_text = _field(s, _DISPLAY_TEXT)
    s.naming = None


@_action
def load_display_text(s: Session) -> None:
    """3.12: 「トークン表示名設定」 from 設定メニュー names the selected token."""
    token = s.selected
    if token is not None:
        s.prefill[_DISPLAY_TEXT] = token.added_text


@_action
def set_display_text(s: Session) -> None:
    token = s.selected
    if token is not None:
        token.added_text = _field(s, _DISPLAY_TEXT)


# ---- the OTP screen (2.2, 3.14)
@_action
def open_link(s: Session) -> None:
    token = s.require_selected()
    service = s.service_of(token)
    if service is not None and service.link:
        s.browser = service.link


@_action
def open_biometric_settings(s: Session) -> None:
    s.browser = _BIOMETRIC_SETTINGS


@_action
def request_biometric_setup(s: Session) -> None:
    login_id, password = _field(s, "ログインID"), _field(s, "ログインパスワード")
    if not (_valid(s, "login_id", login_id) and _valid(s, "login_password", password)):
        s.fail("A925")
        return
    token = s.require_selected()
    if _apply(s, s.server.register_biometric(token, login_id, password, s.world.online)):
        token.biometric_registered = True
        token.biometric_mode = True


@_action
def open_login_site(s: Session) -> None:
    service = s.service_of(s.require_selected())
    if service is not None and service.login_site:
        s.browser = service.login_site


@_action
def select_otp_mode(s: Session) -> None:
    s.require_selected().biometric_mode = False


@_action
def select_biometric_mode(s: Session) -> None:
    s.require_selected().biometric_mode = True


@_action
def release_biometric(s: Session) -> None:
    token = s.require_selected()
    token.biometric_registered = False
    token.biometric_mode = False


# ---- transaction confirmation (3.13)
@_action
def receive_notification(s: Session) -> None:
    s.notification = s.incoming
    s.incoming = None


@_action
def open_from_notification(s: Session) -> None:
    s.from_notification = True


@_action
def select_notified_token(s: Session) -> None:
    pending = s.server.transaction(s.notification) if s.notification else None
    for index, token in enumerate(s.tokens):
        if pending is not None and (token.service_id, token.user_id) == (
            pending.service_id,
            pending.user_id,
        ):
            s.world.app.selected = index
            break
    else:
        s.world.app.selected = 0
    s.entered_pin = None


@_action
def request_transaction_start(s: Session) -> None:
    token = s.require_selected()
    s.nothing_pending = False
    outcome = s.server.start_transactions(token, s.world.now, _skew(s), s.world.online)
    if _apply(s, outcome):
        token.transaction_started = True


@_action
def fetch_transaction(s: Session) -> None:
    # A notification opens its own transaction (3.13.2 (3), ASM-026), not the oldest.
    wanted = s.notification if s.from_notification else None
    s.from_notification = False
    s.notification = None
    s.form.clear()
    token = s.require_selected()
    world = s.world
    outcome = s.server.fetch_transaction(token, world.now, _skew(s), world.online, wanted)
    s.transaction = outcome.transaction if _apply(s, outcome) else None
    s.nothing_pending = outcome.ok and outcome.transaction is None


@_action
def request_transaction_confirm(s: Session) -> None:
    token, transaction = s.require_selected(), s.transaction
    transaction_id = "" if transaction is None else transaction.transaction_id
    password = s.password(token)
    outcome = s.server.confirm_transaction(
        token, transaction_id, password, s.world.now, s.world.online
    )
    if _apply(s, outcome):
        s.transaction = None


# ---- settings (3.3–3.12, 3.15)
@_action
def mark_token_for_deletion(s: Session) -> None:
    s.marked = s.tapped


@_action
def delete_marked_token(s: Session) -> None:
    marked, selected = s.marked, s.world.app.selected
    if marked is None:
        return
    del s.tokens[marked]
    if selected == marked:
        s.world.app.selected = None
    elif selected is not None and selected > marked:
        s.world.app.selected = selected - 1
    s.marked = None


@_action
def load_app_lock_form(s: Session) -> None:
    s.lock_form_on = s.world.app.app_lock_code is not None


@_action
def turn_lock_form_on(s: Session) -> None:
    s.lock_form_on = True


@_action
def turn_lock_form_off(s: Session) -> None:
    s.lock_form_on = False
    s.form.pop("アプリロックコード", None)
    s.form.pop("アプリロックコード(確認用)", None)


@_action
def apply_app_lock(s: Session) -> None:
    if not s.lock_form_on:
        s.world.app.app_lock_code = None
        return
    code, again = _field(s, "アプリロックコード"), _field(s, "アプリロックコード(確認用)")
    if not _valid(s, "app_lock_code", code) or code != again:
        s.fail("A914")
        return
    s.world.app.app_lock_code = code


@_action
def request_pin_change(s: Session) -> None:
    current, new = _field(s, "現在のPIN"), _field(s, "新しいPIN")
    again = _field(s, "新しいPIN(確認用)")
    if not all(_valid(s, "pin", value) for value in (current, new, again)) or new != again:
        s.fail("A912")
        return
    token = s.require_selected()
    outcome = s.server.change_pin(token, current, new, s.world.now, s.world.online)
    if _apply(s, outcome) and token.pin is not None:
        s.entered_pin = token.pin


@_action
def request_correction(s: Session) -> None:
    token = s.require_selected()
    _apply(s, s.server.correct(token, s.world.now, _skew(s), s.world.online))

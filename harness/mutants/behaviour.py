"""Mutants whose bug is in what the app does on screen: an action or the view replaced.

Each is the reference with one plausible slip of an app vendor; the section it breaks is
the one a conformance run must name.
"""

from __future__ import annotations

from typing import Any, Final

from harness.mutants.app import ActionFunction, Mutant
from statechart.actions import ACTIONS
from statechart.domain import default_added_text
from statechart.inputs import check_input
from statechart.session import Session

__all__ = ["BEHAVIOUR_MUTANTS"]


def _field(s: Session, label: str) -> str:
    value = s.form.get(label, "")
    return value if isinstance(value, str) else ""


def _valid(s: Session, rule_name: str, value: str) -> bool:
    rule = s.spec.rules.inputs[rule_name]
    return check_input(value, rule.charset, rule.min, rule.max)


def _issue_without_duplicate_check(s: Session, variant: str | None) -> bool:
    """初期設定/トークン追加 exactly as the reference does it, minus the A916 check."""
    service_id, user_id = _field(s, "サービスID"), _field(s, "ユーザID")
    password = _field(s, "利用開始パスワード")
    fields = (("service_id", service_id), ("user_id", user_id), ("activation_password", password))
    if not all(_valid(s, rule, value) for rule, value in fields):
        s.fail("A911", variant)
        return False
    world = s.world
    outcome = s.server.issue(
        service_id,
        user_id,
        password,
        world.now,
        world.device.skew_seconds,
        world.online,
        s.rules.version,
    )
    if outcome.code is not None or outcome.token is None:
        s.fail(outcome.code or "A999", variant)
        return False
    outcome.token.added_text = default_added_text(
        world.services[service_id],
        s.tokens,
        first=s.rules.suffix_first,
        pattern=s.rules.suffix_pattern,
    )
    s.tokens.append(outcome.token)
    s.naming = len(s.tokens) - 1
    return True


def _issue_no_a916(s: Session) -> None:
    # As request_issue: the new token is in use, its PIN the activation password (4.2), so
    # the only bug is the missing A916 (the password stays right).
    if _issue_without_duplicate_check(s, None):
        s.world.app.selected = s.naming
        s.entered_pin = s.require_selected().pin


def _add_no_a916(s: Session) -> None:
    _issue_without_duplicate_check(s, "token_add")


def _add_without_suffix(s: Session) -> None:
    ACTIONS["request_token_add"](s)
    if not s.failed and s.naming is not None:
        s.tokens[s.naming].added_text = ""


_FULL_DIGITS: Final = str.maketrans("０１２３４５６７８９", "0123456789")
_LOCK_FIELDS: Final = ("アプリロックコード", "アプリロックコード(確認用)")


def _halfwidth_lock_fields(action: str) -> ActionFunction:
    """The action, after turning full-width digits in the lock code fields into half-width."""

    def run(s: Session) -> None:
        for label in _LOCK_FIELDS:
            value = s.form.get(label)
            if isinstance(value, str):
                s.form[label] = value.translate(_FULL_DIGITS)
        ACTIONS[action](s)

    return run


def _launch_ignoring_memory(s: Session) -> None:
    device = s.world.device
    low, device.memory_low = device.memory_low, False
    try:
        ACTIONS["begin_launch"](s)
    finally:
        device.memory_low = low


def _pin_entry_checked_locally(s: Session) -> None:
    ACTIONS["check_pin_entry"](s)
    token = s.selected
    if not s.failed and token is not None and s.entered_pin != token.pin:
        s.fail("A913")


def _link_even_without_one(s: Session) -> None:
    ACTIONS["open_link"](s)
    if s.browser is None:
        s.browser = "https://www.example.com/"


def _without_serial(s: Session, view: dict[str, Any]) -> dict[str, Any]:
    prefix = str(s.spec.rules.value("serial_format")).split("{", 1)[0]
    return {**view, "texts": [t for t in view["texts"] if not t.startswith(prefix)]}


def _unpadded_os_version(s: Session) -> bool:
    """The old reference: versions compared as written, so "6" is before "6.0" (3.14)."""
    token = s.selected
    service = None if token is None else s.service_of(token)
    device = s.world.device
    minimum = s.rules.biometric_min_os.get(device.os)
    mine = tuple(int(p) for p in device.os_version.split("."))
    return (
        service is not None
        and service.biometric_login
        and device.biometrics != "unsupported"
        and minimum is not None
        and mine >= tuple(int(p) for p in minimum.split("."))
    )


_LOCK_ACTIONS: Final = ("apply_app_lock", "check_lock_code")

BEHAVIOUR_MUTANTS: Final[tuple[Mutant, ...]] = (
    Mutant("no_suffix", "3.3", "a second token of a service gets no _2 suffix",
           actions={"request_token_add": _add_without_suffix}, contract="display_names"),
    Mutant("no_a916", "3.3 / 4.3", "A916 is never raised: a token can be registered twice",
           actions={"request_issue": _issue_no_a916, "request_token_add": _add_no_a916}),
    Mutant("full_width_lock_code", "3.5", "full-width digits are accepted in the lock code",
           actions={name: _halfwidth_lock_fields(name) for name in _LOCK_ACTIONS}),
    Mutant("no_serial_line", "4.2", "the serial number line is missing",
           view=_without_serial),
    Mutant("memory_not_checked", "4.1", "a shortage of memory is not detected at launch",
           actions={"begin_launch": _launch_ignoring_memory}),
    Mutant("wrong_pin_refused", "4.2", "a wrong PIN shows A913 instead of a wrong password",
           actions={"check_pin_entry": _pin_entry_checked_locally}),
    Mutant("link_without_link", "2.2", "the logo opens a page though the service has no link",
           actions={"open_link": _link_even_without_one}),
    Mutant("os_version_unpadded", "3.14",
           "Android \"6\" / iOS \"9\" counts as older than 6.0 / 9.0",
           guards={"biometric_available": _unpadded_os_version}),
)  # fmt: skip
"""Bugs in what the app does: an action, a guard or the view replaced."""

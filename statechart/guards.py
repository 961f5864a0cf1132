"""The guards the statechart names: questions about the session, each answered here.

`otpspec validate` checks that the statechart names exactly these (no unknown, no unused).
"""

from __future__ import annotations

from collections.abc import Callable

from statechart import clock
from statechart.session import Session

__all__ = ["GUARDS"]

GuardFunction = Callable[[Session], bool]
GUARDS: dict[str, GuardFunction] = {}


def _guard(function: GuardFunction) -> GuardFunction:
    GUARDS[function.__name__] = function
    return function


# ---- the outcome of the last check or request
@_guard
def operation_failed(s: Session) -> bool:
    return s.failed


@_guard
def error_closes_app(s: Session) -> bool:
    return s.error is not None and s.error.entry.on_dismiss == "close_app"


# ---- app settings
@_guard
def privacy_agreed(s: Session) -> bool:
    return s.world.app.privacy_policy_agreed


@_guard
def privacy_revoked(s: Session) -> bool:
    return not s.world.app.privacy_policy_agreed


@_guard
def app_lock_set(s: Session) -> bool:
    return s.world.app.app_lock_code is not None


@_guard
def lock_form_on(s: Session) -> bool:
    return s.lock_form_on


# ---- tokens
@_guard
def has_tokens(s: Session) -> bool:
    return bool(s.tokens)


@_guard
def multiple_tokens(s: Session) -> bool:
    return len(s.tokens) >= 2


@_guard
def token_limit_reached(s: Session) -> bool:
    return len(s.tokens) >= s.rules.max_tokens


@_guard
def has_selected_token(s: Session) -> bool:
    return s.selected is not None


@_guard
def selected_expired(s: Session) -> bool:
    return clock.is_expired(s.require_selected().expires, s.today)


@_guard
def selected_in_renewal_window(s: Session) -> bool:
    token = s.require_selected()
    return clock.in_renewal_window(token.expires, s.today, s.rules.window_days)


@_guard
def selected_has_pin(s: Session) -> bool:
    token = s.selected
    return token is not None and token.pin is not None


# ---- forms
@_guard
def checkbox_checked(s: Session) -> bool:
    return any(value is True for value in s.form.values())


# ---- transaction confirmation (3.13)
@_guard
def transaction_available(s: Session) -> bool:
    token = s.selected
    service = None if token is None else s.service_of(token)
    return service is not None and service.transaction_confirmation


@_guard
def transaction_started(s: Session) -> bool:
    token = s.selected
    return token is not None and token.transaction_started


@_guard
def has_transaction(s: Session) -> bool:
    return s.transaction is not None


@_guard
def nothing_to_confirm(s: Session) -> bool:
    return s.nothing_pending


@_guard
def notification_pending(s: Session) -> bool:
    return s.notification is not None


@_guard
def launched_from_notification(s: Session) -> bool:
    return s.from_notification


# ---- biometric login (3.14)
@_guard
def biometric_available(s: Session) -> bool:
    token = s.selected
    service = None if token is None else s.service_of(token)
    device = s.world.device
    minimum = s.rules.biometric_min_os.get(device.os)
    return (
        service is not None
        and service.biometric_login
        and device.biometrics != "unsupported"
        and minimum is not None
        and device.os_version_at_least(minimum)
    )


@_guard
def biometric_enrolled(s: Session) -> bool:
    return s.world.device.biometrics == "enrolled"


@_guard
def biometric_registered(s: Session) -> bool:
    token = s.selected
    return token is not None and token.biometric_registered


@_guard
def biometric_mode(s: Session) -> bool:
    token = s.selected
    return token is not None and token.biometric_mode

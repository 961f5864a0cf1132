"""The reference app's context: the world it runs in and what the current session holds.

Guards (`statechart/guards.py`) read it and actions (`statechart/actions.py`) change it;
the statechart decides which of them run when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from statechart import clock
from statechart.domain import Service, Token, Transaction, World
from statechart.model import ErrorEntry, Rules, Spec
from statechart.otp import token_password
from statechart.server import AuthServer

__all__ = ["RuleValues", "Session", "ShownError"]


@dataclass(frozen=True)
class RuleValues:
    """The rules the running app needs, read once from spec/rules.yaml."""

    version: str
    max_tokens: int
    period: int
    digits: int
    window_days: int
    extension_days: int
    validity_days: int
    repeat_seconds: int
    max_skew_seconds: int
    mask: str
    suffix_first: int
    suffix_pattern: str
    serial_format: str
    expiry_format: str
    start_format: str
    biometric_min_os: dict[str, str]
    device_keys: dict[str, tuple[str, ...]]

    @classmethod
    def from_rules(cls, rules: Rules) -> RuleValues:
        """Reads the values from the typed rules."""
        value = rules.value
        suffix = _mapping(value("suffix"))
        keys = _mapping(value("device_keys"))
        return cls(
            version=str(value("version")),
            max_tokens=_int(value("max_tokens")),
            period=_int(value("otp_period_seconds")),
            digits=_int(value("otp_digits")),
            window_days=_int(value("renewal_window_days")),
            extension_days=_int(value("renewal_extension_days")),
            validity_days=_int(value("token_validity_days")),
            repeat_seconds=_int(value("correction_repeat_seconds")),
            max_skew_seconds=_int(value("correction_max_skew_seconds")),
            mask=str(value("mask_character")),
            suffix_first=_int(suffix["first"]),
            suffix_pattern=str(suffix["pattern"]),
            serial_format=str(value("serial_format")),
            expiry_format=str(value("expiry_format")),
            start_format=str(value("start_format")),
            biometric_min_os={os: str(v) for os, v in _mapping(value("biometric_min_os")).items()},
            device_keys={os: tuple(str(k) for k in _list(v)) for os, v in keys.items()},
        )


def _mapping(value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        raise TypeError(f"rule should be a mapping, got {value!r}")
    return {str(k): v for k, v in value.items() if k not in ("sections", "assumptions", "assumed")}


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError(f"rule should be a list, got {value!r}")
    return value


def _int(value: object) -> int:
    if not isinstance(value, int):
        raise TypeError(f"rule should be an integer, got {value!r}")
    return value


@dataclass(frozen=True)
class ShownError:
    """An error on screen: its catalogue entry and the message as shown."""

    entry: ErrorEntry
    message: str

    @property
    def code(self) -> str | None:
        """The code as shown; the codeless message shows none."""
        return None if self.entry.code == "OTHER-APP" else self.entry.code


@dataclass
class Session:
    """Everything the guards read and the actions change."""

    spec: Spec
    rules: RuleValues
    world: World
    server: AuthServer
    form: dict[str, str | bool] = field(default_factory=dict)
    prefill: dict[str, str | bool] = field(default_factory=dict)
    failed: bool = False
    error: ShownError | None = None
    notification: str | None = None
    incoming: str | None = None
    from_notification: bool = False
    entered_pin: str | None = field(default=None, repr=False)
    tapped: int | None = None
    marked: int | None = None
    naming: int | None = None
    lock_form_on: bool = False
    transaction: Transaction | None = None
    nothing_pending: bool = False
    browser: str | None = None

    # ---- the world, as the app sees it
    @property
    def tokens(self) -> list[Token]:
        """The tokens stored in the app, in order of addition."""
        return self.world.app.tokens

    @property
    def selected(self) -> Token | None:
        """The token in use, if one is chosen."""
        index = self.world.app.selected
        return None if index is None or index >= len(self.tokens) else self.tokens[index]

    def require_selected(self) -> Token:
        """The token in use; the statechart only asks for it where one is chosen."""
        token = self.selected
        if token is None:
            raise LookupError("no token is selected here; the statechart should not ask")
        return token

    def naming_token(self) -> Token | None:
        """The token just issued, which 「トークン表示名設定」 of 1.3.1 and 3.3 names."""
        index = self.naming
        return None if index is None or index >= len(self.tokens) else self.tokens[index]

    def service_of(self, token: Token) -> Service | None:
        """The service a token belongs to."""
        return self.world.services.get(token.service_id)

    @property
    def device_now(self) -> datetime:
        """The device clock: true time plus the device's skew."""
        return self.world.now + timedelta(seconds=self.world.device.skew_seconds)

    @property
    def today(self) -> date:
        """Today's date on the device, in Japan time."""
        return clock.jst_date(self.device_now)

    def password(self, token: Token) -> str:
        """The password the app shows for a token now (with the PIN typed, if any)."""
        pin = self.entered_pin if token.pin is not None else None
        return token_password(
            token.seed, pin, self.device_now, period=self.rules.period, digits=self.rules.digits
        )

    # ---- errors
    def fail(self, code: str, variant: str | None = None) -> None:
        """Puts a catalogue error on screen (the statechart routes to its dialog)."""
        entry = next(e for e in self.spec.errors if e.code == code)
        message = entry.message
        for candidate in entry.variants:
            if candidate.when == variant:
                message = candidate.message
        message = message.replace("{version}", self.rules.version)
        self.failed = True
        self.error = ShownError(entry, message)

    def clear_error(self) -> None:
        """Takes the error off screen."""
        self.failed = False
        self.error = None

    def begin_step(self) -> None:
        """Forgets what the previous step opened in the browser."""
        self.browser = None

"""Typed state of the app's world (services, accounts, tokens, device) and fixture parsing."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final, Literal, TypeVar

from statechart.clock import (
    CLOCK_RANGE,
    FIRST_DATE,
    LAST_DATE,
    device_time,
    in_clock_range,
    in_date_range,
    jst_date,
    parse_date,
    parse_instant,
    shifted,
)
from statechart.inputs import check_input
from statechart.problems import JsonPath, format_json_path

__all__ = [
    "ACCOUNT_STATES",
    "BIOMETRICS",
    "DEFAULT_ACTIVATION_PASSWORD",
    "DEFAULT_NOW",
    "FIXTURE_START_OFFSET_DAYS",
    "MAX_DETAILS",
    "MAX_LINK_LENGTH",
    "MAX_SKEW_SECONDS",
    "MAX_TEXT_LENGTH",
    "MAX_VERSION_LENGTH",
    "MIN_SEED_BYTES",
    "OS_NAMES",
    "TOKEN_VALIDITY_DAYS",
    "TRANSACTION_APPLICATIONS",
    "TRANSACTION_STATES",
    "Account",
    "AccountState",
    "AppState",
    "Biometrics",
    "Device",
    "FixtureError",
    "OsName",
    "Service",
    "Token",
    "TokenKey",
    "Transaction",
    "TransactionApplication",
    "TransactionState",
    "World",
    "default_added_text",
    "demo_account",
    "demo_service",
    "derive_seed",
    "derive_serial",
    "new_token",
    "parse_fixture",
    "parse_seed",
    "version_at_least",
    "version_tuple",
]

TokenKey = tuple[str, str]
"""A token's (and its account's) identity: (service_id, user_id)."""

AccountState = Literal[
    "active", "suspended", "locked", "elsewhere", "token_locked", "setup_incomplete"
]
TransactionApplication = Literal["pending", "lapsed"]
TransactionState = Literal["pending", "confirmed"]
OsName = Literal["android", "ios"]
Biometrics = Literal["unsupported", "not_enrolled", "enrolled"]

ACCOUNT_STATES: Final[tuple[AccountState, ...]] = (
    "active",
    "suspended",
    "locked",
    "elsewhere",
    "token_locked",
    "setup_incomplete",
)
TRANSACTION_APPLICATIONS: Final[tuple[TransactionApplication, ...]] = ("pending", "lapsed")
TRANSACTION_STATES: Final[tuple[TransactionState, ...]] = ("pending", "confirmed")
OS_NAMES: Final[tuple[OsName, ...]] = ("android", "ios")
BIOMETRICS: Final[tuple[Biometrics, ...]] = ("unsupported", "not_enrolled", "enrolled")

DEFAULT_NOW: Final = "2026-04-01T09:00:00+09:00"
DEFAULT_ACTIVATION_PASSWORD: Final = "12345678"
# The manual gives no validity period; two years keeps a fresh token well outside the
# 180-day renewal window. Passed on as a default argument only.
TOKEN_VALIDITY_DAYS: Final = 730
# A fixture token started a month ago, so "today" is not its first day by default.
FIXTURE_START_OFFSET_DAYS: Final = 30

# Bounds of the fixture format (spec/schemas/fixture.schema.json has the same numbers).
# The manual bounds none of these texts; the bounds keep the largest view the reference
# can answer far below the protocol's 1 MiB line (docs/protocol.md): a token's display
# name (service name + 追加文言) appears up to 21 times in a view.
MAX_TEXT_LENGTH: Final = 256
"""Most characters of a fixture string: ids, names, 追加文言, secrets, details."""
MAX_LINK_LENGTH: Final = 2048
"""Most characters of a service's link or login site (an address)."""
MAX_VERSION_LENGTH: Final = 32
"""Most characters of the device's OS version."""
MAX_DETAILS: Final = 20
"""Most entries of a transaction's details."""
MAX_SKEW_SECONDS: Final = 3_155_760_000
"""Largest device clock skew either way: 100 years of 365.25 days."""
_LONG_TEXTS: Final = {"link": MAX_LINK_LENGTH, "login_site": MAX_LINK_LENGTH}
# RFC 4226 (R6) asks for shared secrets of at least 128 bits.
MIN_SEED_BYTES: Final = 16

_SERIAL = re.compile(r"[0-9]{8}")
_BASE32 = re.compile(r"[A-Za-z2-7]+=*")
_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*")
_T = TypeVar("_T", bound=str)


@dataclass(frozen=True)
class Service:
    """An online service that issues tokens (a bank's internet banking, …)."""

    service_id: str
    name: str
    pin: bool = False
    transaction_confirmation: bool = False
    biometric_login: bool = False
    link: str | None = None
    login_site: str | None = None


@dataclass
class Account:
    """A user of a service as the authentication server knows them."""

    service_id: str
    user_id: str
    activation_password: str = field(repr=False)
    state: AccountState = "active"
    issued: bool = False
    serial: str | None = None
    seed: bytes | None = field(default=None, repr=False)
    transaction_application: TransactionApplication | None = None

    @property
    def key(self) -> TokenKey:
        """The (service_id, user_id) pair."""
        return (self.service_id, self.user_id)


@dataclass
class Transaction:
    """A transaction awaiting (or past) confirmation in the app (3.13.2)."""

    transaction_id: str
    service_id: str
    user_id: str
    details: dict[str, str] = field(default_factory=dict)
    state: TransactionState = "pending"
    lapses_at: datetime | None = None

    @property
    def key(self) -> TokenKey:
        """The (service_id, user_id) pair of the account it belongs to."""
        return (self.service_id, self.user_id)


@dataclass
class Token:
    """A token stored in the app; `added_text` is the 追加文言 after the service name."""

    service_id: str
    user_id: str
    service_name: str
    serial: str
    seed: bytes = field(repr=False)
    pin: str | None = field(repr=False)
    added_text: str
    start: date
    expires: date
    transaction_started: bool = False
    biometric_registered: bool = False
    biometric_mode: bool = False

    @property
    def key(self) -> TokenKey:
        """The (service_id, user_id) pair."""
        return (self.service_id, self.user_id)

    @property
    def display_name(self) -> str:
        """The トークン表示名: service name followed by the 追加文言 (3.3, 3.12)."""
        return self.service_name + self.added_text


@dataclass
class Device:
    """The smartphone; `skew_seconds` is its clock minus true time (ASM-009)."""

    os: OsName = "android"
    os_version: str = "14.0"
    biometrics: Biometrics = "enrolled"
    memory_low: bool = False
    skew_seconds: int = 0

    def os_version_at_least(self, minimum: str) -> bool:
        """Whether the OS version is `minimum` or later (numeric, dot-separated).

        Missing parts count as 0, so "6" is 6.0 (3.14: Android 6.0 以上).
        """
        return version_at_least(self.os_version, minimum)


@dataclass
class AppState:
    """What the app itself stores on the device."""

    privacy_policy_agreed: bool = False
    app_lock_code: str | None = field(default=None, repr=False)
    tokens: list[Token] = field(default_factory=list)
    selected: int | None = None

    @property
    def selected_token(self) -> Token | None:
        """The chosen token, if any."""
        return None if self.selected is None else self.tokens[self.selected]


@dataclass
class World:
    """Everything a run starts from: true time, device, network, service data, app data."""

    now: datetime
    device: Device
    services: dict[str, Service]
    accounts: dict[TokenKey, Account]
    transactions: list[Transaction]
    online: bool
    app: AppState
    min_app_versions: dict[str, str] = field(default_factory=dict)
    """Service id → the oldest app version the service accepts (ASM-051)."""

    @property
    def today(self) -> date:
        """Today's date in Japan by true time."""
        return jst_date(self.now)

    @property
    def device_now(self) -> datetime:
        """What the device clock reads now."""
        return device_time(self.now, self.device.skew_seconds)


class FixtureError(ValueError):
    """A fixture value of the wrong type or out of range; never quotes the value itself."""

    def __init__(self, path: JsonPath, message: str) -> None:
        super().__init__(f"{format_json_path(path)}: {message}")
        self.path = path
        self.message = message


def _default_pin_rule(text: str) -> bool:
    # The shipped rules.yaml `inputs.pin`; the app passes its loaded rule instead.
    return check_input(text, "halfwidth_digits", 4, 8)


def version_tuple(text: str) -> tuple[int, ...]:
    """Parses a dotted version (`14.0`) for comparison.

    Raises:
        ValueError: The text is not digits separated by dots.
    """
    if not _VERSION.fullmatch(text):
        raise ValueError(f"not a version like 14.0: {text!r}")
    return tuple(int(part) for part in text.split("."))


def version_at_least(version: str, minimum: str) -> bool:
    """Whether dotted `version` is `minimum` or later; missing parts count as 0 ("6" is 6.0).

    Raises:
        ValueError: Either text is not digits separated by dots.
    """
    mine, least = version_tuple(version), version_tuple(minimum)
    width = max(len(mine), len(least))
    return mine + (0,) * (width - len(mine)) >= least + (0,) * (width - len(least))


def demo_service() -> Service:
    """The fresh-install demo service (the manual's ミレインターネットバンキング)."""
    return Service(
        service_id="MIRAI01",
        name="ミレインターネットバンキング",
        pin=False,
        transaction_confirmation=True,
        biometric_login=True,
        link="https://mirai-bank.example/",
        login_site="https://mirai-bank.example/mypage",
    )


def demo_account() -> Account:
    """The fresh-install demo account, not yet issued."""
    return Account("MIRAI01", "USER0001", DEFAULT_ACTIVATION_PASSWORD, "active", False)


def derive_serial(service_id: str, user_id: str) -> str:
    """The serial a token gets when the fixture gives none (docs/protocol.md, Passwords).

    SHA-1 of the UTF-8 text `service_id:user_id`; its first 8 bytes read as a big-endian
    unsigned integer, modulo 10^8, written with 8 digits (leading zeros kept).
    """
    digest = hashlib.sha1(f"{service_id}:{user_id}".encode()).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 10**8:08d}"


def derive_seed(service_id: str, user_id: str, serial: str) -> bytes:
    """The 20-byte seed a token gets when the fixture gives none: SHA-1 of the UTF-8 text
    `service_id:user_id:serial` (docs/protocol.md, Passwords)."""
    return hashlib.sha1(f"{service_id}:{user_id}:{serial}".encode()).digest()


def parse_seed(text: str) -> bytes:
    """Decodes a seed written in base32 (RFC 4648), case-insensitive, `=` padding optional.

    Raises:
        ValueError: Not base32, or shorter than MIN_SEED_BYTES (the message omits the seed).
    """
    if not _BASE32.fullmatch(text):
        raise ValueError("expected base32 (RFC 4648: letters A-Z and digits 2-7, '=' padding)")
    bare = text.rstrip("=").upper()
    try:
        seed = base64.b32decode(bare + "=" * (-len(bare) % 8))
    except binascii.Error:
        raise ValueError("not a valid base32 length") from None
    if len(seed) < MIN_SEED_BYTES:
        raise ValueError(f"a seed needs at least {MIN_SEED_BYTES} bytes (RFC 4226)")
    return seed


def default_added_text(
    service: Service, tokens: Iterable[Token], *, first: int = 2, pattern: str = "_{n}"
) -> str:
    """The default 追加文言 of a new token of `service` given the stored tokens (ASM-012).

    The first token of a service gets none; a further one gets `_n`, n = (stored tokens of
    the service) + 1, increased while that display name is in use.
    """
    stored = list(tokens)
    count = sum(1 for token in stored if token.service_id == service.service_id)
    if count == 0:
        return ""
    used = {token.display_name for token in stored}
    n = first + count - 1
    # replace, not format: a pattern may hold other braces as literal text.
    while service.name + pattern.replace("{n}", str(n)) in used:
        n += 1
    return pattern.replace("{n}", str(n))


def new_token(
    service: Service,
    user_id: str,
    *,
    pin: str | None,
    start: date,
    expires: date,
    serial: str | None = None,
    seed: bytes | None = None,
    added_text: str = "",
) -> Token:
    """Builds a token; the serial and seed are derived when not given (derive_serial/seed)."""
    serial = derive_serial(service.service_id, user_id) if serial is None else serial
    seed = derive_seed(service.service_id, user_id, serial) if seed is None else seed
    return Token(
        service_id=service.service_id,
        user_id=user_id,
        service_name=service.name,
        serial=serial,
        seed=seed,
        pin=pin,
        added_text=added_text,
        start=start,
        expires=expires,
    )


class _Node:
    """A JSON object of the fixture with its path, read key by key with type checks."""

    def __init__(self, value: Any, path: JsonPath) -> None:
        if not isinstance(value, Mapping):
            raise FixtureError(path, f"expected an object, got {_kind(value)}")
        self.data: Mapping[str, Any] = value
        self.path = path

    def at(self, key: str | int) -> JsonPath:
        """The path of a key below this object."""
        return (*self.path, key)

    def check_keys(self, allowed: Collection[str]) -> None:
        """Refuses keys the fixture format does not have."""
        for key in self.data:
            if key not in allowed:
                raise FixtureError(self.at(str(key)), f"unknown key; expected {sorted(allowed)}")

    def has(self, key: str) -> bool:
        """Whether the key is present (even with null)."""
        return key in self.data

    def required(self, key: str) -> Any:
        """The value of a required key."""
        if key not in self.data:
            raise FixtureError(self.path, f"missing required key {key!r}")
        return self.data[key]

    def text(self, key: str, default: str | None = None) -> str:
        """A string of at most MAX_TEXT_LENGTH characters; required when no default is given."""
        value = self.required(key) if default is None else self.data.get(key, default)
        if not isinstance(value, str):
            raise FixtureError(self.at(key), f"expected a string, got {_kind(value)}")
        return self._bounded(key, value)

    def optional_text(self, key: str) -> str | None:
        """A string or null; null when absent."""
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            raise FixtureError(self.at(key), f"expected a string or null, got {_kind(value)}")
        return None if value is None else self._bounded(key, value)

    def _bounded(self, key: str, value: str) -> str:
        limit = _LONG_TEXTS.get(key, MAX_TEXT_LENGTH)
        if len(value) > limit:
            # The length only: the value may be a secret.
            message = f"expected at most {limit} characters, got {len(value)}"
            raise FixtureError(self.at(key), message)
        return value

    def flag(self, key: str, default: bool) -> bool:
        """A boolean."""
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise FixtureError(self.at(key), f"expected true or false, got {_kind(value)}")
        return value

    def integer(self, key: str, default: int, bound: int | None = None) -> int:
        """An integer (not a boolean), from -bound to bound when a bound is given."""
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise FixtureError(self.at(key), f"expected an integer, got {_kind(value)}")
        if bound is not None and not -bound <= value <= bound:
            raise FixtureError(self.at(key), f"expected an integer from {-bound} to {bound}")
        return value

    def choice(self, key: str, choices: tuple[_T, ...], default: _T) -> _T:
        """One of a fixed set of strings."""
        value = self.data.get(key, default)
        for option in choices:
            if value == option:
                return option
        raise FixtureError(self.at(key), f"expected one of {list(choices)}")

    def child(self, key: str) -> _Node:
        """A nested object; an empty one when absent."""
        return _Node(self.data.get(key, {}), self.at(key))

    def items(self, key: str, most: int | None = None) -> list[_Node] | None:
        """The objects of an array of at most `most` items; None when the key is absent."""
        if key not in self.data:
            return None
        value = self.data[key]
        if not isinstance(value, list):
            raise FixtureError(self.at(key), f"expected an array, got {_kind(value)}")
        if most is not None and len(value) > most:
            # Counted before any item is read: a long array costs nothing to refuse.
            raise FixtureError(self.at(key), f"expected at most {most} items, got {len(value)}")
        return [_Node(item, (*self.at(key), index)) for index, item in enumerate(value)]


def _kind(value: Any) -> str:
    # Only the JSON type is named: a value may be a secret (PIN, lock code, password).
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    return "an array" if isinstance(value, list) else type(value).__name__


@dataclass(frozen=True)
class _Params:
    max_tokens: int
    validity_days: int
    start_offset_days: int
    suffix_first: int
    suffix_pattern: str
    pin_rule: Callable[[str], bool]


@dataclass
class _Build:
    """The parts of a World read so far, shared by the section parsers."""

    now: datetime
    params: _Params
    services: dict[str, Service] = field(default_factory=dict)
    accounts: dict[TokenKey, Account] = field(default_factory=dict)
    tokens: list[Token] = field(default_factory=list)
    token_keys: set[TokenKey] = field(default_factory=set)
    min_app_versions: dict[str, str] = field(default_factory=dict)


_TOP_KEYS: Final = ("now", "device", "services", "accounts", "transactions", "online", "app")
_DEVICE_KEYS: Final = ("os", "os_version", "biometrics", "memory_low", "skew_seconds")
_SERVICE_KEYS: Final = (
    "service_id",
    "name",
    "pin",
    "transaction_confirmation",
    "biometric_login",
    "link",
    "login_site",
    "min_app_version",
)
_ACCOUNT_KEYS: Final = (
    "service_id",
    "user_id",
    "activation_password",
    "state",
    "issued",
    "serial",
    "seed",
    "transaction_application",
)
_TRANSACTION_KEYS: Final = (
    "transaction_id",
    "service_id",
    "user_id",
    "details",
    "state",
    "lapses_at",
)
_APP_KEYS: Final = ("privacy_policy_agreed", "app_lock_code", "tokens", "selected")
_TOKEN_KEYS: Final = (
    "service_id",
    "user_id",
    "expires",
    "start",
    "pin",
    "suffix",
    "serial",
    "seed",
    "transaction_started",
    "biometric_registered",
    "biometric_mode",
)


def parse_fixture(
    data: Mapping[str, Any],
    *,
    max_tokens: int = 10,
    validity_days: int = TOKEN_VALIDITY_DAYS,
    start_offset_days: int = FIXTURE_START_OFFSET_DAYS,
    suffix_first: int = 2,
    suffix_pattern: str = "_{n}",
    pin_rule: Callable[[str], bool] = _default_pin_rule,
) -> World:
    """Builds the starting World from a fixture; `{}` is a fresh install.

    Args:
        data: The fixture (JSON shape of spec/schemas/fixture.schema.json).
        max_tokens: Most tokens the app stores (rules.yaml `max_tokens`).
        validity_days: Default token lifetime from its start date.
        start_offset_days: Default token start: this many days before today (Japan).
        suffix_first: rules.yaml `suffix.first` (ASM-012).
        suffix_pattern: rules.yaml `suffix.pattern`, with `{n}`.
        pin_rule: Whether a text is a well-formed PIN (rules.yaml `inputs.pin`); a PIN
            service's activation passwords and stored PINs must be (ASM-047).

    Returns:
        The World; tokens mark their accounts issued (creating active accounts if absent).

    Raises:
        FixtureError: A key, type or value the fixture format does not allow.
    """
    root = _Node(data, ())
    root.check_keys(_TOP_KEYS)
    params = _Params(
        max_tokens, validity_days, start_offset_days, suffix_first, suffix_pattern, pin_rule
    )
    build = _Build(now=_parse_now(root), params=params)
    device = _parse_device(root.child("device"), build.now)
    _parse_services(root, build)
    _parse_accounts(root, build)
    app = _parse_app(root.child("app"), build)
    transactions = _parse_transactions(root, build)
    return World(
        now=build.now,
        device=device,
        services=build.services,
        accounts=build.accounts,
        transactions=transactions,
        online=root.flag("online", True),
        app=app,
        min_app_versions=build.min_app_versions,
    )


def _parse_now(root: _Node) -> datetime:
    try:
        now = parse_instant(root.text("now", DEFAULT_NOW))
    except FixtureError:
        raise
    except ValueError as error:
        raise FixtureError(root.at("now"), str(error)) from None
    if not in_clock_range(now):
        raise FixtureError(root.at("now"), f"expected an instant {CLOCK_RANGE} (Japan time)")
    return now


def _parse_device(node: _Node, now: datetime) -> Device:
    node.check_keys(_DEVICE_KEYS)
    version = node.text("os_version", "14.0")
    if len(version) > MAX_VERSION_LENGTH or not _VERSION.fullmatch(version):
        message = f"expected a version like 14.0 of at most {MAX_VERSION_LENGTH} characters"
        raise FixtureError(node.at("os_version"), message)
    skew = node.integer("skew_seconds", 0, MAX_SKEW_SECONDS)
    device_now = shifted(now, skew)
    if device_now is None or not in_clock_range(device_now):
        message = f"the device clock (now plus the skew) would be outside {CLOCK_RANGE}"
        raise FixtureError(node.at("skew_seconds"), message)
    return Device(
        os=node.choice("os", OS_NAMES, "android"),
        os_version=version,
        biometrics=node.choice("biometrics", BIOMETRICS, "enrolled"),
        memory_low=node.flag("memory_low", False),
        skew_seconds=skew,
    )


def _parse_services(root: _Node, build: _Build) -> None:
    nodes = root.items("services")
    if nodes is None:
        build.services[demo_service().service_id] = demo_service()
        return
    for node in nodes:
        service = _parse_service(node)
        if service.service_id in build.services:
            raise FixtureError(node.at("service_id"), "duplicate service_id")
        build.services[service.service_id] = service
        minimum = _optional_version(node, "min_app_version")
        if minimum is not None:
            build.min_app_versions[service.service_id] = minimum


def _parse_service(node: _Node) -> Service:
    node.check_keys(_SERVICE_KEYS)
    return Service(
        service_id=node.text("service_id"),
        name=node.text("name"),
        pin=node.flag("pin", False),
        transaction_confirmation=node.flag("transaction_confirmation", False),
        biometric_login=node.flag("biometric_login", False),
        link=node.optional_text("link"),
        login_site=node.optional_text("login_site"),
    )


def _optional_version(node: _Node, key: str) -> str | None:
    version = node.optional_text(key)
    if version is not None and not _VERSION.fullmatch(version):
        raise FixtureError(node.at(key), "expected a version like 4.1.0")
    return version


def _parse_accounts(root: _Node, build: _Build) -> None:
    nodes = root.items("accounts")
    if nodes is None:
        # The demo account belongs to the demo service; without it there is nothing to own.
        account = demo_account()
        if account.service_id in build.services:
            build.accounts[account.key] = account
        return
    for node in nodes:
        account = _parse_account(node, build)
        if account.key in build.accounts:
            raise FixtureError(node.at("user_id"), "duplicate account (service_id, user_id)")
        build.accounts[account.key] = account


def _parse_account(node: _Node, build: _Build) -> Account:
    node.check_keys(_ACCOUNT_KEYS)
    service_id = _known_service(node, build)
    password = node.text("activation_password", DEFAULT_ACTIVATION_PASSWORD)
    if build.services[service_id].pin and not build.params.pin_rule(password):
        # 4.2: the activation password becomes the PIN, and 3.8 allows only 4-8 digits.
        where = node.at("activation_password") if node.has("activation_password") else node.path
        raise FixtureError(where, "a PIN service's activation password must be a valid PIN")
    application = None
    if node.has("transaction_application"):
        application = node.choice("transaction_application", TRANSACTION_APPLICATIONS, "pending")
    serial = _serial(node)
    seed = _seed(node)
    if seed is not None and serial is None:
        # A seed belongs to a serial (docs/protocol.md, Passwords): alone it is ambiguous.
        fix = "give the account's serial too, or give the seed to the token in app.tokens"
        raise FixtureError(node.at("seed"), f"an account's seed needs the account's serial; {fix}")
    return Account(
        service_id=service_id,
        user_id=node.text("user_id"),
        activation_password=password,
        state=node.choice("state", ACCOUNT_STATES, "active"),
        issued=node.flag("issued", False),
        serial=serial,
        seed=seed,
        transaction_application=application,
    )


def _known_service(node: _Node, build: _Build) -> str:
    service_id = node.text("service_id")
    if service_id not in build.services:
        raise FixtureError(node.at("service_id"), f"no service {service_id!r} in services")
    return service_id


def _parse_transactions(root: _Node, build: _Build) -> list[Transaction]:
    transactions: list[Transaction] = []
    seen: set[str] = set()
    for node in root.items("transactions") or []:
        transaction = _parse_transaction(node, build)
        if transaction.transaction_id in seen:
            raise FixtureError(node.at("transaction_id"), "duplicate transaction_id")
        seen.add(transaction.transaction_id)
        transactions.append(transaction)
    return transactions


def _parse_transaction(node: _Node, build: _Build) -> Transaction:
    node.check_keys(_TRANSACTION_KEYS)
    service_id = _known_service(node, build)
    user_id = node.text("user_id")
    if (service_id, user_id) not in build.accounts:
        raise FixtureError(node.at("user_id"), "no account for this service_id and user_id")
    return Transaction(
        transaction_id=node.text("transaction_id"),
        service_id=service_id,
        user_id=user_id,
        details=_parse_details(node),
        state=node.choice("state", TRANSACTION_STATES, "pending"),
        lapses_at=_optional_instant(node, "lapses_at"),
    )


def _optional_instant(node: _Node, key: str) -> datetime | None:
    text = node.optional_text(key)
    if text is None:
        return None
    try:
        return parse_instant(text)
    except ValueError as error:
        raise FixtureError(node.at(key), str(error)) from None


def _parse_details(node: _Node) -> dict[str, str]:
    details = node.child("details")
    if len(details.data) > MAX_DETAILS:
        message = f"expected at most {MAX_DETAILS} entries, got {len(details.data)}"
        raise FixtureError(details.path, message)
    result: dict[str, str] = {}
    for key in details.data:
        name = str(key)
        if len(name) > MAX_TEXT_LENGTH:
            message = f"expected names of at most {MAX_TEXT_LENGTH} characters, got {len(name)}"
            raise FixtureError(details.path, message)
        result[name] = details.text(name)
    return result


def _parse_app(node: _Node, build: _Build) -> AppState:
    node.check_keys(_APP_KEYS)
    # 3.3, 4.2: at most max_tokens tokens; refused before a token is read.
    for token_node in node.items("tokens", build.params.max_tokens) or []:
        _add_token(token_node, build)
    return AppState(
        privacy_policy_agreed=node.flag("privacy_policy_agreed", False),
        app_lock_code=node.optional_text("app_lock_code"),
        tokens=build.tokens,
        selected=_parse_selected(node, len(build.tokens)),
    )


def _parse_selected(node: _Node, count: int) -> int | None:
    if not node.has("selected"):
        return 0 if count == 1 else None
    if node.data["selected"] is None:
        return None
    index = node.integer("selected", 0)
    if not 0 <= index < count:
        raise FixtureError(node.at("selected"), f"expected an index below {count}")
    return index


def _add_token(node: _Node, build: _Build) -> None:
    node.check_keys(_TOKEN_KEYS)
    service = build.services[_known_service(node, build)]
    user_id = node.text("user_id")
    if (service.service_id, user_id) in build.token_keys:
        raise FixtureError(node.at("user_id"), "duplicate token (service_id, user_id)")
    account = _issued_account(build, service.service_id, user_id)
    start = _date(node, "start", jst_date(build.now) - timedelta(build.params.start_offset_days))
    serial = _serial(node) or account.serial
    seed = _seed(node)
    if seed is None and serial == account.serial:
        # The account's seed belongs to the account's serial; another serial derives its own.
        seed = account.seed
    token = new_token(
        service,
        user_id,
        pin=_token_pin(node, service, account, build.params.pin_rule),
        start=start,
        expires=_date(node, "expires", start + timedelta(build.params.validity_days)),
        serial=serial,
        seed=seed,
        added_text=_suffix(node, service, build),
    )
    _flags(node, token)
    build.tokens.append(token)
    build.token_keys.add(token.key)


def _issued_account(build: _Build, service_id: str, user_id: str) -> Account:
    key = (service_id, user_id)
    if key not in build.accounts:
        build.accounts[key] = Account(service_id, user_id, DEFAULT_ACTIVATION_PASSWORD)
    build.accounts[key].issued = True
    return build.accounts[key]


def _date(node: _Node, key: str, default: date) -> date:
    if not node.has(key):
        return default
    try:
        day = parse_date(node.text(key))
    except FixtureError:
        raise
    except ValueError as error:
        raise FixtureError(node.at(key), str(error)) from None
    if not in_date_range(day):
        raise FixtureError(node.at(key), f"expected a date from {FIRST_DATE} to {LAST_DATE}")
    return day


def _token_pin(
    node: _Node, service: Service, account: Account, pin_rule: Callable[[str], bool]
) -> str | None:
    if not service.pin:
        if node.optional_text("pin") is not None:
            raise FixtureError(node.at("pin"), "the token's service has no PIN")
        return None
    # 4.2: the PIN starts as the activation password (利用開始パスワード).
    if not node.has("pin"):
        return account.activation_password
    pin = node.optional_text("pin")
    if pin is None:
        raise FixtureError(node.at("pin"), "the token's service has a PIN; expected a string")
    if not pin_rule(pin):
        # A PIN only ever comes from the activation password or 3.8, both valid PINs.
        raise FixtureError(node.at("pin"), "expected a valid PIN (rules.yaml inputs.pin)")
    return pin


def _serial(node: _Node) -> str | None:
    if not node.has("serial"):
        return None
    serial = node.text("serial")
    if not _SERIAL.fullmatch(serial):
        raise FixtureError(node.at("serial"), "expected 8 half-width digits")
    return serial


def _seed(node: _Node) -> bytes | None:
    if not node.has("seed"):
        return None
    try:
        return parse_seed(node.text("seed"))
    except FixtureError:
        raise
    except ValueError as error:
        raise FixtureError(node.at("seed"), str(error)) from None


def _suffix(node: _Node, service: Service, build: _Build) -> str:
    if node.has("suffix"):
        return node.text("suffix")
    params = build.params
    return default_added_text(
        service, build.tokens, first=params.suffix_first, pattern=params.suffix_pattern
    )


def _flags(node: _Node, token: Token) -> None:
    token.transaction_started = node.flag("transaction_started", False)
    token.biometric_registered = node.flag("biometric_registered", False)
    token.biometric_mode = node.flag("biometric_mode", False)

"""The harness's own record of the world: what the fixture set up and the requests did since.

A `World` is built from the fixture sent in `reset` (spec/schemas/fixture.schema.json, with
its documented defaults) and updated from each request and the view that answered it
(harness/contracts/advance.py). It is what the manual says the app and its service must
hold now; the contracts compare each view with it. It never asks the implementation, and
never the reference.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from harness.contracts.oracle import derive_seed, derive_serial, seed_from_base32
from statechart.clock import jst_date, parse_instant
from statechart.domain import DEFAULT_ACTIVATION_PASSWORD, DEFAULT_NOW, demo_account, demo_service
from statechart.model import Spec

__all__ = ["Account", "Params", "Service", "Token", "Transaction", "World"]

Key = tuple[str, str]


@dataclass(frozen=True)
class Params:
    """What the contracts read from the spec, once: rules, secret labels, citations."""

    period: int
    digits: int
    max_tokens: int
    mask: str
    suffix_first: int
    suffix_pattern: str
    secret_labels: frozenset[str]
    citations: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]
    assumed: Mapping[str, Mapping[str, tuple[str, ...]]]

    @classmethod
    def from_spec(cls, spec: Spec) -> Params:
        """Reads rules.yaml, the secret fields of statechart.yaml and contracts.yaml."""
        rules = spec.rules
        suffix = rules.value("suffix")
        suffix_map = suffix if isinstance(suffix, Mapping) else {}
        secrets = {
            element.label
            for state in spec.statechart.iter_states()
            for element in state.elements
            if element.secret
        }
        return cls(
            period=_int(rules.value("otp_period_seconds")),
            digits=_int(rules.value("otp_digits")),
            max_tokens=_int(rules.value("max_tokens")),
            mask=str(rules.value("mask_character")),
            suffix_first=_int(suffix_map.get("first", 2)),
            suffix_pattern=str(suffix_map.get("pattern", "_{n}")),
            secret_labels=frozenset(secrets),
            citations={c.name: (c.sections, c.assumptions) for c in spec.contracts},
            assumed={c.name: dict(c.assumed) for c in spec.contracts},
        )


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"a rule the contracts need is not an integer: {value!r}")
    return value


@dataclass
class Service:
    """A service as the fixture states it."""

    service_id: str
    name: str
    pin: bool = False


@dataclass
class Account:
    """A user at a service; `serial`/`seed` are those its token gets when issued."""

    service_id: str
    user_id: str
    activation_password: str = field(repr=False)
    state: str = "active"
    serial: str | None = None
    seed: bytes | None = field(default=None, repr=False)


@dataclass
class Token:
    """A token the app stores, as the harness expects it.

    Attributes:
        pin: The token's PIN at the service (None: no PIN).
        pin_initial: The PIN is still the activation password (4.2).
        text: The 追加文言 after the service name.
        renamed: The text was set by 「トークン表示名設定」 since reset.
    """

    service_id: str
    user_id: str
    service_name: str
    serial: str
    seed: bytes = field(repr=False)
    pin: str | None = field(default=None, repr=False)
    pin_initial: bool = False
    text: str = ""
    renamed: bool = False

    @property
    def key(self) -> Key:
        """(service_id, user_id)."""
        return (self.service_id, self.user_id)

    @property
    def display_name(self) -> str:
        """The トークン表示名 (3.3, 3.12)."""
        return self.service_name + self.text


@dataclass
class Transaction:
    """A transaction at the service (3.13.2)."""

    transaction_id: str
    key: Key
    details: dict[str, str]
    confirmed: bool = False
    lapses_at: datetime | None = None

    def pending(self, now: datetime) -> bool:
        """Whether it awaits confirmation at true time `now` (ASM-050)."""
        return not self.confirmed and (self.lapses_at is None or now < self.lapses_at)


_CONTAINERS: Final = (dict, list, set)
_SHARED: Final = (str, int, bool, bytes, float, datetime, date, timedelta, type(None))
_RECORD_FIELDS: dict[type, tuple[str, ...] | None] = {}
"""Per class: the field names of a record to copy, or None for a value to share."""


def _record_fields(kind: type, value: Any) -> tuple[str, ...] | None:
    names = _RECORD_FIELDS.get(kind, ())
    if names == ():
        record = is_dataclass(value) and not isinstance(value, type | Params)
        names = tuple(item.name for item in fields(value)) if record else None
        _RECORD_FIELDS[kind] = names
    return names


def _copied(value: Any) -> Any:
    """A copy of the world or of one of its containers: every record (Token, Account, …)
    and container copied, the Params shared.

    This runs on every step of every scenario and walk, so it dispatches on the exact
    type (the world's containers are plain dicts, lists and sets) and keeps each record
    class's fields (dataclasses.fields and copy.copy on each
    record were most of its cost).
    """
    kind = type(value)
    if kind in _SHARED:
        return value
    if kind is dict:
        return {key: _copied(item) for key, item in value.items()}
    if kind is list:
        return [_copied(item) for item in value]
    if kind is set:
        return set(value)
    names = _record_fields(kind, value)
    if names is None:
        return value
    record = copy.copy(value)
    for name in names:
        inner = getattr(value, name)
        if isinstance(inner, _CONTAINERS):
            object.__setattr__(record, name, _copied(inner))
    return record


@dataclass
class World:
    """The world as the harness records it (see the module docstring).

    `pin_in_use` is the PIN the app computes the selected token's password with, and
    `pin_source` says how it came: `entered` (PIN入力), `changed` (3.8) or `initial` (the
    activation password after 1.3.1). Markers (`naming`, `deletion_target`, `renewed`,
    `opening`) hold what an operation in progress will be checked against.
    """

    params: Params
    now: datetime
    skew: int = 0
    online: bool = True
    running: bool = False
    services: dict[str, Service] = field(default_factory=dict)
    accounts: dict[Key, Account] = field(default_factory=dict)
    tokens: list[Token] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    selected: str | None = None
    pin_in_use: str | None = field(default=None, repr=False)
    pin_source: str | None = None
    lock_code: str | None = field(default=None, repr=False)
    lock_known: bool = True
    tokens_known: bool = True
    privacy_agreed: bool = False
    corrections: dict[Key, int] = field(default_factory=dict)
    used_steps: dict[Key, set[int]] = field(default_factory=dict)
    injected: list[tuple[str, str]] = field(default_factory=list)
    typed: dict[str, str] = field(default_factory=dict, repr=False)
    naming: str | None = None
    deletion_target: str | None = None
    deleted: dict[str, str] = field(default_factory=dict)
    """Serial → display name of every token deleted since reset."""
    notified: str | None = None
    opening: str | None = None
    shown_transaction: str | None = None
    confirmed_any: bool = False
    expiries: dict[str, str] = field(default_factory=dict)
    renewed: dict[str, str] = field(default_factory=dict)
    injected_now: bool = False

    # ---- building
    @classmethod
    def initial(cls, spec: Spec) -> World:
        """The world before any `reset`: a fresh install at the default time."""
        return cls.from_fixture({}, Params.from_spec(spec))

    @classmethod
    def from_fixture(cls, fixture: Mapping[str, Any], params: Params) -> World:
        """The world a `reset` with this fixture sets up (its documented defaults applied).

        The fixture was accepted by the implementation, so it is read leniently here.
        """
        world = cls(params=params, now=parse_instant(str(fixture.get("now", DEFAULT_NOW))))
        device = _mapping(fixture.get("device"))
        world.skew = int(device.get("skew_seconds", 0))
        world.online = bool(fixture.get("online", True))
        _read_services(world, fixture)
        _read_accounts(world, fixture)
        app = _mapping(fixture.get("app"))
        world.privacy_agreed = bool(app.get("privacy_policy_agreed", False))
        lock = app.get("app_lock_code")
        world.lock_code = lock if isinstance(lock, str) else None
        for item in _list(app.get("tokens")):
            world.tokens.append(_read_token(world, _mapping(item)))
        world.selected = _read_selected(world, app)
        for item in _list(fixture.get("transactions")):
            world.transactions.append(_read_transaction(_mapping(item)))
        return world

    def copy(self) -> World:
        """An independent copy (params shared).

        Copied by hand: copy.deepcopy of the world on every step was about a tenth of a
        conformance run. Every container is copied, and every record in one.
        """
        clone: World = _copied(self)
        return clone

    # ---- queries
    @property
    def device_now(self) -> datetime:
        """What the device clock reads (ASM-009)."""
        return self.now + timedelta(seconds=self.skew)

    @property
    def device_date(self) -> date:
        """The device's date in Japan."""
        return jst_date(self.device_now)

    def token(self, serial: str | None) -> Token | None:
        """The stored token with this serial."""
        return next((t for t in self.tokens if t.serial == serial), None)

    def token_named(self, name: str) -> Token | None:
        """The stored token shown under this display name (the first one)."""
        return next((t for t in self.tokens if t.display_name == name), None)

    @property
    def selected_token(self) -> Token | None:
        """The token in use, if known."""
        return self.token(self.selected)

    def account(self, token: Token) -> Account | None:
        """The token's account at the service."""
        return self.accounts.get(token.key)

    def pending(self, key: Key) -> list[Transaction]:
        """The account's transactions awaiting confirmation now, oldest first."""
        return [t for t in self.transactions if t.key == key and t.pending(self.now)]

    def transaction(self, transaction_id: str | None) -> Transaction | None:
        """The transaction with this id."""
        return next((t for t in self.transactions if t.transaction_id == transaction_id), None)

    def default_text(self, service: Service) -> str:
        """The 追加文言 a new token of `service` gets among the stored ones (ASM-012)."""
        count = sum(1 for t in self.tokens if t.service_id == service.service_id)
        if count == 0:
            return ""
        used = {t.display_name for t in self.tokens}
        n = self.params.suffix_first + count - 1
        pattern = self.params.suffix_pattern
        while service.name + pattern.replace("{n}", str(n)) in used:
            n += 1
        return pattern.replace("{n}", str(n))

    def new_token(self, service: Service, user_id: str) -> Token:
        """The token the service issues for an account: its serial and seed (ASM-055)."""
        account = self.accounts.get((service.service_id, user_id))
        serial = account.serial if account is not None and account.serial else None
        seed = account.seed if account is not None and serial is not None else None
        serial = serial or derive_serial(service.service_id, user_id)
        seed = seed or derive_seed(service.service_id, user_id, serial)
        pin = account.activation_password if service.pin and account is not None else None
        return Token(
            service.service_id,
            user_id,
            service.name,
            serial,
            seed,
            pin=pin,
            pin_initial=pin is not None,
            text=self.default_text(service),
        )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _read_services(world: World, fixture: Mapping[str, Any]) -> None:
    if "services" not in fixture:
        demo = demo_service()
        world.services[demo.service_id] = Service(demo.service_id, demo.name, demo.pin)
        return
    for item in _list(fixture.get("services")):
        data = _mapping(item)
        service = Service(str(data["service_id"]), str(data["name"]), bool(data.get("pin")))
        world.services[service.service_id] = service


def _read_accounts(world: World, fixture: Mapping[str, Any]) -> None:
    if "accounts" not in fixture:
        demo = demo_account()
        if demo.service_id in world.services:
            world.accounts[demo.key] = Account(
                demo.service_id, demo.user_id, demo.activation_password
            )
        return
    for item in _list(fixture.get("accounts")):
        data = _mapping(item)
        seed = data.get("seed")
        account = Account(
            str(data["service_id"]),
            str(data["user_id"]),
            str(data.get("activation_password", DEFAULT_ACTIVATION_PASSWORD)),
            state=str(data.get("state", "active")),
            serial=str(data["serial"]) if "serial" in data else None,
            seed=seed_from_base32(seed) if isinstance(seed, str) else None,
        )
        world.accounts[(account.service_id, account.user_id)] = account


def _read_token(world: World, data: Mapping[str, Any]) -> Token:
    service = world.services[str(data["service_id"])]
    user_id = str(data["user_id"])
    key = (service.service_id, user_id)
    account = world.accounts.setdefault(
        key, Account(service.service_id, user_id, DEFAULT_ACTIVATION_PASSWORD)
    )
    serial = str(data["serial"]) if "serial" in data else account.serial
    serial = serial or derive_serial(service.service_id, user_id)
    seed_text = data.get("seed")
    seed = seed_from_base32(seed_text) if isinstance(seed_text, str) else None
    if seed is None and serial == account.serial:
        seed = account.seed
    seed = seed or derive_seed(service.service_id, user_id, serial)
    pin: str | None = None
    if service.pin:
        given = data.get("pin")
        pin = given if isinstance(given, str) else account.activation_password
    text = data.get("suffix")
    return Token(
        service.service_id,
        user_id,
        service.name,
        serial,
        seed,
        pin=pin,
        pin_initial=service.pin and pin == account.activation_password,
        text=text if isinstance(text, str) else world.default_text(service),
    )


def _read_selected(world: World, app: Mapping[str, Any]) -> str | None:
    index = app.get("selected", 0 if len(world.tokens) == 1 else None)
    if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(world.tokens):
        return world.tokens[index].serial
    return None


def _read_transaction(data: Mapping[str, Any]) -> Transaction:
    details = {str(k): str(v) for k, v in _mapping(data.get("details")).items()}
    lapses = data.get("lapses_at")
    return Transaction(
        str(data["transaction_id"]),
        (str(data["service_id"]), str(data["user_id"])),
        details,
        confirmed=data.get("state") == "confirmed",
        lapses_at=parse_instant(lapses) if isinstance(lapses, str) else None,
    )

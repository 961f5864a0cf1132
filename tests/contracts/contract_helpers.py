"""Helpers of the contract tests: hand-made views, fixtures, and a driver that checks every
contract on every step (the mutants it drives are the shipped ones, harness/mutants)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from harness.contracts import Breach, Monitor, Refusal, Request
from statechart.app import AppError, ReferenceApp
from statechart.model import Spec

View = dict[str, Any]

NOW = "2026-04-01T09:00:00+09:00"
BANK = {"service_id": "MIRAI01", "name": "ミレインターネットバンキング",
        "transaction_confirmation": True, "biometric_login": True}  # fmt: skip
PIN_BANK = {"service_id": "PIN01", "name": "PINバンク", "pin": True,
            "transaction_confirmation": True}  # fmt: skip
DETAILS = [{"取引内容": "振込", "金額": "10,000円"}, {"取引内容": "振込", "金額": "990,000円"}]


def view(title: str | None = None, **parts: Any) -> View:
    """A view (docs/protocol.md) on the screen `title`; None is the closed app."""
    base: View = {
        "app": "closed" if title is None else "running",
        "screen": None if title is None else {"id": f"screen.{title}", "title": title},
        "dialog": None,
        "error": None,
        "elements": [],
        "fields": {},
        "texts": [],
        "otp": None,
        "token": None,
        "tokens": [],
        "browser": None,
        "transaction": None,
    }
    return {**base, **parts}


def token_view(name: str, serial: str, expires: str = "2027/12/31") -> dict[str, str]:
    """The `token` part of a view."""
    return {"name": name, "serial": serial, "expires": expires, "start": "2026/03/02"}


def fixture(*tokens: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Both services, consent given, the tokens; `extra` replaces top-level keys."""
    accounts = [
        {"service_id": "MIRAI01", "user_id": "USER0001", "activation_password": "12345678"},
        {"service_id": "MIRAI01", "user_id": "USER0002", "activation_password": "22223333"},
        {"service_id": "PIN01", "user_id": "PINUSER", "activation_password": "4321"},
    ]
    app = {"privacy_policy_agreed": True, "tokens": list(tokens)}
    return {"now": NOW, "services": [BANK, PIN_BANK], "accounts": accounts, "app": app} | extra


def token(user: str = "USER0001", service: str = "MIRAI01", **extra: Any) -> dict[str, Any]:
    """A stored token of the fixture."""
    return {"service_id": service, "user_id": user, "expires": "2027-12-31", **extra}


def transactions(*ids: str, user: str = "USER0001") -> list[dict[str, Any]]:
    """Pending transactions T… of MIRAI01/`user`, with distinct details."""
    return [
        {"transaction_id": t, "service_id": "MIRAI01", "user_id": user, "details": DETAILS[i]}
        for i, t in enumerate(ids)
    ]


class Driver:
    """Sends requests to an app and checks every contract on every step.

    Attributes:
        breaches: Every breach so far, in order.
    """

    def __init__(self, app: ReferenceApp, spec: Spec) -> None:
        self.app = app
        self.monitor = Monitor(spec)
        self.breaches: list[Breach] = []
        self.view: View = {}

    def send(self, op: str, *args: Any, **kwargs: Any) -> View:
        """One request; a refusal is recorded (and returned as the unchanged view)."""
        names = _ARGS.get(op, ())
        request = Request(op, {**dict(zip(names, args, strict=False)), **kwargs})
        try:
            self.view = getattr(self.app, op)(*args, **kwargs)
        except AppError as refused:
            self.breaches += self.monitor.step(request, Refusal(refused.kind, refused.message))
            return self.view
        self.breaches += self.monitor.step(request, self.view)
        return self.view

    def tap(self, *labels: str) -> View:
        """Taps each label in turn."""
        for label in labels:
            self.send("tap", label)
        return self.view

    def enter(self, **fields: str) -> View:
        """Types into fields (keyword = label)."""
        for label, value in fields.items():
            self.send("enter", label, value)
        return self.view

    def start(self, data: dict[str, Any]) -> View:
        """reset and launch."""
        self.send("reset", data)
        return self.send("launch")

    def broken(self) -> set[str]:
        """The names of the contracts broken so far."""
        return {breach.contract for breach in self.breaches}


_ARGS: dict[str, tuple[str, ...]] = {
    "reset": ("fixture",),
    "tap": ("target",),
    "enter": ("field", "value"),
    "key": ("key",),
    "network": ("online",),
    "server": ("operation", "code"),
    "notify": ("transaction",),
    "biometric": ("result",),
}


def secret_values(breaches: list[Breach]) -> Iterator[str]:
    """Every text of the breaches (for the no-secrets check)."""
    for breach in breaches:
        yield from (breach.message, breach.expected, breach.observed)

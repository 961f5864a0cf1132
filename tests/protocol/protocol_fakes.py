"""A fake implementation of protocol v1 for the protocol tests: it records every call."""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["VIEW", "Call", "FakeApp", "KindError"]

VIEW: dict[str, Any] = {
    "app": "running",
    "screen": {"id": "running.main.otp", "title": "ワンタイムパスワード"},
    "dialog": None,
    "error": None,
    "elements": ["ワンタイムパスワード", "設定"],
    "fields": {},
    "texts": ["シリアル№: 0000000001"],
    "otp": "123456",
    "token": {
        "name": "銀行",
        "serial": "0000000001",
        "expires": "2027/04/01",
        "start": "2026/04/01",
    },
    "tokens": [],
    "browser": None,
}

Call = tuple[str, tuple[Any, ...], dict[str, Any]]


class KindError(Exception):
    """An error an implementation raises on purpose (duck-typed: kind and message)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class FakeApp:
    """Records calls; raises `fail_with` or returns `result` (default: a copy of VIEW)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.fail_with: BaseException | None = None
        self.result: object = None
        self.hello_result: object = {"name": "fake", "version": "0.1", "capabilities": ["x"]}

    def _answer(self, name: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self.calls.append((name, args, kwargs))
        if self.fail_with is not None:
            raise self.fail_with
        if name == "hello":
            return self.hello_result  # type: ignore[return-value]
        result = copy.deepcopy(VIEW) if self.result is None else self.result
        return result  # type: ignore[return-value]

    def hello(self) -> dict[str, Any]:
        return self._answer("hello")

    def reset(self, fixture: dict[str, Any]) -> dict[str, Any]:
        return self._answer("reset", fixture)

    def launch(self) -> dict[str, Any]:
        return self._answer("launch")

    def tap(self, target: str) -> dict[str, Any]:
        return self._answer("tap", target)

    def enter(self, field: str, value: str) -> dict[str, Any]:
        return self._answer("enter", field, value)

    def key(self, key: str) -> dict[str, Any]:
        return self._answer("key", key)

    def observe(self) -> dict[str, Any]:
        return self._answer("observe")

    def clock(self, *, advance: float | None = None, set: str | None = None) -> dict[str, Any]:
        kwargs = {"advance": advance} if advance is not None else {"set": set}
        return self._answer("clock", **kwargs)

    def network(self, online: bool) -> dict[str, Any]:
        return self._answer("network", online)

    def server(self, operation: str, code: str) -> dict[str, Any]:
        return self._answer("server", operation, code)

    def notify(self, transaction: str) -> dict[str, Any]:
        return self._answer("notify", transaction)

    def biometric(self, result: str) -> dict[str, Any]:
        return self._answer("biometric", result)

"""The reference app in this process, behind the adapter interface."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, cast

from harness.adapters.base import REFERENCE, Adapter, ImplementationError
from harness.protocol import (
    ErrorKind,
    Op,
    Request,
    dispatch,
)
from statechart.app import ReferenceApp
from statechart.model import Spec


class InProcessAdapter(Adapter):
    """The reference app in this process, behind the same checks as `otpspec serve`.

    Requests go through `harness.protocol.dispatch`, so arguments, errors and views are
    checked exactly as over the wire and both adapters answer alike.

    Args:
        spec: The loaded spec; the app is built once from it.
    """

    def __init__(self, spec: Spec) -> None:
        self.name = REFERENCE
        self._app = ReferenceApp(spec)
        self._ids = itertools.count(1)

    def close(self) -> None:
        """Does nothing: there is no process to end."""

    def _call(self, op: Op, args: dict[str, Any]) -> dict[str, Any]:
        response = dispatch(self._app, Request(next(self._ids), op, args))
        if response["ok"] is not True:
            error = response["error"]
            raise ImplementationError(cast(ErrorKind, error["kind"]), error["message"])
        if op == "hello":
            about = response["implementation"]
            return hello_dict(about["name"], about["version"], response["capabilities"])
        return cast(dict[str, Any], response["view"])


def hello_dict(name: str, version: str, capabilities: Sequence[str]) -> dict[str, Any]:
    return {"name": name, "version": version, "capabilities": list(capabilities)}

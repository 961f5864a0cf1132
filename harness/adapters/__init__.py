"""Adapters: one interface (`Implementation`) for every implementation the harness drives.

`InProcessAdapter` runs the reference app in this process; `SubprocessAdapter` runs any
implementation as one child process that speaks conformance protocol v1 (docs/protocol.md)
on its stdin and stdout. Each op returns the view; a request the implementation refuses
raises `ImplementationError` (the process is fine), and a broken process (it crashed, hung,
wrote garbage, ...) raises `ImplementationFailure`, after which the adapter kills it and the
next call starts a fresh one, so one misbehaving scenario does not sink a run.
"""

from __future__ import annotations

from harness.adapters.base import (
    FAILURE_KINDS,
    REFERENCE,
    Adapter,
    CommandError,
    FailureKind,
    ImplementationError,
    ImplementationFailure,
)
from harness.adapters.commands import (
    parse_impl_command,
)
from harness.adapters.external import (
    SubprocessAdapter,
)
from harness.adapters.inprocess import (
    InProcessAdapter,
)
from harness.adapters.select import adapter_for

__all__ = [
    "FAILURE_KINDS",
    "REFERENCE",
    "Adapter",
    "CommandError",
    "FailureKind",
    "ImplementationError",
    "ImplementationFailure",
    "InProcessAdapter",
    "SubprocessAdapter",
    "adapter_for",
    "parse_impl_command",
]

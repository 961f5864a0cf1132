"""Adapters: the reference in-process, or any implementation as one subprocess."""

from __future__ import annotations

from harness.adapters.adapters import (
    FAILURE_KINDS,
    REFERENCE,
    Adapter,
    CommandError,
    FailureKind,
    ImplementationError,
    ImplementationFailure,
    InProcessAdapter,
    SubprocessAdapter,
    adapter_for,
    parse_impl_command,
)

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

"""Choosing the adapter for an implementation command line (or the reference)."""

from __future__ import annotations

from harness.adapters.base import REFERENCE, Adapter
from harness.adapters.commands import parse_impl_command
from harness.adapters.external import SubprocessAdapter
from harness.adapters.inprocess import InProcessAdapter
from statechart.model import Spec


def adapter_for(
    impl: str | None,
    spec: Spec,
    *,
    timeout: float = 5.0,
    start_timeout: float | None = None,
    max_failures: int | None = None,
) -> Adapter:
    """Returns the adapter for an `--impl` value.

    Args:
        impl: None or "reference" for the in-process reference app, else a command line.
        spec: The loaded spec (used by the reference).
        timeout: Seconds a subprocess gets to answer each request.
        start_timeout: Seconds a freshly started subprocess gets to answer `hello`
            (None: `timeout`).
        max_failures: Failures in a row after which a subprocess counts as broken
            (SubprocessAdapter); None: never.

    Raises:
        CommandError: The command cannot be split into words.
    """
    if impl is None or impl.strip() == REFERENCE:
        return InProcessAdapter(spec)
    return SubprocessAdapter(
        parse_impl_command(impl),
        timeout=timeout,
        start_timeout=start_timeout,
        max_failures=max_failures,
    )

"""Implementation command lines: checked and split into words."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from harness.adapters.base import CommandError


def parse_impl_command(text: str) -> list[str]:
    """Splits an implementation command into words, as a POSIX shell would (no expansion).

    Raises:
        CommandError: The command is empty or its quotes are unbalanced.
    """
    try:
        argv = shlex.split(text)
    except ValueError as error:
        raise CommandError(
            f"the implementation command {text!r} cannot be split into words "
            f"({str(error).lower()}); balance its quotes, e.g. 'python \"my impl.py\"'"
        ) from None
    if not argv:
        raise CommandError(
            "the implementation command is empty; give a program and its arguments, "
            "e.g. 'python my_impl.py'"
        )
    return argv


def argv_of(command: str | Sequence[str]) -> list[str]:
    """The argv of a command given as one line (split like a shell) or as words."""
    if isinstance(command, str):
        return parse_impl_command(command)
    argv = [str(word) for word in command]
    if not argv:
        raise CommandError("the implementation command is an empty list; give a program")
    return argv

"""What the contracts see of a step: the request, the answer, and what a breach reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Breach", "Finding", "Outcome", "Refusal", "Request", "View"]

View = Mapping[str, Any]
"""A view as docs/protocol.md describes it (view.schema.json)."""


@dataclass(frozen=True)
class Request:
    """A request the harness sent: its `op` and arguments (docs/protocol.md)."""

    op: str
    args: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, op: str, **args: Any) -> Request:
        """`Request.of("tap", target="設定")`."""
        return cls(op, args)


@dataclass(frozen=True)
class Refusal:
    """An error answer (`ok: false`): nothing changed in the app."""

    kind: str
    message: str


Outcome = View | Refusal


@dataclass(frozen=True)
class Finding:
    """What one contract's check found wrong in one step (before its citations are added).

    `aspect` names the part of the contract that broke when only registered assumptions
    require that part (the contract's `assumed` in spec/contracts.yaml); '' for the
    manual's own promise.
    """

    message: str
    expected: str
    observed: str
    aspect: str = ""


@dataclass(frozen=True)
class Breach:
    """A broken contract: which, on what it rests, what was expected and what was seen.

    Secrets of a person (PINs, lock codes, activation passwords) never appear in it.

    Attributes:
        contract: The contract's name in spec/contracts.yaml.
        sections: The manual sections the contract cites.
        assumptions: The assumptions the contract rests on (its checks need them).
        message: What went wrong, in one line.
        expected: What the manual promises here.
        observed: What the implementation did.
        assumed: The assumptions that alone require what broke (the contract's `assumed`
            for the finding's aspect): non-empty makes the breach a deviation, not a fail.
    """

    contract: str
    sections: tuple[str, ...]
    assumptions: tuple[str, ...]
    message: str
    expected: str
    observed: str
    assumed: tuple[str, ...] = ()

    def format(self) -> str:
        """One line: the contract, its clauses, the message, expected and observed."""
        cited = ", ".join((*self.sections, *self.assumptions))
        return (
            f"contract {self.contract} [{cited}]: {self.message}"
            f" (expected {self.expected}; observed {self.observed})"
        )

"""The exploration tree: the points reached, the steps that led there, what each covered.

Each `Node` keeps only the event that led to it from its parent; the path from the
fixture's reset and everything covered on the way are read back through the parents, so
tens of thousands of nodes stay cheap. The checks are chosen among these nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.generation.fixtures import WalkFixture
from harness.generation.steps import Snapshot, WalkStep

__all__ = ["Item", "Node", "Record"]

Item = tuple[str, ...]
"""A coverage item: (transition id,) or (transition id, form) for a submitted form."""


@dataclass(frozen=True)
class Record:
    """One step as the reference did it: the view after it, transitions taken, state."""

    step: WalkStep
    view: dict[str, Any]
    transitions: tuple[str, ...]
    state: str


@dataclass(eq=False)
class Node:
    """A point reached: the event that led here from `parent`, and what it covered."""

    fixture: WalkFixture
    parent: Node | None
    records: tuple[Record, ...]
    hits: frozenset[Item]
    depth: int
    snapshot: Snapshot | None = field(default=None, repr=False)
    view: dict[str, Any] = field(default_factory=dict, repr=False)

    def path(self) -> list[Record]:
        """Every step from the fixture's reset to here."""
        chain: list[Node] = []
        node: Node | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return [record for n in reversed(chain) for record in n.records]

    def items(self) -> frozenset[Item]:
        """Everything covered on the way here."""
        found: set[Item] = set()
        node: Node | None = self
        while node is not None:
            found |= node.hits
            node = node.parent
        return frozenset(found)

"""The flow model behind the screen-flow diagrams, independent of any drawing tool.

A `Flow` is frames (`Cluster`), boxes (`Node`, with the transitions listed inside as
`Row`s) and arrows (`Edge`), each carrying the transition ids and manual sections it
stands for, so a drawing can colour coverage and highlight a procedure. It is built by
`harness.diagrams.build`, cut into views by `harness.diagrams.views`, drawn with Graphviz
by `harness.diagrams.dot` and written as Mermaid by `harness.diagrams.export`. The path
and edge helpers here are the ones both the builder and the views need.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Re-exported: harness/run/replay.py still imports the id from here (its home is labels).
from harness.diagrams.labels import transition_id

__all__ = [
    "Cluster",
    "Edge",
    "Flow",
    "Node",
    "Row",
    "common_prefix",
    "merge_parallel",
    "transition_id",
    "within",
]


@dataclass(frozen=True)
class Row:
    """A transition listed inside a node's label (no target, or folded)."""

    text: str
    ids: tuple[str, ...]
    sections: frozenset[str]


@dataclass(frozen=True)
class Node:
    """A box in the diagram: one state, a shared dialog, or a group's common actions."""

    name: str
    kind: str
    title: str
    subtitle: str
    cluster: str | None
    rows: tuple[Row, ...] = ()
    sections: frozenset[str] = frozenset()
    states: tuple[str, ...] = ()
    home: str | None = None


@dataclass(frozen=True)
class Edge:
    """An arrow: one transition, or several drawn as one."""

    tail: str
    head: str
    action: str
    conditions: str
    ids: tuple[str, ...]
    sections: frozenset[str]
    ltail: str | None = None
    lhead: str | None = None


@dataclass(frozen=True)
class Cluster:
    """A compound state drawn as a frame around its children."""

    path: str
    label: str
    parent: str | None
    sections: frozenset[str]


@dataclass(frozen=True)
class Flow:
    """The whole drawable flow, in document order."""

    title: str
    clusters: tuple[Cluster, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def within(path: str | None, root: str | None) -> bool:
    """True if a state path is `root` or inside it; everything is within `None` (the chart)."""
    if root is None:
        return True
    return path is not None and (path == root or path.startswith(root + "."))


def common_prefix(paths: Sequence[str]) -> str:
    """Returns the longest dotted state path all paths start with ("" if none)."""
    parts = [path.split(".") for path in paths]
    common: list[str] = []
    for column in zip(*parts, strict=False):
        if len(set(column)) != 1:
            break
        common.append(column[0])
    return ".".join(common)


def _stack(edges: Sequence[Edge]) -> Edge:
    first = edges[0]
    conditions = set(edge.conditions for edge in edges)
    if len(conditions) == 1:
        lines = dict.fromkeys(edge.action for edge in edges if edge.action)
        common = first.conditions
    else:
        lines = dict.fromkeys(" ".join(p for p in (e.action, e.conditions) if p) for e in edges)
        common = ""
    return Edge(
        first.tail,
        first.head,
        "\n".join(lines),
        common,
        tuple(tid for edge in edges for tid in edge.ids),
        frozenset(section for edge in edges for section in edge.sections),
        first.ltail,
        first.lhead,
    )


def merge_parallel(edges: Iterable[Edge]) -> tuple[Edge, ...]:
    """Draws edges with the same ends as one edge listing each action on its own line."""
    groups: dict[tuple[str, str, str | None, str | None], list[Edge]] = {}
    for edge in edges:
        groups.setdefault((edge.tail, edge.head, edge.ltail, edge.lhead), []).append(edge)
    return tuple(group[0] if len(group) == 1 else _stack(group) for group in groups.values())

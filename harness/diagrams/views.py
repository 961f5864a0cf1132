"""Views of a flow: one frame in focus, the frames it does not need collapsed to one node.

The overview collapses every group frame too big to read inline (`SPLIT_LIMIT` nodes),
and each of those gets a diagram of its own (`cluster-<id>`); a procedure's diagram keeps
the smallest frame holding everything its manual section touches, with the frames it
does not touch collapsed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from harness.diagrams.flow import (
    Cluster,
    Edge,
    Flow,
    Node,
    common_prefix,
    merge_parallel,
    within,
)
from harness.diagrams.labels import section_heading
from statechart.model import Section

__all__ = [
    "SPLIT_LIMIT",
    "cluster_file_stem",
    "focus_view",
    "overview_flows",
    "procedure_flow",
]


def _collapsed_name(path: str) -> str:
    return f"{path}._collapsed"


@dataclass(frozen=True)
class _View:
    flow: Flow
    focus: str | None
    collapsed: tuple[str, ...]
    split: frozenset[str] = frozenset()

    def names(self) -> frozenset[str]:
        return frozenset(node.name for node in self.flow.nodes)

    def frame_of(self, home: str | None) -> str | None:
        """Returns the outermost collapsed frame holding a path, if any."""
        for path in self.collapsed:
            if within(home, path):
                return path
        return None

    def rename(self, node: Node) -> str:
        frame = self.frame_of(node.home)
        if frame is None:
            return node.name
        return frame if frame in self.names() else _collapsed_name(frame)

    def drawn(self, cluster: str) -> bool:
        return within(cluster, self.focus) and self.frame_of(cluster) is None

    def placed(self, cluster: str | None) -> str | None:
        while cluster is not None and not self.drawn(cluster):
            parent = cluster.rpartition(".")[0]
            cluster = parent or None
        return cluster


def _collapsed_node(view: _View, cluster: Cluster) -> Node:
    inside = [
        node
        for node in view.flow.nodes
        if node.kind == "screen" and within(node.home, cluster.path)
    ]
    first = inside[0].title if inside else cluster.label
    detail = cluster_file_stem(cluster.path) if cluster.path in view.split else "overview"
    return Node(
        name=_collapsed_name(cluster.path),
        kind="collapsed",
        title=f"{first} ほか {len(inside)} 画面" if len(inside) > 1 else first,
        subtitle=f"{cluster.path}\n詳細: {detail}",
        cluster=view.placed(cluster.parent),
        sections=frozenset(
            s for node in view.flow.nodes if within(node.home, cluster.path) for s in node.sections
        ),
        home=cluster.path,
    )


def _view_nodes(view: _View) -> list[Node]:
    nodes: list[Node] = []
    for node in view.flow.nodes:
        name = view.rename(node)
        if name != node.name:
            continue
        if not within(node.home, view.focus):
            nodes.append(replace(node, kind="context", rows=(), cluster=None))
            continue
        nodes.append(replace(node, cluster=view.placed(node.cluster)))
    for cluster in view.flow.clusters:
        if cluster.path in view.collapsed and cluster.path not in view.names():
            nodes.append(_collapsed_node(view, cluster))
    return nodes


def _view_edge(view: _View, edge: Edge, homes: Mapping[str, Node]) -> Edge | None:
    tail, head = view.rename(homes[edge.tail]), view.rename(homes[edge.head])
    outside = [not within(homes[end].home, view.focus) for end in (edge.tail, edge.head)]
    if tail == head or all(outside):
        return None
    ltail = edge.ltail if edge.ltail and view.drawn(edge.ltail) else None
    lhead = edge.lhead if edge.lhead and view.drawn(edge.lhead) else None
    return replace(edge, tail=tail, head=head, ltail=ltail, lhead=lhead)


def focus_view(flow: Flow, focus: str | None, collapsed: Sequence[str], title: str) -> Flow:
    """Returns the part of a flow inside `focus`, with the `collapsed` frames as single nodes.

    States outside the focus that an edge reaches are kept as grey context nodes.
    """
    ordered = tuple(sorted(collapsed, key=lambda path: path.count(".")))
    view = _View(flow, focus, ordered, frozenset(_split_frames(flow)))
    nodes = _view_nodes(view)
    homes = {node.name: node for node in flow.nodes}
    edges = [e for e in (_view_edge(view, edge, homes) for edge in flow.edges) if e]
    used = {end for edge in edges for end in (edge.tail, edge.head)}
    nodes = [node for node in nodes if node.kind != "context" or node.name in used]
    clusters = tuple(
        replace(cluster, parent=cluster.parent if cluster.path != focus else None)
        for cluster in flow.clusters
        if view.drawn(cluster.path)
    )
    return Flow(title, clusters, tuple(nodes), merge_parallel(edges))


# ---- the overview, its split frames, the procedures -----------------------------------

SPLIT_LIMIT = 15


def _sanitize(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]", "_", text)


def cluster_file_stem(path: str) -> str:
    """Returns the file stem of a frame's own diagram: `cluster-<id>`."""
    return f"cluster-{_sanitize(path.rpartition('.')[2])}"


def _split_frames(flow: Flow) -> list[str]:
    """Returns the group frames big enough to get a diagram of their own, outermost first."""
    names = {node.name for node in flow.nodes}
    return [
        cluster.path
        for cluster in flow.clusters
        if cluster.parent is not None
        and cluster.path not in names
        and sum(1 for node in flow.nodes if within(node.home, cluster.path)) > SPLIT_LIMIT
    ]


def _outermost(paths: Sequence[str], focus: str | None) -> list[str]:
    inside = [path for path in paths if path != focus and within(path, focus)]
    return [p for p in inside if not any(q != p and within(p, q) for q in inside)]


def overview_flows(flow: Flow) -> dict[str, Flow]:
    """Returns the overview and one flow per split frame, by file stem."""
    splits = _split_frames(flow)
    flows = {"overview": focus_view(flow, None, _outermost(splits, None), f"{flow.title} (全体)")}
    for path in splits:
        cluster = next(c for c in flow.clusters if c.path == path)
        title = f"{flow.title}: {cluster.label} ({path})"
        flows[cluster_file_stem(path)] = focus_view(flow, path, _outermost(splits, path), title)
    return flows


def _highlighted_homes(flow: Flow, section: str) -> list[str | None]:
    names = {node.name: node for node in flow.nodes}
    homes = [node.home for node in flow.nodes if section in node.sections]
    homes += [
        names[node.name].home for node in flow.nodes for row in node.rows if section in row.sections
    ]
    homes += [
        names[end].home
        for edge in flow.edges
        if section in edge.sections
        for end in (edge.tail, edge.head)
    ]
    return homes


def procedure_flow(flow: Flow, section: Section) -> Flow:
    """Returns the smallest frame holding a procedure, frames it does not touch collapsed."""
    homes = _highlighted_homes(flow, section.id)
    clusters = {cluster.path for cluster in flow.clusters}
    focus: str | None = None
    if homes and None not in homes:
        focus = common_prefix([home or "" for home in homes]) or None
        while focus is not None and focus not in clusters:
            focus = focus.rpartition(".")[0] or None
    idle = [c.path for c in flow.clusters if not any(within(home, c.path) for home in homes)]
    title = f"{section_heading(section)} (手順図)"
    return focus_view(flow, focus, _outermost(idle, focus), title)

"""Builds the flow model of the whole statechart, folding what would make a hairball.

A dialog template shown on many screens becomes one shared node; the many edges into it
become one edge from their common frame. Transitions a group gives all its screens start
from one "各画面共通" node inside the group's frame; transitions without a target are listed
in their node's label; edges with the same ends are drawn once. The model is in
`harness.diagrams.flow`, the texts in `harness.diagrams.labels`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from harness.diagrams.flow import (
    Cluster,
    Edge,
    Flow,
    Node,
    Row,
    common_prefix,
    merge_parallel,
    within,
)
from harness.diagrams.labels import action_text, condition_text, transition_label
from statechart.model import Spec, State, Statechart, Transition

__all__ = ["build_flow"]


def _common_name(path: str) -> str:
    return f"{path}._common"


def _shared_name(template: str) -> str:
    return f"_shared.{template}"


@dataclass
class _Builder:
    """What the walk over the chart gathers: rows listed in nodes, edges, common frames."""

    chart: Statechart
    rows: dict[str, list[Row]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)

    def shared(self, state: State) -> bool:
        return state.template is not None and state.kind == "dialog"

    def clusters(self) -> dict[str, State]:
        drawn_parents = {
            state.parent
            for state in self.chart.iter_states()
            if state.parent is not None and not self.shared(state)
        }
        return {
            state.path: state
            for state in self.chart.iter_states()
            if state.kind == "group" or state.path in drawn_parents
        }

    def cluster_of(self, state: State, clusters: Mapping[str, State]) -> str | None:
        if state.path in clusters:
            return state.path
        return state.parent if state.parent in clusters else None

    def node_of(self, path: str) -> tuple[str, str | None]:
        """Returns the node drawn for a target path and the cluster to point at."""
        state = self.chart.state(path)
        if self.shared(state):
            return _shared_name(state.template or ""), None
        if state.kind == "group":
            return self.node_of(self.chart.enter(path))[0], path
        return path, None

    def tail_of(self, state: State) -> str:
        if state.kind == "group":
            self.anchor(state.path)
            return _common_name(state.path)
        return state.path

    def anchor(self, path: str) -> None:
        if path not in self.anchors:
            self.anchors.append(path)

    def add_row(self, node: str, text: str, ids: tuple[str, ...], sections: Iterable[str]) -> None:
        self.rows.setdefault(node, []).append(Row(text, ids, frozenset(sections)))


def _add_transition(builder: _Builder, state: State, index: int, transition: Transition) -> None:
    chart = builder.chart
    tid = f"{state.path}#{index}"
    tail = builder.tail_of(state)
    label = transition_label(chart, transition)
    target = chart.resolve_target(transition)
    if target is None or not chart.has_state(target):
        builder.add_row(tail, f"{label} (画面はそのまま)", (tid,), transition.sections)
        return
    if state.kind == "error_dialog" and chart.state(target).kind == "closed":
        builder.add_row(tail, f"{label} → 終了", (tid,), transition.sections)
        return
    head, lhead = builder.node_of(target)
    if lhead is not None and within(state.path, lhead):
        lhead = None
    action = action_text(chart, transition)
    if not action and not label and len(state.transitions) > 1:
        action = "それ以外"
    builder.edges.append(
        Edge(
            tail=tail,
            head=head,
            action=action,
            conditions=condition_text(transition),
            ids=(tid,),
            sections=frozenset(transition.sections),
            lhead=lhead,
        )
    )


def _merge(edges: Sequence[Edge], suffix: str) -> Edge:
    first = edges[0]
    actions = list(dict.fromkeys(edge.action for edge in edges))
    conditions = list(dict.fromkeys(edge.conditions for edge in edges))
    return Edge(
        tail=first.tail,
        head=first.head,
        action=" / ".join(actions) + (suffix if len(edges) > 1 else ""),
        conditions=conditions[0] if len(conditions) == 1 else "",
        ids=tuple(tid for edge in edges for tid in edge.ids),
        sections=frozenset(section for edge in edges for section in edge.sections),
        ltail=first.ltail,
        lhead=first.lhead,
    )


def _fold_into_shared(builder: _Builder, clusters: Mapping[str, State]) -> None:
    """Draws the many edges into one shared dialog as a single edge from their common frame."""
    shared_heads = {edge.head for edge in builder.edges if edge.head.startswith("_shared.")}
    for head in sorted(shared_heads):
        into = [edge for edge in builder.edges if edge.head == head]
        if len(into) < 2:
            continue
        frame = common_prefix([edge.tail for edge in into])
        while frame and frame not in clusters:
            frame = frame.rpartition(".")[0]
        if frame:
            builder.anchor(frame)
            into = [
                Edge(_common_name(frame), e.head, e.action, e.conditions, e.ids, e.sections, frame)
                for e in into
            ]
        merged = _merge(into, " (各画面)")
        builder.edges = [edge for edge in builder.edges if edge.head != head]
        builder.edges.append(merged)


def _shared_transitions(builder: _Builder, template: str, instances: Sequence[State]) -> None:
    chart = builder.chart
    node = _shared_name(template)
    for index, transition in enumerate(instances[0].transitions):
        ids = tuple(f"{state.path}#{index}" for state in instances)
        targets = {chart.resolve_target(state.transitions[index]) for state in instances}
        label = transition_label(chart, transition)
        parent_only = targets == {state.parent for state in instances}
        if (len(targets) == 1 and not parent_only) or len(instances) == 1:
            target = targets.pop()
            if target is None:
                builder.add_row(node, f"{label} (画面はそのまま)", ids, transition.sections)
                continue
            head, lhead = builder.node_of(target)
            builder.edges.append(
                Edge(
                    node,
                    head,
                    action_text(chart, transition),
                    condition_text(transition),
                    ids,
                    frozenset(transition.sections),
                    lhead=lhead,
                )
            )
        else:
            builder.add_row(node, f"{label} → 元の画面", ids, transition.sections)


def _buttons(state: State) -> str:
    return " ".join(f"[{e.label}]" for e in state.elements if e.kind == "button")


def _raised_codes(chart: Statechart, path: str) -> tuple[str, ...]:
    codes: dict[str, None] = {}
    for state in chart.iter_states():
        for transition in state.transitions:
            if chart.resolve_target(transition) == path:
                codes.update(dict.fromkeys(transition.raises))
    return tuple(codes)


def _state_node(builder: _Builder, state: State, cluster: str | None) -> Node:
    chart = builder.chart
    kind = {"error_dialog": "error"}.get(state.kind, state.kind)
    title = f"「{state.title}」" if state.kind == "screen" and state.title else (state.title or "")
    subtitle = state.path
    if state.kind == "dialog":
        title = title or "ダイアログ"
        subtitle = f"{_buttons(state)}\n{state.path}".strip()
    elif state.kind == "error_dialog":
        count = len(_raised_codes(chart, state.path))
        title = f"エラー ({count} code{'s' if count != 1 else ''})"
    elif state.kind == "closed":
        title = "終了"
    elif state.kind == "choice":
        title = "分岐"
    return Node(
        name=state.path,
        kind=kind,
        title=title,
        subtitle=subtitle,
        cluster=cluster,
        rows=tuple(builder.rows.get(state.path, ())),
        sections=frozenset(state.sections),
        states=(state.path,),
        home=state.path,
    )


def _shared_nodes(builder: _Builder, templates: Mapping[str, list[State]]) -> list[Node]:
    nodes = []
    for template, instances in templates.items():
        first = instances[0]
        nodes.append(
            Node(
                name=_shared_name(template),
                kind="dialog",
                title=first.title or "ダイアログ",
                subtitle=f"{_buttons(first)}\n{len(instances)} 画面に共通",
                cluster=None,
                rows=tuple(builder.rows.get(_shared_name(template), ())),
                sections=frozenset(first.sections),
                states=tuple(state.path for state in instances),
                home=common_prefix([state.parent or "" for state in instances]) or None,
            )
        )
    return nodes


def _common_nodes(builder: _Builder) -> list[Node]:
    chart = builder.chart
    return [
        Node(
            name=_common_name(path),
            kind="common",
            title="各画面共通",
            subtitle=path,
            cluster=path,
            rows=tuple(builder.rows.get(_common_name(path), ())),
            sections=frozenset(chart.state(path).sections),
            home=path,
        )
        for path in builder.anchors
    ]


def _cluster_label(state: State) -> str:
    return state.title or state.id


def build_flow(spec: Spec, title: str | None = None) -> Flow:
    """Builds the flow model of the whole statechart.

    Args:
        spec: The loaded spec.
        title: The diagram title (default: the statechart's name and 画面遷移図).

    Returns:
        The clusters, nodes and edges in document order.
    """
    chart = spec.statechart
    builder = _Builder(chart)
    clusters = builder.clusters()
    templates = _add_all_transitions(builder)
    _fold_into_shared(builder, clusters)
    nodes = [
        _state_node(builder, state, builder.cluster_of(state, clusters))
        for state in chart.iter_states()
        if not builder.shared(state) and state.kind != "group"
    ]
    nodes += _common_nodes(builder) + _shared_nodes(builder, templates)
    frames = tuple(_frame(state, clusters) for state in clusters.values())
    edges = merge_parallel(builder.edges)
    return Flow(title or f"{chart.name} 画面遷移図", frames, tuple(nodes), edges)


def _add_all_transitions(builder: _Builder) -> dict[str, list[State]]:
    """Adds every transition; returns the instances of each shared template."""
    templates: dict[str, list[State]] = {}
    for state in builder.chart.iter_states():
        if builder.shared(state):
            templates.setdefault(state.template or "", []).append(state)
            continue
        for index, transition in enumerate(state.transitions):
            _add_transition(builder, state, index, transition)
    for template, instances in templates.items():
        _shared_transitions(builder, template, instances)
    return templates


def _frame(state: State, clusters: Mapping[str, State]) -> Cluster:
    parent = state.parent if state.parent in clusters else None
    return Cluster(state.path, _cluster_label(state), parent, frozenset(state.sections))

"""The flow model behind the screen-flow diagrams, independent of any drawing tool.

It folds what would make a hairball: a dialog template shown on many screens becomes
one shared node, transitions a group gives all its screens start from one "各画面共通"
node inside the group's frame, transitions without a target are listed in their node's
label, and edges with the same ends are drawn once. Views focus on one frame and collapse
others. `harness.diagrams.draw` draws it with Graphviz; `harness.diagrams.export` writes
it as Mermaid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from statechart.model import Section, Spec, State, Statechart, Transition

__all__ = [
    "SPLIT_LIMIT",
    "Cluster",
    "Edge",
    "Flow",
    "Node",
    "Row",
    "action_text",
    "build_flow",
    "cluster_file_stem",
    "condition_text",
    "focus_view",
    "overview_flows",
    "procedure_flow",
    "section_heading",
    "transition_id",
    "transition_label",
]

_KEYS = {"back": "バックキー", "home": "ホーム"}
_BIOMETRIC = {"success": "成功", "failure": "失敗", "cancel": "キャンセル"}
_EVENTS = {"launch": "起動", "notify": "通知", "timer": "タイマー"}
_TAPS = {
    "button": "[{}]",
    "tab": "「{}」タブ",
    "menu_item": "「{}」",
    "list": "「{}」から選択",
    "toggle": "「{}」切替",
    "notification": "「{}」をタップ",
}


# ---- labels ---------------------------------------------------------------------------


def transition_id(chart: Statechart, transition: Transition) -> str:
    """Returns the stable id of a transition: `owner_path#index` in its owner's list.

    Raises:
        KeyError: if the transition is not one of its owner's transitions.
    """
    owned = chart.state(transition.owner).transitions
    for index, candidate in enumerate(owned):
        if candidate is transition:
            return f"{transition.owner}#{index}"
    for index, candidate in enumerate(owned):
        if candidate == transition:
            return f"{transition.owner}#{index}"
    raise KeyError(f"transition not owned by {transition.owner}")


def _element_kind(chart: Statechart, transition: Transition) -> str | None:
    for element in chart.visible_elements(transition.owner):
        if element.label == transition.element:
            return element.kind
    return None


def action_text(chart: Statechart, transition: Transition) -> str:
    """Returns what the user does: `[送信]`, `「設定」タブ`, `バックキー`, `起動`, or ""."""
    event = transition.event
    if event == "tap":
        label = transition.element or ""
        return _TAPS.get(_element_kind(chart, transition) or "", "「{}」").format(label)
    if event == "key":
        return _KEYS.get(transition.key or "", f"キー {transition.key}")
    if event == "biometric":
        return f"生体認証: {_BIOMETRIC.get(transition.result or '', transition.result or '')}"
    return "" if event is None else _EVENTS.get(event, event)


def condition_text(transition: Transition) -> str:
    """Returns the guards as `[a] [not b]` ("" when there are none)."""
    conditions = [*transition.guard, *(f"not {name}" for name in transition.unless)]
    return " ".join(f"[{condition}]" for condition in conditions)


def transition_label(chart: Statechart, transition: Transition) -> str:
    """Returns the action and the guards on one line."""
    parts = (action_text(chart, transition), condition_text(transition))
    return " ".join(part for part in parts if part)


# ---- the flow model -------------------------------------------------------------------


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


def _common_name(path: str) -> str:
    return f"{path}._common"


def _shared_name(template: str) -> str:
    return f"_shared.{template}"


@dataclass
class _Builder:
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
    if lhead is not None and _within(state.path, lhead):
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


def _common_prefix(paths: Sequence[str]) -> str:
    parts = [path.split(".") for path in paths]
    common: list[str] = []
    for column in zip(*parts, strict=False):
        if len(set(column)) != 1:
            break
        common.append(column[0])
    return ".".join(common)


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
        frame = _common_prefix([edge.tail for edge in into])
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
                home=_common_prefix([state.parent or "" for state in instances]) or None,
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
    edges = _merge_parallel(builder.edges)
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


def _merge_parallel(edges: Iterable[Edge]) -> tuple[Edge, ...]:
    """Draws edges with the same ends as one edge listing each action on its own line."""
    groups: dict[tuple[str, str, str | None, str | None], list[Edge]] = {}
    for edge in edges:
        groups.setdefault((edge.tail, edge.head, edge.ltail, edge.lhead), []).append(edge)
    return tuple(group[0] if len(group) == 1 else _stack(group) for group in groups.values())


# ---- views: focus on one frame, collapse others --------------------------------------


def _within(path: str | None, root: str | None) -> bool:
    if root is None:
        return True
    return path is not None and (path == root or path.startswith(root + "."))


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
            if _within(home, path):
                return path
        return None

    def rename(self, node: Node) -> str:
        frame = self.frame_of(node.home)
        if frame is None:
            return node.name
        return frame if frame in self.names() else _collapsed_name(frame)

    def drawn(self, cluster: str) -> bool:
        return _within(cluster, self.focus) and self.frame_of(cluster) is None

    def placed(self, cluster: str | None) -> str | None:
        while cluster is not None and not self.drawn(cluster):
            parent = cluster.rpartition(".")[0]
            cluster = parent or None
        return cluster


def _collapsed_node(view: _View, cluster: Cluster) -> Node:
    inside = [
        node
        for node in view.flow.nodes
        if node.kind == "screen" and _within(node.home, cluster.path)
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
            s for node in view.flow.nodes if _within(node.home, cluster.path) for s in node.sections
        ),
        home=cluster.path,
    )


def _view_nodes(view: _View) -> list[Node]:
    nodes: list[Node] = []
    for node in view.flow.nodes:
        name = view.rename(node)
        if name != node.name:
            continue
        if not _within(node.home, view.focus):
            nodes.append(replace(node, kind="context", rows=(), cluster=None))
            continue
        nodes.append(replace(node, cluster=view.placed(node.cluster)))
    for cluster in view.flow.clusters:
        if cluster.path in view.collapsed and cluster.path not in view.names():
            nodes.append(_collapsed_node(view, cluster))
    return nodes


def _view_edge(view: _View, edge: Edge, homes: Mapping[str, Node]) -> Edge | None:
    tail, head = view.rename(homes[edge.tail]), view.rename(homes[edge.head])
    outside = [not _within(homes[end].home, view.focus) for end in (edge.tail, edge.head)]
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
    return Flow(title, clusters, tuple(nodes), _merge_parallel(edges))


# ---- the diagrams ---------------------------------------------------------------------

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
        and sum(1 for node in flow.nodes if _within(node.home, cluster.path)) > SPLIT_LIMIT
    ]


def _outermost(paths: Sequence[str], focus: str | None) -> list[str]:
    inside = [path for path in paths if path != focus and _within(path, focus)]
    return [p for p in inside if not any(q != p and _within(p, q) for q in inside)]


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
        focus = _common_prefix([home or "" for home in homes]) or None
        while focus is not None and focus not in clusters:
            focus = focus.rpartition(".")[0] or None
    idle = [c.path for c in flow.clusters if not any(_within(home, c.path) for home in homes)]
    title = f"{section_heading(section)} (手順図)"
    return focus_view(flow, focus, _outermost(idle, focus), title)


def section_heading(section: Section) -> str:
    """Returns `3.9.1 有効期限まで180日以内の場合`, or the title alone for unnumbered sections."""
    if re.fullmatch(r"[0-9][0-9.]*", section.id):
        return f"{section.id} {section.title}"
    return section.title

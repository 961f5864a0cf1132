"""Flows as Graphviz DOT, painted plain, for one procedure, or by coverage; `dot` run on it.

The one module using the graphviz library. A `Paint` decides the status of each part
(a procedure's parts highlighted and the rest greyed, or each transition coloured by
whether the run covered it); the styles turn a status into colours. The same flow and
paint always give the same DOT bytes, so the generated files only change with the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

import graphviz

from harness.diagrams.flow import Cluster, Edge, Flow, Node, Row
from harness.diagrams.fonts import FONT

__all__ = ["Paint", "RenderFailure", "pipe", "to_dot"]

RANKDIR = "TB"


class RenderFailure(RuntimeError):
    """Graphviz could not draw a diagram (no `dot`, or `dot` failed)."""


# ---- painting -------------------------------------------------------------------------

_EDGE_STYLE: Mapping[str, Mapping[str, str]] = {
    "plain": {"color": "#546e7a", "fontcolor": "#263238"},
    "on": {"color": "#1565c0", "fontcolor": "#0d47a1", "penwidth": "2.6"},
    "off": {"color": "#d5d5d5", "fontcolor": "#b5b5b5"},
    "covered": {"color": "#2e7d32", "fontcolor": "#1b5e20", "penwidth": "2"},
    "failing": {"color": "#c62828", "fontcolor": "#b71c1c", "penwidth": "3", "style": "bold"},
    "partial": {"color": "#ef6c00", "fontcolor": "#e65100", "penwidth": "2"},
    "never": {"color": "#9e9e9e", "fontcolor": "#757575", "style": "dashed"},
}
_NODE_STYLE: Mapping[str, Mapping[str, str]] = {
    "on": {"color": "#1565c0", "fillcolor": "#e3f2fd", "penwidth": "2.6"},
    "off": {"color": "#d5d5d5", "fillcolor": "#fafafa", "fontcolor": "#b0b0b0"},
}
_NODE_BASE: Mapping[str, Mapping[str, str]] = {
    "context": {
        "shape": "box",
        "style": "dashed,filled",
        "fillcolor": "#fafafa",
        "color": "#9e9e9e",
        "fontcolor": "#616161",
    },
    "collapsed": {"shape": "box3d", "style": "filled", "fillcolor": "#e8eaf6", "color": "#3949ab"},
    "screen": {"shape": "box", "style": "filled", "fillcolor": "#ffffff", "color": "#37474f"},
    "dialog": {
        "shape": "box",
        "style": "rounded,filled",
        "fillcolor": "#fff8e1",
        "color": "#a1887f",
    },
    "error": {
        "shape": "box",
        "style": "rounded,filled",
        "fillcolor": "#ffebee",
        "color": "#c62828",
    },
    "choice": {
        "shape": "diamond",
        "style": "filled",
        "fillcolor": "#cfd8dc",
        "color": "#607d8b",
        "width": "0.28",
        "height": "0.28",
        "fixedsize": "true",
        "label": "",
    },
    "closed": {
        "shape": "doublecircle",
        "style": "filled",
        "fillcolor": "#eceff1",
        "color": "#37474f",
    },
    "common": {"shape": "note", "style": "filled", "fillcolor": "#fffde7", "color": "#afb42b"},
}
_STATUS_TEXT = {
    "covered": "通過 (covered)",
    "failing": "失敗 (failing)",
    "partial": "一部のみ通過 (partial)",
    "never": "未実行 (never exercised)",
}


@dataclass(frozen=True)
class Paint:
    """Decides the status of each part: plain, procedure highlight, or coverage.

    Attributes:
        section: The manual section whose parts are highlighted (the rest greyed).
        coverage: Transition id -> "covered" or "failing"; absent ids were never exercised.
    """

    section: str | None = None
    coverage: Mapping[str, str] | None = None

    def status(self, ids: tuple[str, ...], sections: frozenset[str]) -> str:
        if self.section is not None:
            return "on" if self.section in sections else "off"
        if self.coverage is None or not ids:
            return "plain"
        found = [self.coverage.get(tid) for tid in ids]
        if "failing" in found:
            return "failing"
        covered = sum(1 for status in found if status == "covered")
        if covered == len(found):
            return "covered"
        return "partial" if covered else "never"

    def note(self, ids: tuple[str, ...]) -> str:
        if self.coverage is None or len(ids) < 2:
            return ""
        covered = sum(1 for tid in ids if self.coverage.get(tid) == "covered")
        return f" ({covered}/{len(ids)})"


# ---- DOT ------------------------------------------------------------------------------


def _html(text: str) -> str:
    return "<BR/>".join(escape(line, quote=False) for line in text.split("\n"))


def _row_html(row: Row, paint: Paint) -> str:
    status = paint.status(row.ids, row.sections)
    color = _EDGE_STYLE[status]["fontcolor"]
    return f'<FONT POINT-SIZE="9" COLOR="{color}">・{_html(row.text)}{paint.note(row.ids)}</FONT>'


def _node_label(node: Node, paint: Paint, status: str) -> str:
    grey = "#c0c0c0" if status == "off" else "#808080"
    parts = [f'<FONT POINT-SIZE="12">{_html(node.title)}</FONT>']
    if node.subtitle:
        parts.append(f'<FONT POINT-SIZE="8" COLOR="{grey}">{_html(node.subtitle)}</FONT>')
    parts += [_row_html(row, paint) for row in node.rows]
    return "<" + "<BR/>".join(parts) + ">"


def _node_attrs(node: Node, paint: Paint) -> dict[str, str]:
    status = paint.status((), node.sections)
    attrs = {**_NODE_BASE[node.kind], **_NODE_STYLE.get(status, {})}
    if node.kind == "choice":
        attrs["tooltip"] = node.name
    else:
        attrs["label"] = _node_label(node, paint, status)
        attrs["tooltip"] = " ".join((*node.states[:1], *sorted(node.sections)))
    if node.kind == "closed":
        attrs["label"] = _html(node.title)
        if node.rows:
            rows = "<BR/>".join(_row_html(row, paint) for row in node.rows)
            attrs["xlabel"] = f"<{rows}>"
    return attrs


def _edge_attrs(edge: Edge, paint: Paint) -> dict[str, str]:
    status = paint.status(edge.ids, edge.sections)
    attrs = dict(_EDGE_STYLE[status])
    lines = [_html(edge.action + paint.note(edge.ids))] if edge.action else []
    if edge.conditions:
        lines.append(f'<FONT POINT-SIZE="9">{_html(edge.conditions)}</FONT>')
    if lines:
        attrs["label"] = "<" + "<BR/>".join(lines) + ">"
    attrs["tooltip"] = " ".join((*edge.ids[:3], *sorted(edge.sections)))
    if edge.ltail:
        attrs["ltail"] = f"cluster_{edge.ltail}"
    if edge.lhead:
        attrs["lhead"] = f"cluster_{edge.lhead}"
    return attrs


def _cluster_attrs(cluster: Cluster, paint: Paint, depth: int) -> dict[str, str]:
    status = paint.status((), cluster.sections)
    color = {"on": "#1565c0", "off": "#c8c8c8"}.get(status, "#78909c")
    label = f"<B>{_html(cluster.label)}</B>"
    if cluster.label != cluster.path:
        label += f' <FONT POINT-SIZE="8">{_html(cluster.path)}</FONT>'
    label = f"<{label}>"
    fill = ("#f3f6f8", "#e9eef1", "#dfe6ea", "#ffffff")[min(depth, 3)]
    fontcolor = "#b0b0b0" if status == "off" else "#37474f"
    return {
        "label": label,
        "color": color,
        "fontcolor": fontcolor,
        "style": "rounded,filled",
        "fillcolor": fill,
        "labeljust": "l",
        "fontsize": "13",
    }


def _emit_cluster(
    graph: graphviz.Digraph, flow: Flow, cluster: Cluster, paint: Paint, depth: int
) -> None:
    with graph.subgraph(name=f"cluster_{cluster.path}") as sub:
        sub.attr(**_cluster_attrs(cluster, paint, depth))
        _emit_members(sub, flow, cluster.path, paint, depth + 1)


def _emit_members(
    graph: graphviz.Digraph, flow: Flow, parent: str | None, paint: Paint, depth: int
) -> None:
    for node in flow.nodes:
        if node.cluster == parent:
            graph.node(node.name, **_node_attrs(node, paint))
    for cluster in flow.clusters:
        if cluster.parent == parent:
            _emit_cluster(graph, flow, cluster, paint, depth)


def _legend(graph: graphviz.Digraph) -> None:
    rows = "".join(
        f'<TR><TD><FONT COLOR="{_EDGE_STYLE[status]["color"]}">━━━</FONT></TD>'
        f'<TD ALIGN="LEFT">{escape(text)}</TD></TR>'
        for status, text in _STATUS_TEXT.items()
    )
    table = f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2">{rows}</TABLE>>'
    graph.node("_legend", label=table, shape="box", style="rounded", color="#9e9e9e")


def to_dot(flow: Flow, paint: Paint | None = None, name: str = "flow") -> str:
    """Returns the DOT source of a flow (the same input always gives the same bytes)."""
    paint = paint or Paint()
    graph = graphviz.Digraph(name=name)
    graph.attr(
        "graph",
        rankdir=RANKDIR,
        compound="true",
        newrank="true",
        fontname=FONT,
        label=f"<<B>{_html(flow.title)}</B>>",
        labelloc="t",
        fontsize="20",
        nodesep="0.25",
        ranksep="0.5",
        pad="0.3",
        bgcolor="white",
    )
    graph.attr("node", fontname=FONT, fontsize="11", margin="0.12,0.05")
    graph.attr("edge", fontname=FONT, fontsize="10", arrowsize="0.7")
    _emit_members(graph, flow, None, paint, 0)
    for edge in flow.edges:
        graph.edge(edge.tail, edge.head, **_edge_attrs(edge, paint))
    if paint.coverage is not None:
        _legend(graph)
    return str(graph.source)


# ---- running dot ----------------------------------------------------------------------


def pipe(source: str, fmt: str, stem: str) -> bytes:
    """Runs `dot` on a DOT source and returns the drawing in `fmt` (`svg`, `png`).

    Raises:
        RenderFailure: if `dot` is not installed or fails; says which diagram.
    """
    try:
        data: bytes = graphviz.Source(source, engine="dot").pipe(format=fmt)
    except graphviz.ExecutableNotFound as error:
        raise RenderFailure("Graphviz `dot` not found: install graphviz") from error
    except graphviz.CalledProcessError as error:
        detail = (error.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise RenderFailure(f"dot failed on {stem}: {detail[0] if detail else error}") from error
    return data

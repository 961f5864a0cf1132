"""Screen-flow diagrams of the spec as DOT, SVG and PNG (the one module using Graphviz).

`render_all` writes `overview`, one `cluster-<id>` per frame too big for the overview,
`full` (every transition), one `procedure-<section>` per manual procedure and, given
coverage data, `coverage`. The flow model itself is in `harness.diagrams.flow`.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

import graphviz

from harness.diagrams.build import build_flow
from harness.diagrams.flow import Cluster, Edge, Flow, Node, Row
from harness.diagrams.labels import section_heading, transition_id
from harness.diagrams.views import overview_flows, procedure_flow
from statechart.model import Section, Spec

__all__ = [
    "DEFAULT_OUT_DIR",
    "FONT",
    "FONT_PACKAGE",
    "FORMATS",
    "FontMissing",
    "FontReport",
    "RenderFailure",
    "build_diagrams",
    "font_check",
    "font_covers",
    "procedure_file_stem",
    "procedure_sections",
    "render_all",
    "render_dot",
    "to_dot",
    "transition_id",
]

DEFAULT_OUT_DIR = Path("reports") / "diagrams"
FONT = "IPAPGothic"
FONT_PACKAGE = "fonts-ipafont-gothic"
RANKDIR = "TB"
FORMATS = ("svg", "png")


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
class _Paint:
    """Decides the status of each part: plain, procedure highlight, or coverage."""

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


def _row_html(row: Row, paint: _Paint) -> str:
    status = paint.status(row.ids, row.sections)
    color = _EDGE_STYLE[status]["fontcolor"]
    return f'<FONT POINT-SIZE="9" COLOR="{color}">・{_html(row.text)}{paint.note(row.ids)}</FONT>'


def _node_label(node: Node, paint: _Paint, status: str) -> str:
    grey = "#c0c0c0" if status == "off" else "#808080"
    parts = [f'<FONT POINT-SIZE="12">{_html(node.title)}</FONT>']
    if node.subtitle:
        parts.append(f'<FONT POINT-SIZE="8" COLOR="{grey}">{_html(node.subtitle)}</FONT>')
    parts += [_row_html(row, paint) for row in node.rows]
    return "<" + "<BR/>".join(parts) + ">"


def _node_attrs(node: Node, paint: _Paint) -> dict[str, str]:
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


def _edge_attrs(edge: Edge, paint: _Paint) -> dict[str, str]:
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


def _cluster_attrs(cluster: Cluster, paint: _Paint, depth: int) -> dict[str, str]:
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
    graph: graphviz.Digraph, flow: Flow, cluster: Cluster, paint: _Paint, depth: int
) -> None:
    with graph.subgraph(name=f"cluster_{cluster.path}") as sub:
        sub.attr(**_cluster_attrs(cluster, paint, depth))
        _emit_members(sub, flow, cluster.path, paint, depth + 1)


def _emit_members(
    graph: graphviz.Digraph, flow: Flow, parent: str | None, paint: _Paint, depth: int
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


def to_dot(flow: Flow, paint: _Paint | None = None, name: str = "flow") -> str:
    """Returns the DOT source of a flow (the same input always gives the same bytes)."""
    paint = paint or _Paint()
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


def _stem_part(text: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9.]+", text):
        return text
    ascii_runs = "-".join(re.findall(r"[A-Za-z0-9]+", text))
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"{ascii_runs}-{digest}" if ascii_runs else digest


def procedure_file_stem(section_id: str) -> str:
    """Returns `procedure-<id>`; ids with other than ASCII letters, digits and dots are hashed.

    `3.9.1` -> `procedure-3.9.1`; `操作について(iPhone)` -> `procedure-iPhone-<sha1[:8]>`.
    """
    return f"procedure-{_stem_part(section_id)}"


def procedure_sections(spec: Spec) -> tuple[Section, ...]:
    """Returns the in-scope sections that at least one transition cites, in manual order."""
    cited = {
        section
        for state in spec.statechart.iter_states()
        for transition in state.transitions
        for section in transition.sections
    }
    return tuple(section for section in spec.sections if section.in_scope and section.id in cited)


def build_diagrams(spec: Spec, coverage: Mapping[str, str] | None = None) -> dict[str, str]:
    """Returns every diagram's DOT source by file stem (deterministic, no rendering).

    Args:
        spec: The loaded spec.
        coverage: Transition id -> "covered" or "failing"; absent ids were never exercised.

    Returns:
        `overview`, `cluster-<id>`, `full`, `procedure-<section>` and, with coverage, `coverage`.
    """
    flow = build_flow(spec)
    sources = {stem: to_dot(part, name=stem) for stem, part in overview_flows(flow).items()}
    sources["full"] = to_dot(replace(flow, title=f"{flow.title} (全遷移)"), name="full")
    for section in procedure_sections(spec):
        stem = procedure_file_stem(section.id)
        sources[stem] = to_dot(procedure_flow(flow, section), _Paint(section=section.id), stem)
    if coverage is not None:
        title = f"{flow.title} (カバレッジ)"
        sources["coverage"] = to_dot(
            replace(flow, title=title), _Paint(coverage=coverage), "coverage"
        )
    return sources


# ---- fonts and rendering --------------------------------------------------------------


class RenderFailure(RuntimeError):
    """Graphviz could not draw a diagram (no `dot`, or `dot` failed)."""


class FontMissing(RenderFailure):
    """No Japanese font: the PNGs would show boxes (tofu) instead of text."""


@dataclass(frozen=True)
class FontReport:
    """What fontconfig offers for the diagrams' font and for Japanese in general."""

    requested: str
    matched: str
    japanese: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True if the font fontconfig picks for the request supports Japanese."""
        return bool(self.matched) and self.matched in self.japanese

    def message(self) -> str:
        """Returns one line saying what was found, or what to install."""
        if self.ok:
            return f"font {self.requested}: {self.matched} (Japanese supported)"
        found = ", ".join(self.japanese[:3]) or "none"
        return (
            f"no Japanese font for {self.requested} (fontconfig picked {self.matched or 'nothing'};"
            f" Japanese fonts: {found}): install {FONT_PACKAGE} (apt-get install {FONT_PACKAGE})"
        )


def _fc(*args: str) -> str:
    program = shutil.which(args[0])
    if program is None:
        return ""
    result = subprocess.run(
        [program, *args[1:]], capture_output=True, text=True, check=False, timeout=30
    )
    return result.stdout if result.returncode == 0 else ""


def _families(text: str) -> list[str]:
    return [name.strip() for line in text.splitlines() for name in line.split(",") if name.strip()]


def font_check(font: str = FONT) -> FontReport:
    """Asks fontconfig which font renders `font` for Japanese and whether it covers Japanese.

    Runs `fc-match -f '%{family}' '<font>:lang=ja'` and `fc-list :lang=ja family`.
    """
    matched = _families(_fc("fc-match", "-f", "%{family}", f"{font}:lang=ja"))
    japanese = sorted(set(_families(_fc("fc-list", ":lang=ja", "family"))))
    return FontReport(font, matched[0] if matched else "", tuple(japanese))


def _pipe(source: str, fmt: str, stem: str) -> bytes:
    try:
        data: bytes = graphviz.Source(source, engine="dot").pipe(format=fmt)
    except graphviz.ExecutableNotFound as error:
        raise RenderFailure("Graphviz `dot` not found: install graphviz") from error
    except graphviz.CalledProcessError as error:
        detail = (error.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise RenderFailure(f"dot failed on {stem}: {detail[0] if detail else error}") from error
    return data


def font_covers(text: str, font: str = FONT) -> bool:
    """True if fontconfig's match for `font` has a glyph for every non-ASCII character of text.

    Asks `fc-list '<font>:charset=<code points>' family`, which lists the font only if it
    covers them all.
    """
    points = sorted({ord(char) for char in text if ord(char) > 0x7F and not char.isspace()})
    if not points:
        return True
    charset = " ".join(f"{point:x}" for point in points)
    return bool(_families(_fc("fc-list", f"{font}:charset={charset}", "family")))


def render_dot(
    source: str, out_dir: Path, stem: str, formats: Sequence[str] = FORMATS
) -> list[Path]:
    """Writes `<stem>.dot` and renders it with dot into each format; returns the files."""
    dot_file = out_dir / f"{stem}.dot"
    dot_file.write_text(source, encoding="utf-8")
    written = [dot_file]
    for fmt in formats:
        data = _pipe(source, fmt, stem)
        target = out_dir / f"{stem}.{fmt}"
        target.write_bytes(data)
        written.append(target)
    return written


def _index(spec: Spec, stems: Iterable[str]) -> str:
    titles = {procedure_file_stem(s.id): section_heading(s) for s in procedure_sections(spec)}
    lines = ["# Screen-flow diagrams", "", "Generated by `otpspec render`; do not edit.", ""]
    lines += [f"- [{stem}]({stem}.svg) {titles.get(stem, '')}".rstrip() for stem in stems]
    return "\n".join(lines) + "\n"


def _remove_stale(out_dir: Path, stems: Iterable[str]) -> None:
    keep = set(stems)
    for path in sorted(out_dir.glob("*")):
        generated = path.stem.startswith(("procedure-", "cluster-")) or path.stem in {
            "overview",
            "full",
            "coverage",
        }
        if generated and path.suffix in {".dot", ".svg", ".png"} and path.stem not in keep:
            path.unlink()


def render_all(
    spec: Spec,
    out_dir: Path = DEFAULT_OUT_DIR,
    coverage: Mapping[str, str] | None = None,
    *,
    formats: Sequence[str] = FORMATS,
) -> list[Path]:
    """Writes every diagram as DOT, SVG and PNG, plus an `index.md`.

    Args:
        spec: The loaded spec.
        out_dir: Where to write (created if missing).
        coverage: Transition id -> "covered" or "failing"; adds `coverage.*`.
        formats: The rendered formats besides DOT.

    Returns:
        The files written, in a stable order.

    Raises:
        FontMissing: if fontconfig has no Japanese font for the diagrams.
    """
    report = font_check()
    if not report.ok:
        raise FontMissing(report.message())
    sources = build_diagrams(spec, coverage)
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale(out_dir, sources)

    def render(item: tuple[str, str]) -> list[Path]:
        return render_dot(item[1], out_dir, item[0], formats)

    with ThreadPoolExecutor(max_workers=8) as pool:
        written = [path for paths in pool.map(render, sources.items()) for path in paths]
    index = out_dir / "index.md"
    index.write_text(_index(spec, sources), encoding="utf-8")
    return [*written, index]

"""The spec as Mermaid (`stateDiagram-v2`, for docs/screen-flow.md) and as W3C SCXML 1.0.

Mermaid is drawn from the same folded flow as the Graphviz diagrams. Mermaid cannot draw a
transition between states inside different composite states, so each transition is
written in the composite holding both ends, from and to that composite's direct children
(a transition out of a nested state leaves from the frame around it).

SCXML keeps every state and transition of the spec. A screen with children is a compound
state there, so it gets a synthetic initial child `<path>._screen` (the screen itself, no
dialog open) marked `otp:synthetic="true"`; everything else maps one to one.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from harness.diagrams.build import build_flow
from harness.diagrams.flow import Edge, Flow, Node
from harness.diagrams.labels import transition_id
from harness.diagrams.views import overview_flows
from statechart.model import Spec, State, Statechart, Transition

__all__ = [
    "DOCS_FILE",
    "OTP_NAMESPACE",
    "SCREEN_SUFFIX",
    "SCXML_NAMESPACE",
    "event_name",
    "flow_to_mermaid",
    "mermaid_id",
    "to_mermaid",
    "to_scxml",
    "write_docs",
]

DOCS_FILE = "screen-flow.md"
SCXML_NAMESPACE = "http://www.w3.org/2005/07/scxml"
OTP_NAMESPACE = "urn:otpspec:scxml"
SCREEN_SUFFIX = "._screen"

_MERMAID_UNSAFE = str.maketrans(
    {":": "：", ";": "；", "[": "［", "]": "］", "#": "＃", "{": "｛", "}": "｝",
     "<": "＜", ">": "＞", '"': "”", "\n": " / "}
)  # fmt: skip
_INDENT = "    "


# ---- Mermaid --------------------------------------------------------------------------


def mermaid_id(name: str) -> str:
    """Returns an ASCII Mermaid id for a node name: `running.main` -> `running__main`."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name.replace(".", "__")).strip("_")


def _text(text: str) -> str:
    return text.translate(_MERMAID_UNSAFE).strip()


def _frame_id(flow: Flow, path: str) -> str:
    suffix = "__frame" if any(node.name == path for node in flow.nodes) else ""
    return mermaid_id(path) + suffix


@dataclass
class _Tree:
    """Mermaid lines by composite (None: the document), and each item's chain of frames."""

    flow: Flow
    parents: dict[str, str | None] = field(default_factory=dict)
    lines: dict[str | None, list[str]] = field(default_factory=dict)

    def chain(self, cluster: str | None) -> list[str]:
        chain: list[str] = []
        while cluster is not None:
            chain.insert(0, cluster)
            cluster = self.parents.get(cluster)
        return chain

    def add(self, frame: str | None, line: str) -> None:
        self.lines.setdefault(frame, []).append(line)


def _state_lines(node: Node) -> list[str]:
    ident = mermaid_id(node.name)
    if node.kind == "choice":
        return [f"state {ident} <<choice>>"]
    title = node.title.strip("「」") if node.kind == "screen" else node.title
    lines = [f'state "{_text(title)}" as {ident}']
    lines += [f"{ident} : ・{_text(row.text)}" for row in node.rows]
    return lines


def _lift(tree: _Tree, edge: Edge, nodes: dict[str, Node]) -> tuple[str | None, str, str]:
    tail_chain = tree.chain(nodes[edge.tail].cluster)
    head_chain = tree.chain(nodes[edge.head].cluster)
    common = 0
    while common < min(len(tail_chain), len(head_chain)):
        if tail_chain[common] != head_chain[common]:
            break
        common += 1
    frame = tail_chain[common - 1] if common else None

    def end(name: str, chain: list[str]) -> str:
        if len(chain) > common:
            return _frame_id(tree.flow, chain[common])
        return mermaid_id(name)

    return frame, end(edge.tail, tail_chain), end(edge.head, head_chain)


def _edge_label(edge: Edge) -> str:
    return _text(" ".join(part for part in (edge.action, edge.conditions) if part))


def _add_edges(tree: _Tree) -> None:
    nodes = {node.name: node for node in tree.flow.nodes}
    seen: dict[tuple[str | None, str, str], list[str]] = {}
    for edge in tree.flow.edges:
        frame, tail, head = _lift(tree, edge, nodes)
        if tail != head:
            seen.setdefault((frame, tail, head), []).append(_edge_label(edge))
    for (frame, tail, head), labels in seen.items():
        label = " / ".join(dict.fromkeys(label for label in labels if label))
        tree.add(frame, f"{tail} --> {head}" + (f" : {label}" if label else ""))


def _emit(tree: _Tree, frame: str | None, depth: int, out: list[str]) -> None:
    pad = _INDENT * depth
    out.extend(pad + line for line in tree.lines.get(frame, []))
    for cluster in tree.flow.clusters:
        if cluster.parent != frame:
            continue
        ident = _frame_id(tree.flow, cluster.path)
        out.append(f'{pad}state "{_text(cluster.label)}" as {ident} {{')
        _emit(tree, cluster.path, depth + 1, out)
        out.append(f"{pad}}}")


def flow_to_mermaid(flow: Flow, initial: str | None = None) -> str:
    """Returns a flow as a Mermaid `stateDiagram-v2`.

    Args:
        flow: The flow (whole, or a view of it).
        initial: The node name the diagram starts in (`[*] -->`), if it is drawn.
    """
    tree = _Tree(flow, {cluster.path: cluster.parent for cluster in flow.clusters})
    if initial is not None and any(node.name == initial for node in flow.nodes):
        tree.add(None, f"[*] --> {mermaid_id(initial)}")
    for node in flow.nodes:
        for line in _state_lines(node):
            tree.add(node.cluster, line)
    _add_edges(tree)
    out = ["stateDiagram-v2", f"{_INDENT}%% {_text(flow.title)}"]
    _emit(tree, None, 1, out)
    return "\n".join(out) + "\n"


def to_mermaid(spec: Spec) -> str:
    """Returns the whole screen flow (every screen) as a Mermaid `stateDiagram-v2`."""
    return flow_to_mermaid(build_flow(spec), spec.statechart.initial)


def write_docs(spec: Spec, docs_dir: Path) -> Path:
    """Writes `screen-flow.md` in `docs_dir`: the overview and each frame as Mermaid blocks.

    Returns:
        The file written.
    """
    views = overview_flows(build_flow(spec))
    lines = [
        "_Generated by `otpspec render` from spec/statechart.yaml: do not edit by hand._",
        "",
        "# Screen flow",
        "",
        "The overview collapses the big frames; each has its own diagram below. Graphviz",
        "versions (SVG/PNG, one per manual procedure too) are written to reports/diagrams/.",
    ]
    for stem, view in views.items():
        initial = spec.statechart.initial if stem == "overview" else None
        lines += ["", f"## {view.title}", "", "```mermaid", flow_to_mermaid(view, initial)]
        lines[-1] = lines[-1].rstrip("\n")
        lines.append("```")
    target = docs_dir / DOCS_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


# ---- SCXML ----------------------------------------------------------------------------


def _token(text: str) -> str:
    """Returns text usable as one SCXML event token: XML name characters only."""
    return "".join(c if c.isalnum() or c in "_-" or ord(c) >= 0x3001 else "_" for c in text)


def event_name(transition: Transition) -> str | None:
    """Returns the SCXML event: `launch`, `tap.送信`, `key.back`, `biometric.success`."""
    event = transition.event
    if event == "tap":
        return f"tap.{_token(transition.element or '')}"
    if event == "key":
        return f"key.{_token(transition.key or '')}"
    if event == "biometric":
        return f"biometric.{_token(transition.result or '')}"
    return event


def _cond(transition: Transition) -> str | None:
    parts = [*transition.guard, *(f"not {name}" for name in transition.unless)]
    return " and ".join(parts) or None


def _q(name: str) -> str:
    return f"{{{SCXML_NAMESPACE}}}{name}"


def _o(name: str) -> str:
    return f"{{{OTP_NAMESPACE}}}{name}"


def _transition(parent: ET.Element, chart: Statechart, transition: Transition) -> None:
    attrs: dict[str, str] = {}
    event, cond, target = (
        event_name(transition),
        _cond(transition),
        chart.resolve_target(transition),
    )
    if event is not None:
        attrs["event"] = event
    if cond is not None:
        attrs["cond"] = cond
    if target is not None:
        attrs["target"] = target
    attrs[_o("id")] = transition_id(chart, transition)
    optional = {
        "element": transition.element or "",
        "actions": " ".join(transition.actions),
        "raises": " ".join(transition.raises),
        "sections": " ".join(transition.sections),
    }
    attrs.update({_o(key): value for key, value in optional.items() if value})
    ET.SubElement(parent, _q("transition"), attrs)


def _state(parent: ET.Element, chart: Statechart, state: State) -> None:
    attrs = {"id": state.path, _o("kind"): state.kind}
    if state.title:
        attrs[_o("title")] = state.title
    compound = bool(state.children)
    synthetic = compound and state.initial is None
    if compound:
        attrs["initial"] = state.path + SCREEN_SUFFIX if synthetic else state.initial_path or ""
    element = ET.SubElement(parent, _q("state"), attrs)
    for transition in state.transitions:
        _transition(element, chart, transition)
    if synthetic:
        ET.SubElement(element, _q("state"), {"id": state.path + SCREEN_SUFFIX,
                                              _o("synthetic"): "true"})  # fmt: skip
    for child in state.children:
        _state(element, chart, chart.state(child))


def _guard_names(chart: Statechart) -> list[str]:
    names = {
        name
        for state in chart.iter_states()
        for transition in state.transitions
        for name in (*transition.guard, *transition.unless)
    }
    return sorted(names)


def to_scxml(spec: Spec) -> str:
    """Returns the statechart as a W3C SCXML 1.0 document (every state and transition).

    Guards become `cond` expressions (`operation_failed and not privacy_agreed`) over a
    datamodel declaring each guard name as `False`; actions, element labels, raised codes,
    sections and the transition id (`owner#index`) are kept in `otp:` attributes.
    """
    chart = spec.statechart
    ET.register_namespace("", SCXML_NAMESPACE)
    ET.register_namespace("otp", OTP_NAMESPACE)
    root = ET.Element(
        _q("scxml"),
        {"version": "1.0", "initial": chart.initial, "name": "otp_app", _o("title"): chart.name},
    )
    datamodel = ET.SubElement(root, _q("datamodel"))
    for name in _guard_names(chart):
        ET.SubElement(datamodel, _q("data"), {"id": name, "expr": "False"})
    for top in chart.top:
        _state(root, chart, chart.state(top))
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"

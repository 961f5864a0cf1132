"""Loading the spec directory: read, validate against the schemas, build the model."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from statechart.files import directory_problem
from statechart.model import (
    Assumption,
    Contract,
    Element,
    ErrorEntry,
    InputRule,
    MessageVariant,
    Rules,
    Section,
    Spec,
    State,
    Statechart,
    TextLine,
    Transition,
)
from statechart.problems import Location, Origin, Problem, SourceMap, SpecInvalid
from statechart.resources import SPEC_DIR
from statechart.schema import SPEC_KINDS, validate
from statechart.yamlio import LoadedYaml, load_yaml

__all__ = ["DEFAULT_SPEC_DIR", "load_spec", "spec_file_name"]

DEFAULT_SPEC_DIR = SPEC_DIR

_CITATION_KEYS = ("sections", "assumptions", "assumed")


def spec_file_name(kind: str) -> str:
    """Returns the file name of a spec file kind: `statechart` -> `statechart.yaml`."""
    return f"{kind}.yaml"


class _Node:
    """Typed read access to one validated mapping, with its origin."""

    def __init__(self, data: object, origin: Origin) -> None:
        self.data: Mapping[str, object] = data if isinstance(data, dict) else {}
        self.origin = origin

    def at(self, *steps: str | int) -> Origin:
        return Origin(self.origin.file, (*self.origin.path, *steps))

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key)
        return value if isinstance(value, str) else default

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        return value if isinstance(value, str) else None

    def names(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list):
            return tuple(str(item) for item in value)
        return ()

    def assumed(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The `assumed` mapping as (attribute, ids) pairs, in file order."""
        value = self.data.get("assumed")
        if not isinstance(value, dict):
            return ()
        return tuple((str(name), self.node("assumed").names(str(name))) for name in value)

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def nodes(self, key: str) -> list[_Node]:
        value = self.data.get(key)
        items = value if isinstance(value, list) else []
        return [_Node(item, self.at(key, index)) for index, item in enumerate(items)]

    def node(self, key: str) -> _Node:
        return _Node(self.data.get(key), self.at(key))


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _element(node: _Node) -> Element:
    return Element(
        label=node.text("label"),
        kind=node.text("kind"),
        origin=node.origin,
        when=node.names("when"),
        unless=node.names("unless"),
        secret=node.data.get("secret") is True,
        rule=node.optional_text("rule"),
        items=node.optional_text("items"),
        enabled_when=node.names("enabled_when"),
        sections=node.names("sections"),
        assumptions=node.names("assumptions"),
        assumed=node.assumed(),
    )


def _text_line(node: _Node) -> TextLine:
    return TextLine(
        text=node.text("text"),
        origin=node.origin,
        when=node.names("when"),
        unless=node.names("unless"),
        match=node.text("match", "exact"),
        sections=node.names("sections"),
        assumptions=node.names("assumptions"),
        assumed=node.assumed(),
    )


def _transition(node: _Node, owner: str) -> Transition:
    return Transition(
        owner=owner,
        origin=node.origin,
        event=node.optional_text("event"),
        element=node.optional_text("element"),
        key=node.optional_text("key"),
        result=node.optional_text("result"),
        guard=node.names("guard"),
        unless=node.names("unless"),
        actions=node.names("actions"),
        target=node.optional_text("target"),
        raises=node.names("raises"),
        sections=node.names("sections"),
        assumptions=node.names("assumptions"),
        assumed=node.assumed(),
    )


@dataclass
class _StateBuilder:
    """Builds the states depth-first, instantiating dialog templates."""

    templates: Mapping[str, _Node]
    source: SourceMap
    states: dict[str, State] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def complain(self, origin: Origin, message: str, hint: str) -> None:
        self.problems.append(self.source.problem(origin, message, hint))

    def children_of(self, node: _Node, path: str, chain: tuple[str, ...]) -> list[_Node]:
        children: list[_Node] = []
        seen: set[str] = set()
        for child in node.nodes("states"):
            self.add_child(child, child.text("id"), path, seen, children)
        for index, name in enumerate(node.names("dialogs")):
            instance = self.instance(node, index, name, chain)
            if instance is not None:
                self.add_child(instance, name, path, seen, children)
        return children

    def add_child(
        self, child: _Node, child_id: str, path: str, seen: set[str], out: list[_Node]
    ) -> None:
        if child_id in seen:
            where = child.at("id") if "id" in child.data else child.origin
            self.complain(where, f"{path} has two children with id {child_id!r}", "rename one")
            return
        seen.add(child_id)
        out.append(child)

    def instance(self, node: _Node, index: int, name: str, chain: tuple[str, ...]) -> _Node | None:
        where = node.at("dialogs", index)
        if name in chain:
            self.complain(where, f"template {name!r} includes itself", "break the cycle")
            return None
        template = self.templates.get(name)
        if template is None:
            close = difflib.get_close_matches(name, list(self.templates), n=3)
            hint = f"did you mean: {', '.join(close)}" if close else "define it under templates"
            self.complain(where, f"unknown template {name!r}", hint)
            return None
        return template

    def build(self, node: _Node, path: str, parent: str | None, chain: tuple[str, ...]) -> None:
        template = self.template_name(node)
        inner_chain = (*chain, template) if template is not None else chain
        children = self.children_of(node, path, inner_chain)
        child_paths = tuple(f"{path}.{self.child_id(child)}" for child in children)
        self.states[path] = self.state(node, path, parent, child_paths, template)
        for child, child_path in zip(children, child_paths, strict=True):
            self.build(child, child_path, path, inner_chain)

    def template_name(self, node: _Node) -> str | None:
        steps = node.origin.path
        if len(steps) == 3 and steps[:2] == ("statechart", "templates"):
            return str(steps[2])
        return None

    def child_id(self, child: _Node) -> str:
        template = self.template_name(child)
        return template if template is not None else child.text("id")

    def state(
        self,
        node: _Node,
        path: str,
        parent: str | None,
        children: tuple[str, ...],
        template: str | None,
    ) -> State:
        return State(
            path=path,
            id=path.rsplit(".", 1)[-1],
            kind=node.text("kind"),
            origin=node.origin,
            parent=parent,
            title=node.optional_text("title"),
            text=node.optional_text("text"),
            initial=node.optional_text("initial"),
            children=children,
            dialogs=node.names("dialogs"),
            elements=tuple(_element(item) for item in node.nodes("elements")),
            texts=tuple(_text_line(item) for item in node.nodes("texts")),
            shows=node.names("shows"),
            transitions=tuple(_transition(item, path) for item in node.nodes("transitions")),
            sections=node.names("sections"),
            assumptions=node.names("assumptions"),
            assumed=node.assumed(),
            template=template,
        )


def _template_nodes(
    chart: _Node, builder_problems: list[Problem], source: SourceMap
) -> dict[str, _Node]:
    raw = chart.data.get("templates")
    templates = raw if isinstance(raw, dict) else {}
    nodes: dict[str, _Node] = {}
    for name, data in templates.items():
        node = _Node(data, chart.at("templates", name))
        declared = node.optional_text("id")
        if declared is not None and declared != name:
            message = f"template {name!r} declares id {declared!r}"
            builder_problems.append(source.problem(node.at("id"), message, "drop the id"))
        nodes[name] = node
    return nodes


def _statechart(root: _Node, source: SourceMap) -> tuple[Statechart, list[Problem]]:
    chart = root.node("statechart")
    problems: list[Problem] = []
    templates = _template_nodes(chart, problems, source)
    builder = _StateBuilder(templates, source)
    seen: set[str] = set()
    top: list[_Node] = []
    for node in chart.nodes("states"):
        builder.add_child(node, node.text("id"), "the statechart", seen, top)
    for node in top:
        builder.build(node, node.text("id"), None, ())
    statechart = Statechart(
        name=chart.text("name"),
        initial=chart.text("initial"),
        states=builder.states,
        top=tuple(node.text("id") for node in top),
        origin=chart.origin,
        templates=tuple(templates),
        sections=chart.names("sections"),
        assumptions=chart.names("assumptions"),
    )
    return statechart, problems + builder.problems


def _error_entry(node: _Node) -> ErrorEntry:
    variants = tuple(
        MessageVariant(item.text("when"), item.text("message")) for item in node.nodes("variants")
    )
    return ErrorEntry(
        code=node.text("code"),
        operation=node.text("operation"),
        operation_title=node.text("operation_title"),
        classification=node.text("classification"),
        raised_by=node.text("raised_by"),
        message=node.text("message"),
        remedy=node.text("remedy"),
        on_dismiss=node.text("on_dismiss"),
        origin=node.origin,
        variants=variants,
        sections=node.names("sections"),
        assumptions=node.names("assumptions"),
        assumed=node.assumed(),
    )


def _assumption(node: _Node) -> Assumption:
    return Assumption(
        id=node.text("id"),
        question=node.text("question"),
        decision=node.text("decision"),
        why=node.text("why"),
        sections=node.names("sections"),
        origin=node.origin,
    )


def _contract(node: _Node) -> Contract:
    return Contract(
        name=node.text("name"),
        kind=node.text("kind"),
        statement=node.text("statement"),
        origin=node.origin,
        after=node.optional_text("after"),
        states=node.names("states"),
        sections=node.names("sections"),
        assumptions=node.names("assumptions"),
        assumed=_aspects(node.data.get("assumed")),
    )


def _aspects(data: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(data, dict):
        return ()
    return tuple(
        (str(aspect), tuple(str(ident) for ident in ids))
        for aspect, ids in data.items()
        if isinstance(ids, list)
    )


def _section(node: _Node) -> Section:
    return Section(
        id=node.text("id"),
        title=node.text("title"),
        in_scope=node.data.get("in_scope") is True,
        origin=node.origin,
        note=node.text("note"),
    )


def _input_rule(name: str, node: _Node) -> InputRule:
    return InputRule(
        name=name,
        charset=node.text("charset"),
        min=node.integer("min"),
        max=node.integer("max") if "max" in node.data else None,
        origin=node.origin,
        sections=node.names("sections"),
        assumptions=node.names("assumptions"),
        assumed=node.assumed(),
    )


def _rules(root: _Node) -> Rules:
    node = root.node("rules")
    values: dict[str, object] = {}
    sections: dict[str, tuple[str, ...]] = {}
    assumptions: dict[str, tuple[str, ...]] = {}
    assumed: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}
    for key, raw in node.data.items():
        item = node.node(key)
        sections[key] = item.names("sections")
        assumptions[key] = item.names("assumptions")
        assumed[key] = item.assumed()
        values[key] = _rule_value(key, raw)
    inputs = {
        name: _input_rule(name, node.node("inputs").node(name)) for name in _keys(node, "inputs")
    }
    return Rules(values, inputs, sections, assumptions, node.origin, assumed)


def _keys(node: _Node, key: str) -> list[str]:
    value = node.data.get(key)
    return list(value) if isinstance(value, dict) else []


def _rule_value(key: str, raw: object) -> object:
    if not isinstance(raw, dict) or key == "inputs":
        return raw
    if "value" in raw:
        return raw["value"]
    return {name: value for name, value in raw.items() if name not in _CITATION_KEYS}


def _duplicate_ids(
    nodes: list[_Node], what: str, source: SourceMap, *, key: str = "id"
) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for node in nodes:
        ident = node.text(key)
        if ident in seen:
            message = f"{what} {key} {ident!r} appears twice"
            problems.append(source.problem(node.at(key), message, "remove or renumber one"))
        seen.add(ident)
    return problems


def _build(roots: Mapping[str, _Node], source: SourceMap, directory: Path) -> Spec:
    statechart, problems = _statechart(roots["statechart"], source)
    assumption_nodes = roots["assumptions"].nodes("assumptions")
    section_nodes = roots["sections"].nodes("sections")
    contract_nodes = roots["contracts"].nodes("contracts")
    problems += _duplicate_ids(assumption_nodes, "assumption", source)
    problems += _duplicate_ids(section_nodes, "section", source)
    problems += _duplicate_ids(contract_nodes, "contract", source, key="name")
    if problems:
        raise SpecInvalid(problems)
    return Spec(
        statechart=statechart,
        errors=tuple(_error_entry(node) for node in roots["errors"].nodes("errors")),
        assumptions=tuple(_assumption(node) for node in assumption_nodes),
        rules=_rules(roots["rules"]),
        sections=tuple(_section(node) for node in section_nodes),
        locations=source,
        directory=directory,
        contracts=tuple(_contract(node) for node in contract_nodes),
    )


def _read_all(
    directory: Path, schema_dir: Path | None
) -> tuple[dict[str, LoadedYaml], list[Problem]]:
    loaded: dict[str, LoadedYaml] = {}
    problems: list[Problem] = []
    for kind in SPEC_KINDS:
        path = directory / spec_file_name(kind)
        file = load_yaml(path, _display_name(path))
        loaded[kind] = file
        problems.extend(file.problems)
        if file.data is not None:
            problems.extend(validate(file.data, kind, file, schema_dir))
    return loaded, problems


def _not_a_directory(directory: Path, why: str) -> SpecInvalid:
    where = Location(_display_name(directory))
    # `the spec directory does not exist`; `it is a file, not a directory`; …
    message = "the spec directory does not exist" if why == "does not exist" else f"it {why}"
    return SpecInvalid([Problem(where, "$", message, "pass the directory holding statechart.yaml")])


def load_spec(spec_dir: Path | None = None, *, schema_dir: Path | None = None) -> Spec:
    """Loads, validates and builds the spec.

    Args:
        spec_dir: The directory of the spec files (default: the shipped spec).
        schema_dir: The directory of the JSON Schemas (default: the shipped schemas).

    Returns:
        The typed spec.

    Raises:
        SpecInvalid: With every problem found across all files.
    """
    directory = spec_dir if spec_dir is not None else DEFAULT_SPEC_DIR
    why = directory_problem(directory)
    if why:
        raise _not_a_directory(directory, why)
    loaded, problems = _read_all(directory, schema_dir)
    if problems:
        raise SpecInvalid(problems)
    source = SourceMap()
    roots: dict[str, _Node] = {}
    for kind, file in loaded.items():
        name = spec_file_name(kind)
        source.add_file(name, file.file, file.values, file.keys)
        roots[kind] = _Node(file.data, Origin(name, ()))
    return _build(roots, source, directory)

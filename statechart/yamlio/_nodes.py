"""Step 3 of reading a spec file: composed nodes into plain data, with every location.

Runs only after the event screen, so the nodes are shallow enough to walk recursively and
their aliases expand to a bounded number of values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

import yaml

from statechart.problems import JsonPath, Location, Problem
from statechart.yamlio._common import MAX_INTEGER_DIGITS, STANDARD, Loader, Refused, at, problem

__all__ = ["Located", "compose", "to_data"]

_NULLS: Final = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS: Final = {
    spelling: spelling[0] in "tT"
    for spelling in ("true", "True", "TRUE", "false", "False", "FALSE")
}
_INFINITIES: Final = frozenset({".inf", ".Inf", ".INF"})
_NANS: Final = frozenset({".nan", ".NaN", ".NAN"})
_MERGE: Final = STANDARD + "merge"


def _integer(text: str) -> int:
    sign, digits = (-1, text[1:]) if text[:1] == "-" else (1, text.removeprefix("+"))
    base = {"0x": 16, "0o": 8, "0b": 2}.get(digits[:2].lower(), 10)
    digits = digits[2:] if base != 10 else digits
    if len(digits) > MAX_INTEGER_DIGITS:
        # Checked before int(): Python's own limit would answer with advice about sys.
        raise OverflowError(f"an integer of {len(digits):,} digits is too long")
    return sign * int(digits, base)


def _float(text: str) -> float:
    bare = text.lstrip("+-")
    if bare in _INFINITIES:
        return -math.inf if text.startswith("-") else math.inf
    return math.nan if text in _NANS else float(text)


def _boolean(text: str) -> bool:
    if text not in _BOOLS:
        raise ValueError(text)
    return _BOOLS[text]


def _null(text: str) -> None:
    if text not in _NULLS:
        raise ValueError(text)


_CONVERT: Final[dict[str, Callable[[str], object]]] = {
    STANDARD + "int": _integer,
    STANDARD + "float": _float,
    STANDARD + "bool": _boolean,
    STANDARD + "null": _null,
}


class _Converter:
    """Turns composed nodes into plain data, recording where every value and key is."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.values: dict[JsonPath, Location] = {}
        self.keys: dict[JsonPath, Location] = {}
        self.problems: list[Problem] = []

    def at(self, node: yaml.Node) -> Location:
        return at(self.file, node.start_mark)

    def complain(self, where: Location, path: JsonPath, message: str, hint: str) -> None:
        self.problems.append(problem(where, message, hint, path))

    def convert(self, node: yaml.Node, path: JsonPath) -> object:
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            result: list[object] = []
            for index, item in enumerate(node.value):
                child = (*path, index)
                self.values[child] = self.at(item)
                result.append(self.convert(item, child))
            return result
        return self.scalar(node, path)

    def scalar(self, node: yaml.Node, path: JsonPath) -> object:
        text, tag = str(node.value), str(node.tag)
        if tag == STANDARD + "timestamp":
            hint = "quote it to make it a string"
            self.complain(self.at(node), path, f"{text} is read as a date", hint)
            return text
        convert = _CONVERT.get(tag)
        if convert is None:
            return text
        try:
            return convert(text)
        except OverflowError as error:
            message = f"{error}; numbers in spec files have at most {MAX_INTEGER_DIGITS} digits"
            hint = "quote it if it is text, or write a smaller number"
        except ValueError:
            shown = text if len(text) <= 40 else text[:40] + "…"
            message = f"{shown!r} is not a valid {tag.replace(STANDARD, '!!', 1)}"
            hint = "fix the value or drop the tag"
        raise Refused(problem(self.at(node), message, hint, path))

    def mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[str, object]:
        result: dict[str, object] = {}
        first_seen: dict[str, yaml.Node] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self.merge_pairs(value_node, path))
                continue
            key = self.key(key_node, path)
            if key is None:
                continue
            if key in first_seen:
                line = first_seen[key].start_mark.line + 1
                message = f'duplicate key "{key}" (first at line {line})'
                hint = "remove or rename the repeated key"
                raise Refused(problem(self.at(key_node), message, hint, (*path, key)))
            first_seen[key] = key_node
            self.keys[(*path, key)] = self.at(key_node)
            result[key] = self.child(value_node, (*path, key), self.at(value_node))
        # Merged keys come after the mapping's own, which win; they are located at the
        # mapping that merges them (their text is elsewhere, under the anchor).
        for key_node, value_node in merged:
            key = self.key(key_node, path)
            if key is None or key in result:
                continue
            self.keys[(*path, key)] = self.values.get(path, self.at(node))
            result[key] = self.child(value_node, (*path, key), self.keys[(*path, key)])
        return result

    def child(self, node: yaml.Node, path: JsonPath, where: Location) -> object:
        self.values[path] = where
        value = self.convert(node, path)
        if value is None:  # an empty value has no text of its own: point at its key
            self.values[path] = self.keys[path]
        return value

    def key(self, node: yaml.Node, path: JsonPath) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            kind = "list" if isinstance(node, yaml.SequenceNode) else "mapping"
            self.complain(self.at(node), path, f"a mapping key is a {kind}", "use a plain name")
            return None
        key = self.scalar(node, path)
        if isinstance(key, str):
            return key
        self.complain(self.at(node), path, f"mapping key {key!r} is not a string", "quote the key")
        return None

    def merge_pairs(self, node: yaml.Node, path: JsonPath) -> list[tuple[yaml.Node, yaml.Node]]:
        """The pairs a merge key brings, in precedence order: earlier sources win, and a
        source's own keys win over what it merges itself."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                message = "a merge key (<<) takes an alias of a mapping, or a list of them"
                self.complain(self.at(source), path, message, "refer to a mapping's anchor")
                continue
            nested: list[tuple[yaml.Node, yaml.Node]] = []
            for key_node, value_node in source.value:
                if key_node.tag == _MERGE:
                    nested.extend(self.merge_pairs(value_node, path))
                else:
                    pairs.append((key_node, value_node))
            pairs.extend(nested)
        return pairs


def compose(text: str) -> yaml.Node | None:
    """The text's single document as composed nodes (None for an empty document).

    Raises:
        yaml.MarkedYAMLError: Not valid YAML, or more than one document.
    """
    loader = Loader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


Located = tuple[dict[str, object], dict[JsonPath, Location], dict[JsonPath, Location]]


def to_data(document: yaml.MappingNode, file: str) -> tuple[Located, list[Problem]]:
    """Plain data of a top-level mapping, the locations of its values and keys, and the
    problems that still leave the data usable (dates, keys that are not strings).

    Raises:
        Refused: A duplicate key, an integer too long, or a tagged value that is invalid.
    """
    converter = _Converter(file)
    converter.values[()] = converter.at(document)
    data = converter.mapping(document, ())
    return (data, converter.values, converter.keys), converter.problems

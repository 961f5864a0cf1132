"""Safe YAML loading with locations: the only module that imports ruamel.yaml."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import MappingStartEvent, ScalarEvent, SequenceStartEvent
from ruamel.yaml.scalarbool import ScalarBoolean

from statechart.problems import JsonPath, Location, Problem, format_json_path

__all__ = ["LoadedYaml", "load_yaml"]

_STANDARD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(
    _STANDARD + name for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
_TAG_HINT = "remove the tag: spec files hold plain mappings, lists and scalars only"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


@dataclass(frozen=True)
class LoadedYaml:
    """A loaded file: plain data, where each value and key is, and what went wrong."""

    file: str
    data: dict[str, object] | None
    values: dict[JsonPath, Location] = field(default_factory=dict)
    keys: dict[JsonPath, Location] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    def locate(self, path: JsonPath, *, key: bool = False) -> Location:
        """Returns the location of a path's value (or key), else of its deepest parent."""
        if key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), Location(self.file, 1, 1))


def _file_problem(file: str, message: str, hint: str, line: int = 1, column: int = 1) -> Problem:
    return Problem(Location(file, line, column), "$", message, hint)


def _failed(file: str, message: str, hint: str, line: int = 1, column: int = 1) -> LoadedYaml:
    return LoadedYaml(file, None, problems=(_file_problem(file, message, hint, line, column),))


def _decode(raw: bytes, file: str) -> str | LoadedYaml:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        return _failed(file, "the file is not UTF-8 text", "save the file as UTF-8", line, column)


def _mark_problem(file: str, error: MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else 1
    text = str(error.problem or error.context or "invalid YAML").strip()
    if "duplicate key" in text:
        return _file_problem(file, text, "remove or rename the repeated key", line, column)
    message = f"YAML syntax error: {text}"
    return _file_problem(file, message, "fix the YAML syntax here", line, column)


def _tag_problems(text: str, file: str) -> list[Problem]:
    problems = []
    for event in YAML(typ="rt").parse(text):
        if not isinstance(event, ScalarEvent | MappingStartEvent | SequenceStartEvent):
            continue
        tag = event.tag
        if tag is None or str(tag) in _ALLOWED_TAGS:
            continue
        mark = event.start_mark
        shown = str(tag).replace(_STANDARD, "!!", 1)
        message = f"explicit tag {shown} is not allowed"
        problems.append(_file_problem(file, message, _TAG_HINT, mark.line + 1, mark.column + 1))
    return problems


class _Converter:
    """Turns ruamel round-trip data into plain data, recording locations."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.values: dict[JsonPath, Location] = {}
        self.keys: dict[JsonPath, Location] = {}
        self.problems: list[Problem] = []
        self._stack: set[int] = set()

    def convert_root(self, document: CommentedMap) -> dict[str, object]:
        self.values[()] = self.at(document.lc.line, document.lc.col)
        return self._mapping(document, ())

    def at(self, line: int, column: int) -> Location:
        return Location(self.file, line + 1, column + 1)

    def complain(self, path: JsonPath, message: str, hint: str) -> None:
        where = self.values.get(path) or self.keys.get(path) or Location(self.file)
        self.problems.append(Problem(where, format_json_path(path), message, hint))

    def convert(self, node: object, path: JsonPath) -> object:
        if id(node) in self._stack:
            self.complain(path, "a recursive alias", "do not refer to an anchor inside itself")
            return None
        self._stack.add(id(node))
        try:
            return self._convert(node, path)
        finally:
            self._stack.discard(id(node))

    def _convert(self, node: object, path: JsonPath) -> object:
        if isinstance(node, CommentedMap):
            return self._mapping(node, path)
        if isinstance(node, CommentedSeq):
            return self._sequence(node, path)
        return self._scalar(node, path)

    def _mapping(self, node: CommentedMap, path: JsonPath) -> dict[str, object]:
        result: dict[str, object] = {}
        for key, value in node.items():
            if not isinstance(key, str):
                self.complain(path, f"mapping key {key!r} is not a string", "quote the key")
                continue
            child = (*path, key)
            self._record(node, key, child)
            result[key] = self.convert(value, child)
        return result

    def _record(self, node: CommentedMap, key: str, child: JsonPath) -> None:
        try:
            self.keys[child] = self.at(*node.lc.key(key))
            value_at = self.at(*node.lc.value(key))
        except (KeyError, TypeError, IndexError):  # merged (<<) keys have no own position
            self.keys[child] = self.values.get(child[:-1], Location(self.file))
            value_at = self.keys[child]
        self.values[child] = self.keys[child] if node[key] is None else value_at

    def _sequence(self, node: CommentedSeq, path: JsonPath) -> list[object]:
        result: list[object] = []
        for index, item in enumerate(node):
            child = (*path, index)
            try:
                self.values[child] = self.at(*node.lc.item(index))
            except (KeyError, TypeError, IndexError):
                self.values[child] = self.values.get(path, Location(self.file))
            result.append(self.convert(item, child))
        return result

    def _scalar(self, node: object, path: JsonPath) -> object:
        if isinstance(node, TaggedScalar):
            return self._tagged(node, path)
        if node is None or isinstance(node, bool):
            return node
        if isinstance(node, datetime.date):
            self.complain(path, f"{node} is read as a date", "quote it to make it a string")
            return str(node)
        return self._plain(node, path)

    def _plain(self, node: object, path: JsonPath) -> object:
        if isinstance(node, ScalarBoolean):
            return bool(node)
        for plain_type in (int, float, str):
            if isinstance(node, plain_type):
                return plain_type(node)
        self.complain(path, f"unsupported YAML value {node!r}", "use a plain scalar")
        return None

    def _tagged(self, node: TaggedScalar, path: JsonPath) -> object:
        tag = str(getattr(node.tag, "value", node.tag)).removeprefix(_STANDARD)
        text = str(node.value)
        convert = _TAGGED.get(tag)
        try:
            return text if convert is None else convert(text)
        except ValueError:
            self.complain(path, f"{text!r} is not a valid !!{tag}", "fix the value or drop the tag")
            return text


def _to_null(text: str) -> None:
    if text not in _NULLS:
        raise ValueError(text)


def _to_bool(text: str) -> bool:
    if text not in _BOOLS:
        raise ValueError(text)
    return _BOOLS[text]


_TAGGED: dict[str, Callable[[str], object]] = {
    "int": lambda text: int(text, 0),
    "float": float,
    "bool": _to_bool,
    "null": _to_null,
}


def _parse(text: str, file: str) -> LoadedYaml:
    tags = _tag_problems(text, file)
    if tags:
        return LoadedYaml(file, None, problems=tuple(tags))
    document = YAML(typ="rt").load(text)
    if document is None:
        return _failed(file, "the file is empty", "write the file's top-level mapping")
    if not isinstance(document, CommentedMap):
        kind = "list" if isinstance(document, CommentedSeq) else "scalar"
        return _failed(file, f"the top level is a {kind}, not a mapping", "start with `key: value`")
    converter = _Converter(file)
    data = converter.convert_root(document)
    return LoadedYaml(file, data, converter.values, converter.keys, tuple(converter.problems))


def load_yaml(path: Path, shown_as: str | None = None) -> LoadedYaml:
    """Loads one YAML file safely into plain data with a location for every value.

    Args:
        path: The file to read.
        shown_as: The file name to print in locations (default: the path as given).

    Returns:
        The loaded file; `data` is None when the file could not be read at all,
        and every reason is in `problems`. Never raises for a bad file.
    """
    file = shown_as if shown_as is not None else str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return _failed(file, f"cannot read the file: {reason}", "create the file or fix the path")
    text = _decode(raw, file)
    if isinstance(text, LoadedYaml):
        return text
    try:
        return _parse(text, file)
    except MarkedYAMLError as error:
        return LoadedYaml(file, None, problems=(_mark_problem(file, error),))
    except (YAMLError, RecursionError, ValueError) as error:
        message = f"cannot read the YAML: {error}".splitlines()[0]
        return _failed(file, message, "fix the YAML syntax")

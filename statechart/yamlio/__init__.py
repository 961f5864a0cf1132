"""Safe YAML loading with locations: the only package that imports PyYAML.

A spec file is read in three guarded steps, so that no file can make the loader hang,
exhaust memory or end in a traceback, and every refusal is a located `Problem`:

1. the file (`_files`, read by `statechart.files`): a regular file (not a FIFO, a device or
   a directory) of at most `MAX_FILE_BYTES`, UTF-8 text without the characters YAML forbids;
2. the events (`_screen`, libyaml's parser when installed): only the plain scalar, list and
   mapping tags, nesting at most `MAX_DEPTH` deep, at most `MAX_VALUES` values with every
   alias expanded (an alias bomb stops at the alias that crosses the limit);
3. the composed nodes (`_nodes`), whose marks give every value and key its line and
   column: plain data by the YAML 1.2 core schema, merge keys (`<<`), no duplicate keys,
   integers of at most `MAX_INTEGER_DIGITS` digits, dates refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from statechart.problems import JsonPath, Location, Problem
from statechart.yamlio._common import (
    DEPTH_HINT,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_INTEGER_DIGITS,
    MAX_VALUES,
    Refused,
    at,
    problem,
    refuse,
)
from statechart.yamlio._files import read_text
from statechart.yamlio._nodes import compose, to_data
from statechart.yamlio._screen import screen

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_INTEGER_DIGITS",
    "MAX_VALUES",
    "LoadedYaml",
    "load_yaml",
]


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


def _syntax_problem(file: str, error: yaml.MarkedYAMLError) -> Problem:
    mark = error.problem_mark or error.context_mark
    if "nesting depth" in str(error.problem):
        # libyaml's scanner has its own depth limit (1000) and may meet it before the screen
        # sees the events: the same refusal, at the line libyaml gives.
        message = f"lists and mappings nest more than {MAX_DEPTH} deep here"
        return problem(at(file, mark), message, DEPTH_HINT)
    text = str(error.problem or error.context or "invalid YAML").strip()
    if error.problem and error.context and error.context_mark is not None:
        where = at(file, error.context_mark)
        text += f" ({error.context.strip()} at line {where.line}, column {where.column})"
    return problem(at(file, mark), f"YAML syntax error: {text}", "fix the YAML syntax here")


def _load(path: Path, file: str) -> LoadedYaml:
    text = read_text(path, file)
    try:
        tags = screen(text, file)
        if tags:
            return LoadedYaml(file, None, problems=tuple(tags))
        document = compose(text)
    except yaml.MarkedYAMLError as error:
        return LoadedYaml(file, None, problems=(_syntax_problem(file, error),))
    if document is None:
        raise refuse(file, "the file is empty", "write the file's top-level mapping")
    if not isinstance(document, yaml.MappingNode):
        kind = "list" if isinstance(document, yaml.SequenceNode) else "scalar"
        where = at(file, document.start_mark)
        message = f"the top level is a {kind}, not a mapping"
        raise refuse(file, message, "start with `key: value`", where.line, where.column)
    (data, values, keys), problems = to_data(document, file)
    return LoadedYaml(file, data, values, keys, tuple(problems))


def load_yaml(path: Path, shown_as: str | None = None) -> LoadedYaml:
    """Loads one YAML file safely into plain data with a location for every value.

    Args:
        path: The file to read.
        shown_as: The file name to print in locations (default: the path as given).

    Returns:
        The loaded file; `data` is None when the file could not be read at all,
        and every reason is in `problems`. Never raises for a bad file, never blocks on
        a FIFO or a device, and refuses sizes, nesting and alias expansion beyond the
        limits above.
    """
    file = shown_as if shown_as is not None else str(path)
    try:
        return _load(path, file)
    except Refused as refused:
        return LoadedYaml(file, None, problems=(refused.problem,))
    except yaml.YAMLError as error:  # not located by the parser (reader errors are pre-empted)
        message = f"cannot read the YAML: {error}".splitlines()[0]
        return LoadedYaml(file, None, problems=(problem(Location(file), message, "fix it"),))

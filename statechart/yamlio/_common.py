"""What the steps of reading a spec file share: limits, the loader, located problems."""

from __future__ import annotations

import re
from typing import ClassVar, Final, Protocol

import yaml

from statechart.problems import JsonPath, Location, Problem, format_json_path

__all__ = [
    "DEPTH_HINT",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_INTEGER_DIGITS",
    "MAX_PATH_STEPS",
    "MAX_VALUES",
    "SIZE_HINT",
    "STANDARD",
    "Loader",
    "Mark",
    "Refused",
    "at",
    "problem",
    "refuse",
]

MAX_FILE_BYTES: Final = 2 * 1024 * 1024
"""Largest spec file read (the shipped files are below 60 KB)."""
MAX_DEPTH: Final = 100
"""Deepest nesting of lists and mappings (the shipped files nest at most 15 deep)."""
MAX_VALUES: Final = 100_000
"""Most values (scalars, lists, mappings) in one file with every alias expanded."""
MAX_INTEGER_DIGITS: Final = 100
"""Longest integer literal; numbers in the spec are small counts and days."""
MAX_PATH_STEPS: Final = 12
"""Longest JSON path printed in a problem of the event screen (deep nesting is cut)."""

STANDARD: Final = "tag:yaml.org,2002:"
DEPTH_HINT: Final = "flatten the data, or close the brackets"
SIZE_HINT: Final = "check that the path names the spec file, and remove what does not belong"

_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader (libyaml's when installed) with the YAML 1.2 core schema.

    `yes`, `on`, `010` and `1_000` stay strings, as in the JSON data model the schemas
    check; dates are still recognised, so that an unquoted date can be refused.
    """

    yaml_implicit_resolvers: ClassVar[dict[str | None, list[tuple[str, re.Pattern[str]]]]] = {}


for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("merge", r"^(?:<<)$", "<"),
    ("timestamp", r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9].*)?$", "0123456789"),
):
    Loader.add_implicit_resolver(STANDARD + _tag, re.compile(_pattern), list(_first))


class Mark(Protocol):
    """A parser position (PyYAML's and libyaml's marks both have these), 0-based."""

    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...


def at(file: str, mark: Mark | None) -> Location:
    """The 1-based location of a parser mark."""
    return Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)


def problem(where: Location, message: str, hint: str, path: JsonPath = ()) -> Problem:
    """A problem of a spec file at a location and JSON path."""
    return Problem(where, format_json_path(path), message, hint)


class Refused(Exception):
    """The file cannot be read at all; the problem says where and why."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.message)
        self.problem = found


def refuse(file: str, message: str, hint: str, line: int = 1, column: int = 1) -> Refused:
    """A refusal of the whole file at a line and column (the JSON path is the root)."""
    return Refused(problem(Location(file, line, column), message, hint))

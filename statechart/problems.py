"""Problems found in the spec files, and where they are."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "JsonPath",
    "Location",
    "Origin",
    "Problem",
    "Severity",
    "SourceMap",
    "SpecInvalid",
    "format_json_path",
    "sort_problems",
]

JsonPath = tuple[str | int, ...]
Severity = Literal["error", "warning"]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def format_json_path(path: JsonPath) -> str:
    """Formats a path as `$.statechart.states[3].target`.

    Args:
        path: Mapping keys and sequence indexes from the document root.

    Returns:
        The JSON path text; keys that are not plain names are written `['3.9.1']`.
    """
    parts = ["$"]
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif _PLAIN_KEY.match(step):
            parts.append(f".{step}")
        else:
            parts.append(f"[{step!r}]")
    return "".join(parts)


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and column are 1-based (column 0: unknown)."""

    file: str
    line: int = 1
    column: int = 1

    def format(self) -> str:
        """Returns `file:line:col`."""
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Origin:
    """Where a model object was read from: a spec file name and a JSON path in it."""

    file: str
    path: JsonPath = ()


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the spec: where, what, and how to fix it."""

    location: Location
    json_path: str
    message: str
    hint: str
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        """True unless the problem is only a warning."""
        return self.severity == "error"

    def format(self) -> str:
        """Returns `file:line:col: $.path: message (fix: hint)`, warnings marked."""
        mark = "warning: " if self.severity == "warning" else ""
        fix = f" (fix: {self.hint})" if self.hint else ""
        return f"{self.location.format()}: {mark}{self.json_path}: {self.message}{fix}"

    def as_dict(self) -> dict[str, str | int]:
        """Returns the problem as plain JSON-ready data."""
        return {
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "json_path": self.json_path,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


def _problem_key(problem: Problem) -> tuple[str, int, int, str, str]:
    where = problem.location
    return (where.file, where.line, where.column, problem.json_path, problem.message)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Returns the problems without repeats, ordered by file, line, column."""
    unique = {problem.format(): problem for problem in problems}
    return sorted(unique.values(), key=_problem_key)


class SpecInvalid(Exception):
    """Raised when the spec cannot be loaded; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sort_problems(problems))
        super().__init__(f"{len(self.problems)} problem(s) in the spec")


class SourceMap:
    """Locations of the values and keys of loaded files, looked up by JSON path."""

    def __init__(self) -> None:
        self._values: dict[str, dict[JsonPath, Location]] = {}
        self._keys: dict[str, dict[JsonPath, Location]] = {}
        self._files: dict[str, str] = {}

    def add_file(
        self,
        name: str,
        shown_as: str,
        values: Mapping[JsonPath, Location],
        keys: Mapping[JsonPath, Location],
    ) -> None:
        """Registers a file's location tables.

        Args:
            name: The spec file name used in origins (`statechart.yaml`).
            shown_as: The file name printed in locations.
            values: Value locations by JSON path.
            keys: Mapping-key locations by JSON path.
        """
        self._files[name] = shown_as
        self._values[name] = dict(values)
        self._keys[name] = dict(keys)

    def shown_as(self, name: str) -> str:
        """Returns the printed file name for a spec file name."""
        return self._files.get(name, name)

    def locate(self, origin: Origin, *, key: bool = False) -> Location:
        """Returns the location of a value (or of its key), else of its deepest parent."""
        values = self._values.get(origin.file, {})
        keys = self._keys.get(origin.file, {})
        if key and origin.path in keys:
            return keys[origin.path]
        path = origin.path
        while path:
            if path in values:
                return values[path]
            path = path[:-1]
        return values.get((), Location(self.shown_as(origin.file), 1, 1))

    def problem(
        self,
        origin: Origin,
        message: str,
        hint: str,
        *,
        key: bool = False,
        severity: Severity = "error",
    ) -> Problem:
        """Builds a Problem located at an origin."""
        return Problem(
            location=self.locate(origin, key=key),
            json_path=format_json_path(origin.path),
            message=message,
            hint=hint,
            severity=severity,
        )

"""Tests of statechart.problems."""

from __future__ import annotations

from statechart.problems import (
    Location,
    Origin,
    Problem,
    SourceMap,
    SpecInvalid,
    format_json_path,
    sort_problems,
)


def _problem(line: int, message: str = "bad", severity: str = "error") -> Problem:
    where = Location("statechart.yaml", line, 3)
    return Problem(where, "$.statechart", message, "fix it", severity)  # type: ignore[arg-type]


class TestFormatJsonPath:
    def test_keys_and_indexes(self) -> None:
        path = ("statechart", "states", 3, "transitions", 0, "target")
        assert format_json_path(path) == "$.statechart.states[3].transitions[0].target"

    def test_root(self) -> None:
        assert format_json_path(()) == "$"

    def test_keys_that_are_not_names_are_quoted(self) -> None:
        assert format_json_path(("rules", "3.9.1")) == "$.rules['3.9.1']"


class TestLocation:
    def test_format(self) -> None:
        assert Location("spec/rules.yaml", 4, 9).format() == "spec/rules.yaml:4:9"


class TestProblem:
    def test_format(self) -> None:
        problem = _problem(12)
        assert problem.format() == "statechart.yaml:12:3: $.statechart: bad (fix: fix it)"

    def test_warning_is_marked_and_not_an_error(self) -> None:
        problem = _problem(1, severity="warning")
        assert "warning: $.statechart" in problem.format()
        assert not problem.is_error

    def test_as_dict(self) -> None:
        data = _problem(2).as_dict()
        assert data["line"] == 2
        assert data["severity"] == "error"
        assert data["hint"] == "fix it"


class TestSortProblems:
    def test_orders_by_line_and_drops_repeats(self) -> None:
        problems = [_problem(9), _problem(2), _problem(9)]
        assert [p.location.line for p in sort_problems(problems)] == [2, 9]


class TestSpecInvalid:
    def test_carries_sorted_problems(self) -> None:
        error = SpecInvalid([_problem(5), _problem(1)])
        assert [p.location.line for p in error.problems] == [1, 5]
        assert "2 problem(s)" in str(error)


class TestSourceMap:
    def _source(self) -> SourceMap:
        source = SourceMap()
        values = {(): Location("x.yaml", 1, 1), ("a",): Location("x.yaml", 2, 4)}
        keys = {("a",): Location("x.yaml", 2, 1)}
        source.add_file("statechart.yaml", "x.yaml", values, keys)
        return source

    def test_locates_a_value(self) -> None:
        origin = Origin("statechart.yaml", ("a",))
        assert self._source().locate(origin) == Location("x.yaml", 2, 4)

    def test_locates_a_key(self) -> None:
        origin = Origin("statechart.yaml", ("a",))
        assert self._source().locate(origin, key=True) == Location("x.yaml", 2, 1)

    def test_falls_back_to_the_deepest_existing_parent(self) -> None:
        origin = Origin("statechart.yaml", ("a", "b", 3))
        assert self._source().locate(origin) == Location("x.yaml", 2, 4)

    def test_unknown_file(self) -> None:
        assert self._source().locate(Origin("rules.yaml", ("a",))) == Location("rules.yaml")

    def test_problem(self) -> None:
        origin = Origin("statechart.yaml", ("a", 0))
        problem = self._source().problem(origin, "what", "how", severity="warning")
        assert problem.json_path == "$.a[0]"
        assert problem.severity == "warning"

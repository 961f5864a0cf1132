"""Tests of statechart.schema."""

from __future__ import annotations

from pathlib import Path

from statechart.problems import JsonPath, Location, Problem
from statechart.schema import SCHEMA_DIR, SPEC_KINDS, schema_path, validate


class _Lines:
    """A locator that puts every path on its own fake line."""

    def locate(self, path: JsonPath, *, key: bool = False) -> Location:
        return Location("t.yaml", len(path) + 1, 2 if key else 5)


def _sections(**extra: object) -> dict[str, object]:
    section: dict[str, object] = {"id": "2.1", "title": "表示", "in_scope": True}
    section.update(extra)
    return {"sections": [section]}


def _one(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [problem.format() for problem in problems]
    return problems[0]


class TestSchemaPath:
    def test_default_dir(self) -> None:
        assert schema_path("rules") == SCHEMA_DIR / "rules.schema.json"

    def test_every_kind_has_a_schema(self) -> None:
        for kind in SPEC_KINDS:
            assert schema_path(kind).is_file(), kind


class TestValidate:
    def test_valid_data(self) -> None:
        assert validate(_sections(), "sections", _Lines()) == []

    def test_enum_lists_the_allowed_values(self) -> None:
        state = {"id": "a", "kind": "scren", "sections": ["1"]}
        data = {"statechart": {"name": "n", "initial": "a", "states": [state]}}
        problem = _one(validate(data, "statechart", _Lines()))
        assert problem.json_path == "$.statechart.states[0].kind"
        assert '"scren"' in problem.message
        assert '"error_dialog"' in problem.hint

    def test_required_names_the_missing_key(self) -> None:
        data = {"sections": [{"id": "2.1", "in_scope": True}]}
        problem = _one(validate(data, "sections", _Lines()))
        assert problem.message == "missing required key 'title'"
        assert problem.json_path == "$.sections[0]"

    def test_unknown_key_is_located_at_the_key(self) -> None:
        problem = _one(validate(_sections(page=4), "sections", _Lines()))
        assert problem.message == "unknown key 'page'"
        assert "id, in_scope, note, title" in problem.hint
        assert problem.location == Location("t.yaml", 4, 2)

    def test_pattern_shows_the_pattern(self) -> None:
        data = {"assumptions": [{"id": "ASM-1", "question": "q", "sections": ["1"]}]}
        data["assumptions"][0].update(decision="d", why="w")
        problem = _one(validate(data, "assumptions", _Lines()))
        assert "^ASM-[0-9]{3}$" in problem.hint
        assert '"ASM-1"' in problem.message

    def test_type_names_the_expected_type(self) -> None:
        problem = _one(validate(_sections(in_scope="yes"), "sections", _Lines()))
        assert problem.message == '"yes" is a string, expected a boolean (true/false)'

    def test_bad_key_name_is_located_at_the_key(self) -> None:
        template = {"kind": "dialog", "sections": ["1"]}
        chart = {"name": "n", "initial": "a", "templates": {"Bad": template}}
        chart["states"] = [{"id": "a", "kind": "closed", "sections": ["1"]}]
        problem = _one(validate({"statechart": chart}, "statechart", _Lines()))
        assert problem.json_path == "$.statechart.templates.Bad"
        assert problem.location.column == 2

    def test_screen_needs_a_title(self) -> None:
        state = {"id": "a", "kind": "screen", "sections": ["1"]}
        data = {"statechart": {"name": "n", "initial": "a", "states": [state]}}
        assert _one(validate(data, "statechart", _Lines())).message == (
            "missing required key 'title'"
        )

    def test_missing_schema_is_a_problem(self, tmp_path: Path) -> None:
        problem = _one(validate({}, "sections", _Lines(), schema_dir=tmp_path))
        assert "cannot load the schema" in problem.message

"""Tests of statechart.yamlio."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from statechart.problems import Location
from statechart.yamlio import LoadedYaml, load_yaml

_YAML_CHARACTERS = "ab:-[]{}!&*|>'\"#\n \t1?,%@`"


def _load(tmp_path: Path, text: str | bytes) -> LoadedYaml:
    path = tmp_path / "f.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return load_yaml(path, "f.yaml")


def _single(loaded: LoadedYaml) -> tuple[int, int, str]:
    assert loaded.data is None
    assert len(loaded.problems) == 1
    problem = loaded.problems[0]
    return problem.location.line, problem.location.column, problem.message


class TestLoadYaml:
    def test_plain_data(self, tmp_path: Path) -> None:
        loaded = _load(tmp_path, "a: 1\nb: [x, true, null, 1.5]\nc:\n  d: |\n    text\n")
        assert loaded.problems == ()
        assert loaded.data == {"a": 1, "b": ["x", True, None, 1.5], "c": {"d": "text\n"}}
        assert type(loaded.data["a"]) is int

    def test_locations_are_one_based(self, tmp_path: Path) -> None:
        loaded = _load(tmp_path, "a:\n  - b: 1\n    c: [1, 2]\n")
        assert loaded.values[("a", 0)] == Location("f.yaml", 2, 5)
        assert loaded.values[("a", 0, "c", 1)] == Location("f.yaml", 3, 12)
        assert loaded.keys[("a", 0, "c")] == Location("f.yaml", 3, 5)

    def test_locate_falls_back_to_the_parent(self, tmp_path: Path) -> None:
        loaded = _load(tmp_path, "a:\n  b: 1\n")
        assert loaded.locate(("a", "b", "missing")) == Location("f.yaml", 2, 6)
        assert loaded.locate(("a", "b"), key=True) == Location("f.yaml", 2, 3)

    def test_anchors_and_merge_keys(self, tmp_path: Path) -> None:
        loaded = _load(tmp_path, "x: &x {a: 1}\ny:\n  <<: *x\n  b: 2\nz: *x\n")
        assert loaded.problems == ()
        assert loaded.data == {"x": {"a": 1}, "y": {"b": 2, "a": 1}, "z": {"a": 1}}

    def test_duplicate_key_is_located_at_the_second_key(self, tmp_path: Path) -> None:
        line, column, message = _single(_load(tmp_path, "a: 1\nb:\n  c: 2\n  c: 3\n"))
        assert (line, column) == (4, 3)
        assert "duplicate key" in message

    def test_object_tag_is_refused(self, tmp_path: Path) -> None:
        line, column, message = _single(_load(tmp_path, "a: 1\nb: !!python/object:os.system x\n"))
        assert (line, column) == (2, 4)
        assert "!!python/object:os.system" in message

    def test_local_tag_is_refused(self, tmp_path: Path) -> None:
        _, _, message = _single(_load(tmp_path, "b: !thing {x: 1}\n"))
        assert "!thing" in message

    def test_standard_tags_are_plain_values(self, tmp_path: Path) -> None:
        loaded = _load(tmp_path, 'a: !!int "5"\nb: !!str 5\nc: !!bool "true"\n')
        assert loaded.data == {"a": 5, "b": "5", "c": True}

    def test_bad_standard_tag_value(self, tmp_path: Path) -> None:
        loaded = _load(tmp_path, 'a: !!int "five"\n')
        assert loaded.data is None
        assert "five" in loaded.problems[0].message

    def test_syntax_error(self, tmp_path: Path) -> None:
        line, _, message = _single(_load(tmp_path, "a: [1, 2\nb: 3\n"))
        assert line == 2
        assert message.startswith("YAML syntax error")

    def test_empty_file(self, tmp_path: Path) -> None:
        assert "empty" in _single(_load(tmp_path, "# only a comment\n"))[2]

    def test_top_level_list(self, tmp_path: Path) -> None:
        assert "not a mapping" in _single(_load(tmp_path, "- 1\n"))[2]

    def test_missing_file(self, tmp_path: Path) -> None:
        loaded = load_yaml(tmp_path / "absent.yaml")
        assert "cannot read the file" in _single(loaded)[2]

    def test_not_utf8(self, tmp_path: Path) -> None:
        line, column, message = _single(_load(tmp_path, "a: 1\nb: \xff\n".encode("latin-1")))
        assert (line, column, message) == (2, 4, "the file is not UTF-8 text")

    def test_date_is_a_problem(self, tmp_path: Path) -> None:
        loaded = _load(tmp_path, "a: 2024-01-01\n")
        assert loaded.data == {"a": "2024-01-01"}
        assert "date" in loaded.problems[0].message

    def test_non_string_key_is_a_problem(self, tmp_path: Path) -> None:
        loaded = _load(tmp_path, "1: x\n")
        assert "not a string" in loaded.problems[0].message

    @settings(max_examples=150, deadline=None)
    @given(text=st.text(alphabet=st.sampled_from(list(_YAML_CHARACTERS)), max_size=40))
    def test_never_raises(self, text: str) -> None:
        with tempfile.TemporaryDirectory() as directory:
            loaded = _load(Path(directory), text)
        assert loaded.data is not None or loaded.problems

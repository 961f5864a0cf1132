"""Tests of statechart.yamlio."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_paths import dev_zero, directory, fifo
from hypothesis import given, settings
from hypothesis import strategies as st
from spec_helpers import MINIMAL_DIR

from statechart.loader import DEFAULT_SPEC_DIR, load_spec
from statechart.problems import Location, SpecInvalid
from statechart.yamlio import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, LoadedYaml, load_yaml

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
        assert _single(loaded)[2] == "cannot read the file: No such file or directory"

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


class TestYaml12Core:
    """The JSON-compatible YAML 1.2 core schema, as the schemas expect (not YAML 1.1)."""

    def test_yaml11_booleans_and_numbers_stay_as_written(self, tmp_path: Path) -> None:
        loaded = _load(tmp_path, "a: [yes, no, on, off, y, 010, 1_000, 1:30, 0x1F, 0o17]\n")
        assert loaded.problems == ()
        assert loaded.data == {"a": ["yes", "no", "on", "off", "y", 10, "1_000", "1:30", 31, 15]}

    def test_floats(self, tmp_path: Path) -> None:
        loaded = _load(tmp_path, "a: [1.5, -.5, 1e3, .inf, -.Inf]\n")
        assert loaded.data == {"a": [1.5, -0.5, 1000.0, float("inf"), float("-inf")]}

    def test_merge_precedence_and_location(self, tmp_path: Path) -> None:
        text = "x: &x {a: 1, b: 1}\ny: &y {b: 2, c: 2}\nz:\n  <<: [*x, *y]\n  c: 3\n"
        loaded = _load(tmp_path, text)
        assert loaded.data is not None
        assert loaded.data["z"] == {"c": 3, "a": 1, "b": 1}
        assert loaded.keys[("z", "c")] == Location("f.yaml", 5, 3)
        # A merged key is located at the mapping that merges it.
        assert loaded.keys[("z", "a")] == loaded.values[("z",)] == Location("f.yaml", 4, 3)

    def test_bad_tagged_boolean(self, tmp_path: Path) -> None:
        line, column, message = _single(_load(tmp_path, 'a: 1\nb: !!bool "yes"\n'))
        assert (line, column) == (2, 4)
        assert "'yes' is not a valid !!bool" in message


# A file that breaks a limit: its text (or how to make it), and what the one problem says.
HostileFile = Callable[[Path], None]


def _text(text: str) -> HostileFile:
    return lambda path: path.write_text(text, encoding="utf-8")


_MIB = 1024 * 1024
_PREFIX = "version: 1\nname: x\n"  # two lines before the hostile part: lines are real


def _alias_bomb(levels: int, fan_out: int) -> str:
    lines = [_PREFIX, "l0: &l0 [" + ", ".join(["lol"] * fan_out) + "]\n"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * fan_out) + "]\n")
    return "".join(lines)


# (case, how to make the file, line, JSON path, words of the message)
HOSTILE: list[tuple[str, HostileFile, int, str, str]] = [
    ("fifo", fifo, 1, "$", "named pipe (FIFO)"),
    ("symlink_to_dev_zero", dev_zero, 1, "$", "character device (a symbolic link to /dev/zero)"),
    ("directory", directory, 1, "$", "it is a directory"),
    ("comment_50_mb", _text("# " + "x" * (50 * _MIB) + "\n"), 1, "$", "52,428,803 bytes"),
    ("entries_50_mb", _text("- 1\n" * (50 * _MIB // 4)), 1, "$", "52,428,800 bytes"),
    ("just_over_2_mib", _text("# " + "x" * (2 * _MIB - 2) + "\n"), 1, "$", "at most 2,097,152"),
    # 7 values before the list (root, 2 keys and values, `a`, the list): item 99,993 (line
    # 4 + 99,993) is value 100,001.
    ("values_300k", _text(_PREFIX + "a:\n" + "- 1\n" * 300_000), 99_997, "$.a[99993]",
     "more than 100,000 values"),
    # Before l4: 5 + 12 + 112 + 1,112 + 11,112 values; l4 and its list 2 more; 8 copies of l3
    # (11,111 each) make 101,243.
    ("alias_bomb_20_levels", _text(_alias_bomb(20, 10)), 7, "$.l4[7]",
     "the alias *l3 copies 11,111 values"),
    ("brackets_200", _text(_PREFIX + "a: " + "[" * 200 + "]" * 200 + "\n"), 3,
     "$.a" + "[0]" * 11, "nest more than 100 deep"),
    # libyaml's scanner stops at 1000 open brackets before the events reach the screen.
    ("brackets_10_000", _text(_PREFIX + "a: " + "[" * 10_000 + "]" * 10_000 + "\n"), 3,
     "$", "nest more than 100 deep"),
    ("brackets_100_000", _text(_PREFIX + "a: " + "[" * 100_000 + "]" * 100_000 + "\n"), 3,
     "$", "nest more than 100 deep"),
    ("block_mappings_1000", _text(_PREFIX + "".join(" " * n + "a:\n" for n in range(1000))),
     103, "$" + ".a" * 12, "nest more than 100 deep"),
    ("mappings_10_000", _text(_PREFIX + "a: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n"), 3,
     "$" + ".a" * 12, "nest more than 100 deep"),
    ("integer_5000_digits", _text(_PREFIX + "n: " + "7" * 5000 + "\n"), 3, "$.n",
     "an integer of 5,000 digits is too long"),
    ("nul_byte", _text(_PREFIX + "a: b\x00c\n"), 3, "$", "U+0000"),
    ("recursive_alias", _text(_PREFIX + "a: &a [1, {b: *a}]\n"), 3, "$.a[1].b", "recursive"),
]  # fmt: skip


class TestHostileFiles:
    """Files made to hang, exhaust or crash a loader: each is one located, quick refusal."""

    @pytest.mark.parametrize(
        ("make", "line", "json_path", "words"),
        [case[1:] for case in HOSTILE],
        ids=[case[0] for case in HOSTILE],
    )
    def test_refused_quickly_at_its_line(
        self, tmp_path: Path, make: HostileFile, line: int, json_path: str, words: str
    ) -> None:
        path = tmp_path / "f.yaml"
        make(path)
        started = time.perf_counter()
        loaded = load_yaml(path, "f.yaml")
        elapsed = time.perf_counter() - started
        assert loaded.data is None
        assert len(loaded.problems) == 1, [problem.format() for problem in loaded.problems]
        problem = loaded.problems[0]
        assert (problem.location.file, problem.location.line) == ("f.yaml", line)
        assert problem.json_path == json_path
        assert words in problem.message
        assert problem.hint
        assert "sys.set_int_max_str_digits" not in problem.format()
        # Generous: a refusal takes milliseconds; a hang (the old loader) takes minutes.
        assert elapsed < 5, f"{elapsed:.1f} s"

    def test_a_fifo_among_the_spec_files(self, tmp_path: Path) -> None:
        spec_dir = tmp_path / "spec"
        shutil.copytree(MINIMAL_DIR, spec_dir)
        (spec_dir / "rules.yaml").unlink()
        os.mkfifo(spec_dir / "rules.yaml")
        with pytest.raises(SpecInvalid) as caught:
            load_spec(spec_dir)
        (problem,) = caught.value.problems
        assert problem.location.file.endswith("rules.yaml")
        assert "named pipe (FIFO)" in problem.message

    def test_limits_leave_room_above_the_shipped_spec(self) -> None:
        for path in DEFAULT_SPEC_DIR.glob("*.yaml"):
            assert path.stat().st_size * 10 < MAX_FILE_BYTES, path
        assert MAX_DEPTH >= 5 * 15  # the shipped files nest 15 deep at most
        assert MAX_VALUES >= 20 * 4579  # statechart.yaml holds 4579 values

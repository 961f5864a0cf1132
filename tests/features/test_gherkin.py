"""Feature files become typed scenarios; broken ones are reported where they break."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hostile_paths import dev_zero, fifo
from repo_paths import REPO_ROOT

from harness.resources import FEATURES_DIR
from harness.scenarios.feature import Feature, FeatureInvalid, FeatureProblem, Scenario
from harness.scenarios.gherkin import MAX_FEATURE_BYTES, feature_files, load_features
from harness.vocabulary.check import check_steps
from statechart.model import Spec

INVALID = Path(__file__).resolve().parent / "invalid"
_EXPECTED = re.compile(r"^# 期待: (\d+) (.+)$", re.MULTILINE)

OUTLINE = """\
機能: 経過

  背景:
    前提 登録されているトークンがひとつ
    かつ アプリロックは未設定

  @section-2.1 @ASM-030
  シナリオアウトライン: <秒数>秒たつ
    もし <秒数>秒経過する
    ならば ワンタイムパスワードが<変化>
    かつ ワンタイムパスワードが表示される

    @section-こんなことができます
    例:
      | 秒数 | 変化 |
      | 59 | 変わらない |
      | ６０ | 変わる |
"""


def _problems(path: Path, spec: Spec) -> tuple[FeatureProblem, ...]:
    try:
        features = load_features([path], spec)
    except FeatureInvalid as invalid:
        return invalid.problems
    return check_steps(features)


@pytest.mark.parametrize("path", sorted(INVALID.glob("*.feature")), ids=lambda p: p.stem)
def test_invalid_file_is_reported_where_it_breaks(path: Path, spec: Spec) -> None:
    text = path.read_text(encoding="utf-8")
    expected = _EXPECTED.search(text)
    assert expected is not None, f"{path.name} needs a `# 期待: <line> <message>` comment"
    line, message = int(expected.group(1)), expected.group(2)
    lines = text.splitlines()
    problems = _problems(path, spec)
    located = [p for p in problems if p.line == line and message in p.format()]
    assert located, f"no problem at line {line} saying {message!r}: {problems}"
    problem = located[0]
    assert problem.path == str(path)
    assert problem.format().startswith(f"{path}:{line}: ")
    assert problem.text in lines[line - 1], "the offending text is on the reported line"


class TestLoadFeatures:
    def test_the_shipped_features_load_and_every_step_is_defined(self, spec: Spec) -> None:
        features = load_features([REPO_ROOT / "features"], spec)
        assert len(features) >= 11
        assert check_steps(features) == ()

    def test_each_shipped_file_is_named_after_a_section_it_tags(self, spec: Spec) -> None:
        for feature in load_features([REPO_ROOT / "features"], spec):
            section = Path(feature.path).name.split("-", 1)[0]
            assert section in spec.section_ids(), feature.path
            assert all(section in s.sections for s in feature.scenarios), feature.path

    def test_a_scenario_is_typed_with_its_background_and_kinds(self, write_feature) -> None:
        (first, _) = write_feature(OUTLINE)
        assert isinstance(first, Scenario)
        assert [s.kind for s in first.background] == ["given", "given"]
        assert [(s.keyword, s.kind) for s in first.steps] == [
            ("もし", "when"),
            ("ならば", "then"),
            ("かつ", "then"),
        ]
        assert first.all_steps == first.background + first.steps

    def test_an_outline_becomes_one_scenario_per_row(self, write_feature) -> None:
        rows = write_feature(OUTLINE)
        assert [s.name for s in rows] == ["59秒たつ [59, 変わらない]", "６０秒たつ [６０, 変わる]"]
        assert [s.example_row for s in rows] == [
            {"秒数": "59", "変化": "変わらない"},
            {"秒数": "６０", "変化": "変わる"},
        ]
        assert [s.steps[0].text for s in rows] == ["59秒経過する", "６０秒経過する"]
        assert [s.line for s in rows] == [17, 18], "each row is located at its table row"
        assert {s.outline_line for s in rows} == {9}

    def test_tags_are_inherited_and_read_as_sections_and_assumptions(self, write_feature) -> None:
        scenario = write_feature(OUTLINE)[0]
        assert scenario.sections == ("2.1", "こんなことができます")
        assert scenario.assumptions == ("ASM-030",)

    def test_a_feature_keeps_its_name_tags_and_background(self, tmp_path: Path, spec: Spec) -> None:
        path = tmp_path / "a.feature"
        path.write_text("# language: ja\n@section-2.1\n" + OUTLINE, encoding="utf-8")
        (feature,) = load_features([path], spec)
        assert isinstance(feature, Feature)
        assert (feature.name, feature.line, feature.tags) == ("経過", 3, ("section-2.1",))
        assert [s.text for s in feature.background_steps] == [
            "登録されているトークンがひとつ",
            "アプリロックは未設定",
        ]

    def test_a_rule_adds_its_tags_and_background(self, write_feature) -> None:
        (scenario,) = write_feature(
            "機能: ルール\n  背景:\n    前提 登録されているトークンがひとつ\n"
            "  @section-2.1\n  ルール: 規則\n    背景:\n      前提 アプリロックは未設定\n"
            "    シナリオ: 起動\n      もし アプリを起動する\n"
        )
        assert scenario.tags == ("section-2.1",)
        assert [s.text for s in scenario.background] == [
            "登録されているトークンがひとつ",
            "アプリロックは未設定",
        ]

    def test_a_missing_file_is_a_problem(self, tmp_path: Path, spec: Spec) -> None:
        with pytest.raises(FeatureInvalid, match="読めません"):
            load_features([tmp_path / "none.feature"], spec)

    def test_every_problem_of_every_file_is_raised_together(self, spec: Spec) -> None:
        with pytest.raises(FeatureInvalid) as raised:
            load_features([INVALID], spec)
        paths = {problem.path for problem in raised.value.problems}
        assert len(paths) >= 10
        assert str(raised.value).count("\n") == len(raised.value.problems) - 1


class TestHostileFeatureFiles:
    """What would hang, exhaust or crash a reader is one located problem, found at once."""

    @staticmethod
    def _one_problem(path: Path, spec: Spec) -> FeatureProblem:
        started = time.perf_counter()
        with pytest.raises(FeatureInvalid) as raised:
            load_features([path], spec)
        assert time.perf_counter() - started < 5  # a FIFO or /dev/zero read never ends
        (problem,) = raised.value.problems
        assert problem.path == str(path)
        return problem

    def test_a_fifo(self, tmp_path: Path, spec: Spec) -> None:
        path = tmp_path / "pipe.feature"
        fifo(path)
        problem = self._one_problem(path, spec)
        assert problem.line == 1
        assert problem.message.startswith(
            "通常のファイルではなく名前付きパイプ (FIFO)です。.feature ファイルを指定してください"
        )

    def test_a_link_to_dev_zero(self, tmp_path: Path, spec: Spec) -> None:
        path = tmp_path / "zero.feature"
        dev_zero(path)
        problem = self._one_problem(path, spec)
        assert "キャラクタデバイスです" in problem.message
        assert "a symbolic link to /dev/zero" in problem.message

    def test_a_file_over_the_size_limit(self, tmp_path: Path, spec: Spec) -> None:
        path = tmp_path / "huge.feature"
        path.write_bytes(b"# language: ja\n" + b"#" * MAX_FEATURE_BYTES)
        problem = self._one_problem(path, spec)
        size = path.stat().st_size
        assert problem.message == (
            f"ファイルが大きすぎます ({size:,} バイト)。フィーチャファイルは 1,048,576 バイト "
            "(1 MiB) までです。シナリオを複数のファイルに分けてください"
        )

    def test_bytes_that_are_not_utf8_are_located_on_their_line(
        self, tmp_path: Path, spec: Spec
    ) -> None:
        path = tmp_path / "latin1.feature"
        path.write_bytes("# language: ja\n機能: x\n  シナリオ: caf".encode() + b"\xe9\n")
        problem = self._one_problem(path, spec)
        assert (problem.line, problem.message) == (
            3,
            "UTF-8 ではありません。ファイルを UTF-8 で保存してください",
        )

    def test_the_limit_leaves_room_above_the_shipped_features(self) -> None:
        largest = max(path.stat().st_size for path in FEATURES_DIR.rglob("*.feature"))
        assert largest * 10 < MAX_FEATURE_BYTES


class TestFeatureFiles:
    def test_directories_are_searched_in_order_and_files_kept(self, tmp_path: Path) -> None:
        (tmp_path / "b").mkdir()
        for name in ("b/2.feature", "1.feature", "notes.txt"):
            (tmp_path / name).write_text("", encoding="utf-8")
        extra = tmp_path / "x.feature"
        assert feature_files([tmp_path / "b", extra]) == [tmp_path / "b" / "2.feature", extra]
        assert feature_files([tmp_path]) == [tmp_path / "1.feature", tmp_path / "b/2.feature"]


class TestFeatureProblem:
    def test_format_names_file_line_message_and_text(self) -> None:
        problem = FeatureProblem("a.feature", 3, "@section-9", "節がありません")
        assert problem.format() == "a.feature:3: 節がありません: 「@section-9」"

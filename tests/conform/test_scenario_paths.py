"""harness.scenarios.replay and `otpspec validate`: scenarios must be paths the chart allows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conform_helpers import SAMPLE, UNDEFINED, run_cli

from harness.run.runner import run_scenario
from harness.scenarios.gherkin import load_features
from harness.scenarios.replay import (
    DEFAULT_FEATURES_DIR,
    ScenarioReplayer,
    check_features,
    default_feature_paths,
    scenario_path_problems,
    shown_path,
    split_per_step,
)
from statechart.app import ReferenceApp
from statechart.loader import DEFAULT_SPEC_DIR
from statechart.model import Spec

WriteFeatures = Callable[..., Path]
INVALID = Path(__file__).parents[1] / "features" / "invalid"

REFUSED = """\
# language: ja
機能: 画面にないものを押す

  @section-2.1
  シナリオ: 閉じたアプリの設定を押す
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    かつ 「存在しないボタン」を選択する
"""


class TestScenarioReplayer:
    def test_transitions_per_step(self, spec: Spec, features_dir: WriteFeatures) -> None:
        (feature,) = load_features([features_dir(SAMPLE)], spec)
        replay = ScenarioReplayer(spec).replay(feature.scenarios[0])
        assert replay.result.status == "passed"
        assert len(replay.transitions) == len(replay.result.steps)
        assert all("#" in tid for step in replay.transitions for tid in step)
        launch = [s.text for s in replay.result.steps].index("アプリを起動する")
        assert replay.transitions[launch]


class TestSplitPerStep:
    def test_groups_by_requests(self, spec: Spec, features_dir: WriteFeatures) -> None:
        (feature,) = load_features([features_dir(SAMPLE)], spec)
        result = run_scenario(ReferenceApp(spec), feature.scenarios[0], spec=spec)
        sent = sum(len(step.requests) for step in result.steps)
        grouped = split_per_step(result, list(range(sent)))
        assert [len(g) for g in grouped] == [len(s.requests) for s in result.steps]
        assert [i for g in grouped for i in g] == list(range(sent))


class TestScenarioPathProblems:
    def test_a_refused_action_is_located_at_its_step(
        self, spec: Spec, features_dir: WriteFeatures
    ) -> None:
        folder = features_dir(REFUSED)
        (problem,) = scenario_path_problems(load_features([folder], spec), spec)
        assert (problem.line, problem.text) == (8, "「存在しないボタン」を選択する")
        assert "not_found" in problem.message and "閉じたアプリの設定を押す" in problem.message

    def test_a_failing_expectation(self, spec: Spec, features_dir: WriteFeatures) -> None:
        folder = features_dir(SAMPLE)
        (problem,) = scenario_path_problems(load_features([folder], spec), spec)
        assert problem.line == 16 and "成り立ちません" in problem.message


class TestCheckFeatures:
    def test_steps_and_paths_sorted_by_line(self, spec: Spec, features_dir: WriteFeatures) -> None:
        found = check_features(spec, [features_dir(SAMPLE, UNDEFINED)])
        where = [(Path(p.location.file).name, p.location.line) for p in found.problems]
        assert where == [("case1.feature", 16), ("case2.feature", 8)]
        assert (found.files, found.scenarios) == (2, 3)

    def test_load_problems_become_problems(self, spec: Spec) -> None:
        found = check_features(spec, [INVALID / "duplicate_scenario_name.feature"])
        assert found.problems and "同じ名前のシナリオ" in found.problems[0].message

    def test_a_missing_path(self, spec: Spec, tmp_path: Path) -> None:
        (problem,) = check_features(spec, [tmp_path / "nowhere"]).problems
        assert "nowhere" in problem.format()


class TestDefaultFeaturePaths:
    def test_the_repo_spec_gets_the_repo_features(self) -> None:
        (path,) = default_feature_paths(DEFAULT_SPEC_DIR)
        assert path.resolve() == DEFAULT_FEATURES_DIR.resolve()

    def test_another_spec_gets_none(self, tmp_path: Path) -> None:
        assert default_feature_paths(tmp_path) == []


class TestShownPath:
    def test_relative_below_the_working_directory(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        assert shown_path(tmp_path / "a" / "b.feature") == Path("a/b.feature")
        assert shown_path(Path("/elsewhere/x")) == Path("/elsewhere/x")


class TestValidateCommand:
    def test_features_are_checked(self, features_dir: WriteFeatures) -> None:
        run = run_cli("validate", "--features", str(features_dir(REFUSED)))
        assert run.code == 2
        assert "case1.feature:8:1: 「「存在しないボタン」を選択する」: " in run.err

    def test_the_shipped_features_pass(self) -> None:
        run = run_cli("validate")
        assert run.code == 0, run.err
        assert "every step a path the statechart allows" in run.out

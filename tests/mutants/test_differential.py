"""harness/generation/differential.py: random walks side by side, shrunk to a pasteable scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mutant_helpers import served

from harness.adapters import InProcessAdapter
from harness.generation.differential import CLOCK_STEPS, DifferentialResult, differential_check
from harness.generation.fixtures import secret_labels
from harness.mutants.catalogue import mutant_named
from harness.run.context import ScenarioContext
from harness.run.replay import run_scenario_steps
from harness.run.secrets import SecretBook, secret_fields
from harness.scenarios.feature import Scenario
from harness.scenarios.gherkin import load_features
from statechart.model import Spec


class MutantInProcess(InProcessAdapter):
    """A mutant behind the in-process adapter (quick; the kill tests use processes)."""

    def __init__(self, spec: Spec, name: str) -> None:
        super().__init__(spec)
        self._app = mutant_named(name).build(spec)


class EchoesSecrets(InProcessAdapter):
    """A bug that shows typed secrets in clear: the report must still mask them."""

    def __init__(self, spec: Spec) -> None:
        super().__init__(spec)
        self.typed: dict[str, str] = {}
        self._secret = secret_labels(spec)

    def enter(self, field: str, value: str) -> dict[str, Any]:
        view = super().enter(field, value)
        if field in self._secret:
            view["fields"][field] = value
        return view


def _parses(text: str, spec: Spec, tmp_path: Path) -> Scenario:
    path = tmp_path / "差分.feature"
    path.write_text(text, encoding="utf-8")
    (feature,) = load_features([path], spec)
    (scenario,) = feature.scenarios
    return scenario


@pytest.fixture(scope="module")
def echoed(spec: Spec) -> DifferentialResult:
    return differential_check(EchoesSecrets(spec), spec, max_examples=200, seed=1)


class TestDifferentialCheck:
    def test_reference_against_itself(self, spec: Spec) -> None:
        result = differential_check(InProcessAdapter(spec), spec, max_examples=60, seed=5)
        assert result.ok and result.gherkin == "" and result.examples >= 60

    def test_finds_and_shrinks(self, spec: Spec) -> None:
        impl = MutantInProcess(spec, "token_tab_with_one_token")
        result = differential_check(impl, spec, max_examples=100, seed=0)
        assert not result.ok and result.field == "elements"
        assert result.steps == ("アプリを起動する",)
        assert "トークン選択" in result.observed and "3.2" in result.sections

    def test_kills_a_mutant_process(self, spec: Spec) -> None:
        # Over a real `otpspec serve --mutant` process, as `otpspec conform` would drive it.
        with served("back_exits_at_once") as impl:
            result = differential_check(impl, spec, max_examples=100, seed=0)
        assert not result.ok and "2.3.2" in result.sections
        assert result.steps[-1] == "バックキーを押す"

    def test_same_seed_same_walk(self, spec: Spec) -> None:
        runs = [
            differential_check(MutantInProcess(spec, "period_30s"), spec, max_examples=50, seed=7)
            for _ in range(2)
        ]
        assert runs[0].steps == runs[1].steps and runs[0].fixture == runs[1].fixture

    def test_clock_steps(self) -> None:
        assert CLOCK_STEPS == (59, 60, 86_400, 180 * 86_400)


def _statuses(impl: Any, scenario: Scenario, spec: Spec) -> list[str]:
    """The step statuses of a scenario run through the plugin's scenario context."""
    context = ScenarioContext(impl, spec, SecretBook(secret_fields(spec)))
    run_scenario_steps(context, scenario)
    return [step.status for step in context.steps]


class TestDifferentialGherkin:
    def test_parses_as_gherkin(self, spec: Spec, tmp_path: Path) -> None:
        impl = MutantInProcess(spec, "token_tab_with_one_token")
        result = differential_check(impl, spec, max_examples=100, seed=0)
        _parses(result.gherkin, spec, tmp_path)
        assert result.gherkin.startswith("# language: ja\n")

    def test_replays_with_the_scenario_runner(self, spec: Spec, tmp_path: Path) -> None:
        impl = MutantInProcess(spec, "token_tab_with_one_token")
        result = differential_check(impl, spec, max_examples=100, seed=0)
        scenario = _parses(result.gherkin, spec, tmp_path)
        assert _statuses(InProcessAdapter(spec), scenario, spec)[-1] == "passed"
        assert _statuses(impl, scenario, spec)[-1] == "failed"

    def test_test_data_shown_what_the_implementation_leaked_masked(
        self, echoed: DifferentialResult, spec: Spec, tmp_path: Path
    ) -> None:
        assert not echoed.ok and echoed.field == "fields"
        _parses(echoed.gherkin, spec, tmp_path)
        typed = [step.value for step in echoed.walk if step.secret and len(step.value) >= 4]
        assert typed
        # The value typed is test data: the replay types it as it is …
        assert all(f"に「{value}」を入力する" in echoed.gherkin for value in typed)
        # … but what the implementation showed back (a secret in clear) is masked.
        comment = next(line for line in echoed.gherkin.splitlines() if "観測" in line)
        assert not any(value in comment for value in typed) and "●●●●" in comment
        assert not any(value in str(echoed.observed) for value in typed)
        assert "フィクスチャ" not in echoed.gherkin

    def test_a_secret_shown_in_clear_is_a_fail_of_the_manual(
        self, echoed: DifferentialResult
    ) -> None:
        # 3.1.2/3.1.3 マスク表示: the manual's, not the mask character's (ASM-032).
        assert echoed.grounds.verdict == "fail"
        assert set(echoed.grounds.sections) <= {"3.1.2", "3.1.3"}

    def test_steps_are_phrases_of_the_step_library(self, echoed: DifferentialResult) -> None:
        assert "語彙にない手順" not in echoed.gherkin

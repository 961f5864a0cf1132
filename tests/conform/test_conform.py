"""harness.run.conform: inputs loaded once, one run per implementation, coverage, the checks."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conform_helpers import CRASH, SAMPLE, impl_command

from harness.run.conform import (
    ConformError,
    ConformOptions,
    ConformRun,
    ImplRun,
    conform,
    coverage_of,
    load_inputs,
    run_implementation,
)
from harness.scenarios.gherkin import load_features
from statechart.model import Spec

WriteFeatures = Callable[..., Path]


def _options(folder: Path, **changes: Any) -> ConformOptions:
    settings: dict[str, Any] = {"features": (folder,), "differential": False, "generated": False}
    return ConformOptions(**(settings | changes))


class TestLoadInputs:
    def test_loads_the_spec_and_features(self, features_dir: WriteFeatures) -> None:
        spec, features = load_inputs(_options(features_dir(SAMPLE)))
        assert [len(f.scenarios) for f in features] == [2]
        assert spec.section_ids()

    def test_a_given_spec_is_not_loaded_again(
        self, spec: Spec, features_dir: WriteFeatures
    ) -> None:
        assert load_inputs(_options(features_dir(SAMPLE)), spec)[0] is spec

    def test_a_bad_command_is_refused_before_anything_runs(
        self, features_dir: WriteFeatures
    ) -> None:
        with pytest.raises(ConformError, match="cannot be split"):
            load_inputs(_options(features_dir(SAMPLE), impls=('impl "open',)))

    def test_a_missing_path(self, spec: Spec, tmp_path: Path) -> None:
        with pytest.raises(ConformError, match="feature path not found"):
            load_inputs(_options(tmp_path / "nowhere"), spec)

    def test_an_invalid_spec(self, features_dir: WriteFeatures, tmp_path: Path) -> None:
        with pytest.raises(ConformError, match=r"is invalid .* run `otpspec validate`"):
            load_inputs(_options(features_dir(SAMPLE), spec_dir=tmp_path / "empty"))

    def test_no_scenarios(self, spec: Spec, tmp_path: Path) -> None:
        with pytest.raises(ConformError, match="no scenarios"):
            load_inputs(_options(tmp_path), spec)


class TestRunImplementation:
    def test_records_hello_timings_views_and_transitions(
        self, spec: Spec, features_dir: WriteFeatures
    ) -> None:
        options = _options(features_dir(SAMPLE))
        features = load_features(options.features, spec)
        run = run_implementation("reference", "reference", spec, features, options)
        assert (run.name, run.version) == ("otpspec-reference", "4.1.0")
        assert set(run.timings) >= {"hello", "scenarios", "generated", "differential", "total"}
        passed, failed = run.scenarios
        assert passed.passed and not failed.passed
        assert len(passed.step_seconds) == len(passed.result.steps)
        assert passed.expected_views[-1] is not None
        assert any(passed.transitions)

    def test_a_process_that_cannot_start(self, spec: Spec, features_dir: WriteFeatures) -> None:
        options = _options(features_dir(SAMPLE))
        features = load_features(options.features, spec)
        run = run_implementation("no-such-program-otpspec", "x", spec, features, options)
        assert run.start_failure.startswith("refused_start: ")
        assert not run.ok and run.scenarios == ()

    def test_a_crash_keeps_kind_and_stderr(self, spec: Spec, features_dir: WriteFeatures) -> None:
        options = _options(features_dir(CRASH))
        features = load_features(options.features, spec)
        run = run_implementation(impl_command("crashes_on_tap.py"), "c", spec, features, options)
        crashed = run.scenarios[0]
        assert crashed.failure is not None and crashed.failure.kind == "crashed"
        assert "実装の異常 (crashed)" in crashed.result.message
        assert crashed.result.failed_step is not None
        assert crashed.result.failed_step.message.startswith("実装の異常 (crashed)")


class TestCoverageOf:
    def test_passed_steps_cover_and_failed_steps_fail(
        self, spec: Spec, features_dir: WriteFeatures
    ) -> None:
        options = _options(features_dir(SAMPLE))
        features = load_features(options.features, spec)
        run = run_implementation("reference", "reference", spec, features, options)
        coverage = coverage_of(run.scenarios)
        assert set(coverage.values()) <= {"covered", "failing"}
        launched = {tid for step in run.scenarios[0].transitions for tid in step}
        assert launched and all(coverage[tid] in {"covered", "failing"} for tid in launched)
        assert coverage == run.coverage

    def test_failing_wins(self, spec: Spec, features_dir: WriteFeatures) -> None:
        options = _options(features_dir(SAMPLE))
        features = load_features(options.features, spec)
        run = run_implementation("reference", "reference", spec, features, options)
        wrong = run.scenarios[1]
        failed_at = wrong.result.steps.index(wrong.result.failed_step)  # type: ignore[arg-type]
        for tid in wrong.transitions[failed_at]:
            assert coverage_of(run.scenarios)[tid] == "failing"


def _stand_in_paths(ok: bool) -> types.ModuleType:
    """A harness.generation.checks with the real module's interface, fast."""
    module = types.ModuleType("harness.generation.checks")
    result = types.SimpleNamespace(
        name="G001",
        ok=ok,
        step=0,
        field="screen",
        expected="A",
        observed="B",
        sections=("2.1",),
        gherkin="# language: ja\n",
    )
    module.generate_checks = lambda spec: ("check",)  # type: ignore[attr-defined]
    module.run_generated = lambda impl, checks: [result]  # type: ignore[attr-defined]
    return module


class TestConform:
    def test_one_run_per_implementation(self, spec: Spec, features_dir: WriteFeatures) -> None:
        result = conform(
            _options(features_dir(SAMPLE), impls=("reference", "reference")), spec=spec
        )
        assert isinstance(result, ConformRun)
        assert [run.label for run in result.runs] == ["reference", "reference-2"]
        assert result.exit_code == 1

    def test_generated_checks_when_the_module_is_there(
        self, spec: Spec, features_dir: WriteFeatures, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "harness.generation.checks", _stand_in_paths(ok=False))
        result = conform(_options(features_dir(SAMPLE), generated=True), spec=spec)
        generated = result.runs[0].generated
        assert (generated.status, generated.failed, generated.sections) == ("failed", 1, ("2.1",))
        assert generated.failures[0]["gherkin"].startswith("# language: ja")

    def test_checks_not_there_are_not_run(
        self, spec: Spec, features_dir: WriteFeatures, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setitem(sys.modules, "harness.generation.checks", None)
        monkeypatch.setitem(sys.modules, "harness.generation.differential", None)
        result = conform(
            _options(features_dir(SAMPLE), generated=True, differential=True), spec=spec
        )
        run: ImplRun = result.runs[0]
        assert run.generated.summary == "not run: harness/generation/checks.py is not there"
        assert (
            run.differential.summary == "not run: harness/generation/differential.py is not there"
        )

    def test_the_differential_check_runs(self, spec: Spec, features_dir: WriteFeatures) -> None:
        result = conform(
            _options(features_dir(SAMPLE), differential=True, max_examples=5), spec=spec
        )
        differential = result.runs[0].differential
        assert differential.status == "passed" and differential.passed == 1

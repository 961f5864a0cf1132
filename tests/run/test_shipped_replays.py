"""The transitions of the shipped scenarios, shipped as package data
(harness.run.shipped_replays): current, taken by a run, and never taken for anything else."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from repo_paths import REPO_ROOT
from run_helpers import PASSING, QUICK, RunFeatures, items_by_name

from harness.run import replay as replay_module
from harness.run import shipped_replays
from harness.run.shipped_replays import (
    SHIPPED_NAME,
    ShippedTransitions,
    replayed,
    replays_fingerprint,
    write_shipped,
)
from harness.scenarios.gherkin import load_features
from statechart.model import Spec

REGENERATE = "python -m harness.run.shipped_replays"


def _shipped() -> dict[str, object]:
    path = REPO_ROOT / "harness" / "run" / SHIPPED_NAME
    data = json.loads(gzip.decompress(path.read_bytes()))
    assert isinstance(data, dict)
    return data


class TestShippedTransitions:
    def test_they_are_current(self, spec: Spec) -> None:
        data = _shipped()
        assert data["fingerprint"] == replays_fingerprint(spec), (
            f"harness/run/{SHIPPED_NAME} was made for another spec or replaying code; "
            f"run `{REGENERATE}` and commit it"
        )
        assert data["scenarios"] == replayed(spec), f"run `{REGENERATE}` and commit it"

    def test_every_shipped_scenario_has_them(self, spec: Spec) -> None:
        shipped = ShippedTransitions(spec)
        scenarios = [s for f in load_features([REPO_ROOT / "features"], spec) for s in f.scenarios]
        assert len(scenarios) > 500
        assert all(shipped.get(scenario) is not None for scenario in scenarios)

    def test_another_fingerprint_is_not_taken(
        self, spec: Spec, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(shipped_replays, "replays_fingerprint", lambda spec: "0" * 64)
        scenario = load_features([REPO_ROOT / "features"], spec)[0].scenarios[0]
        assert ShippedTransitions(spec).get(scenario) is None

    def test_write_shipped_records_the_fingerprint(self, spec: Spec, tmp_path: Path) -> None:
        path = write_shipped(tmp_path / SHIPPED_NAME)
        data = json.loads(gzip.decompress(path.read_bytes()))
        assert data["fingerprint"] == replays_fingerprint(spec)
        assert len(data["scenarios"]) > 500


class TestInARun:
    def test_a_passing_shipped_scenario_is_not_replayed_and_keeps_its_coverage(
        self, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def refused(*args: object) -> object:
            raise AssertionError("a shipped scenario was replayed")

        monkeypatch.setattr(replay_module.ScenarioReplayer, "replay", refused)
        feature = REPO_ROOT / "features" / "3.4-トークンを削除する.feature"
        report = pytester.path / "reports"
        result = pytester.runpytest_inprocess(str(feature), "--otpspec-report", str(report), *QUICK)
        result.assert_outcomes(passed=len(load_features([feature])[0].scenarios))
        items = items_by_name(report).values()
        assert all(any(item["transitions"]) for item in items)

    def test_a_scenario_not_shipped_is_replayed(
        self, run_features: RunFeatures, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        calls: list[str] = []
        original = replay_module.ScenarioReplayer.replay

        def counted(self: replay_module.ScenarioReplayer, scenario: object) -> object:
            calls.append(str(getattr(scenario, "name", "")))
            return original(self, scenario)  # type: ignore[arg-type]

        monkeypatch.setattr(replay_module.ScenarioReplayer, "replay", counted)
        run = run_features(PASSING)
        run.result.assert_outcomes(passed=1)
        (item,) = items_by_name(run.report).values()
        assert calls == [item["name"]] and any(item["transitions"])

"""Every scenario of features/, run in-process against the reference app.

The scenarios are collected once (an invalid feature file fails the collection with every
problem located); each runs through `harness.run.runner.run_scenario`, the path `otpspec
conform` takes, and fails with the runner's message and a replayable scenario.
"""

from __future__ import annotations

import pytest
from feature_helpers import collection_spec
from repo_paths import REPO_ROOT

from harness.run.runner import run_scenario
from harness.scenarios.feature import Scenario
from harness.scenarios.gherkin import load_features
from statechart.app import ReferenceApp
from statechart.model import Spec

FEATURES = REPO_ROOT / "features"

# Collection needs the scenarios before fixtures exist; ids come from conftest's hook.
SCENARIOS: tuple[Scenario, ...] = tuple(
    scenario
    for feature in load_features([FEATURES], collection_spec())
    for scenario in feature.scenarios
)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario: Scenario, reference_app: ReferenceApp, spec: Spec) -> None:
    result = run_scenario(reference_app, scenario, spec=spec)
    if result.status != "passed":
        pytest.fail(f"{result.message}\n\n{result.replay()}", pytrace=False)

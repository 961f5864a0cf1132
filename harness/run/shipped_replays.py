"""The transitions each shipped scenario takes on the reference, computed when the package
is built.

A conformance run replays every scenario on the in-process reference to learn which of the
spec's transitions its steps cover (coverage, traceability). For a passing scenario that is
all the replay is for, and it was about a tenth of the full run, in every pytest-xdist
worker. The transitions depend only on the scenario's steps, the spec and the code that
replays them, so for the shipped features and spec they are kept as package data beside
this module, with the fingerprint they were made for. Anything else is replayed as before:
a scenario not among them (a vendor's own, an edited one), another spec or replaying code,
a declaration that rewrites fixtures, and every scenario that does not pass (it is graded
from its replay). tests/run checks that the shipped file is current.

Regenerate: `python -m harness.run.shipped_replays`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any, Final

from harness.generation.shipped import fingerprint, read_data, write_data
from harness.resources import FEATURES_DIR
from harness.run.replay import ScenarioReplayer
from harness.scenarios.feature import Scenario
from harness.scenarios.gherkin import load_features
from statechart.loader import load_spec
from statechart.model import Spec

__all__ = ["SHIPPED_NAME", "ShippedTransitions", "replays_fingerprint", "scenario_key"]

SHIPPED_NAME: Final = "scenario-transitions.json.gz"
_CODE: Final = (
    "statechart",
    "harness/generation",
    "harness/vocabulary",
    "harness/scenarios",
    "harness/run/replay.py",
    "harness/run/context.py",
)
Transitions = tuple[tuple[str, ...], ...]
"""Per step (background first), the ids of the transitions the reference took."""


def scenario_key(scenario: Scenario) -> str:
    """What identifies a scenario's replay: its feature and its steps (kind and text, as
    rendered for an example row), not its lines, which an edit elsewhere moves."""
    steps = [[step.kind, step.text] for step in scenario.all_steps]
    text = json.dumps([scenario.feature_name, steps], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def replays_fingerprint(spec: Spec) -> str:
    """What the transitions depend on, besides the steps: the spec and the replaying code."""
    return fingerprint(spec, _CODE)


class ShippedTransitions:
    """The shipped transitions of one spec, read on first use (none for another spec).

    Args:
        spec: The run's spec.
    """

    def __init__(self, spec: Spec) -> None:
        self._spec = spec
        self._known: dict[str, Any] | None = None

    def get(self, scenario: Scenario) -> Transitions | None:
        """The scenario's transitions, or None when they were not shipped for it."""
        if self._known is None:
            self._known = _read(replays_fingerprint(self._spec))
        found = self._known.get(scenario_key(scenario))
        if not isinstance(found, list):
            return None
        return tuple(tuple(str(tid) for tid in step) for step in found)


def _read(stamp: str) -> dict[str, Any]:
    data = read_data("harness.run", SHIPPED_NAME)
    if data is None or data.get("fingerprint") != stamp:
        return {}
    scenarios = data.get("scenarios")
    return scenarios if isinstance(scenarios, dict) else {}


def replayed(spec: Spec) -> dict[str, list[list[str]]]:
    """Every shipped scenario that passes on the reference, replayed: key → transitions."""
    replayer = ScenarioReplayer(spec)
    found: dict[str, list[list[str]]] = {}
    for feature in load_features([FEATURES_DIR], spec):
        for scenario in feature.scenarios:
            replay = replayer.replay(scenario)
            if replay.failed_step is None:
                found[scenario_key(scenario)] = [list(step) for step in replay.transitions]
    return found


def write_shipped(target: Path | None = None) -> Path:
    """Replays the shipped features on the shipped spec and writes them beside this module."""
    spec = load_spec()
    data = {"fingerprint": replays_fingerprint(spec), "scenarios": replayed(spec)}
    return write_data(data, target or Path(__file__).with_name(SHIPPED_NAME))


if __name__ == "__main__":
    print(write_shipped(), file=sys.stderr)

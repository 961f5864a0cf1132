"""What the grading tests share: mutants in process, scenarios run on them and graded.

(A module of its own: `from conftest import …` finds whichever test directory's conftest was
imported first.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from harness.adapters import InProcessAdapter
from harness.generation.checks import CheckResult, GeneratedCheck, replay_check
from harness.grading import Grounds, step_grounds
from harness.mutants.catalogue import Mutant, MutantApp
from harness.mutants.edit import set_rule
from harness.resources import FEATURES_DIR
from harness.run.context import ScenarioContext
from harness.run.records import StepRecord
from harness.run.replay import ScenarioReplayer, run_scenario_steps
from harness.run.secrets import SecretBook, secret_fields
from harness.scenarios.feature import Scenario
from harness.scenarios.gherkin import load_features
from harness.vocabulary import match_step
from statechart.model import Spec

View = dict[str, Any]
FEATURES = FEATURES_DIR


class Impl(InProcessAdapter):
    """An app (a mutant) behind the in-process adapter, checked as over the wire."""

    def __init__(self, spec: Spec, app: MutantApp) -> None:
        super().__init__(spec)
        self._app = app


def mutant(
    spec: Spec,
    name: str,
    *,
    view: Callable[[Spec, View], View] | None = None,
    apply: Callable[[Spec], Spec] | None = None,
) -> Impl:
    """A mutant of the reference made for a test: a view rewrite or a spec edit."""
    made = Mutant(name, "test", name, view=view)
    if apply is not None:
        made = replace(made, apply=apply)
    return Impl(spec, made.build(spec))


def correction_window(spec: Spec, seconds: int) -> Impl:
    """A mutant whose S4H9 window after a correction is `seconds` (the spec: 180, ASM-063)."""
    return mutant(
        spec,
        f"correction_{seconds}s",
        apply=lambda s: set_rule(s, "correction_repeat_seconds", seconds),
    )


def scenarios(spec: Spec, feature: str) -> list[Scenario]:
    """The scenarios of a shipped feature file (features/<feature>)."""
    (loaded,) = load_features([FEATURES / feature], spec)
    return list(loaded.scenarios)


def scenario_named(spec: Spec, feature: str, name: str) -> list[Scenario]:
    """The scenarios (outline rows) of a feature whose name starts with `name`."""
    found = [s for s in scenarios(spec, feature) if s.name.startswith(name)]
    assert found, f"no scenario {name!r} in {feature}"
    return found


@dataclass(frozen=True)
class Graded:
    """A scenario run on an implementation: its failing step and that step's grounds."""

    failed: StepRecord | None
    grounds: Grounds | None


def grade_scenario(spec: Spec, scenario: Scenario, impl: InProcessAdapter) -> Graded:
    """Runs a scenario on an implementation; grades its failing step as the plugin would."""
    context = ScenarioContext(impl, spec, SecretBook(secret_fields(spec)))
    run_scenario_steps(context, scenario)
    failed = next((s for s in context.steps if s.status != "passed"), None)
    if failed is None:
        return Graded(None, None)
    index = context.steps.index(failed)
    replay = ScenarioReplayer(spec).replay(scenario)
    step = scenario.all_steps[index]
    found = match_step(step.text, step.kind)
    assert found is not None
    phrase, params = found
    grounds = step_grounds(
        spec,
        replay.traces[index],
        phrase,
        params,
        failed.view,
        scenario.tags,
        typed_fields=context.typed,
    )
    return Graded(failed, grounds)


def first_failure(impl: InProcessAdapter, checks: tuple[GeneratedCheck, ...]) -> CheckResult:
    """The first generated check the implementation fails."""
    for check in checks:
        result = replay_check(impl, check)
        if not result.ok:
            return result
    raise AssertionError("no generated check failed")

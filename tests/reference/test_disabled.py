"""Shown but not enabled (3.5 入力可能, 3.7 入力不可能): the view's `disabled`, and its power.

The reference shows the two code fields of 「アプリロック設定」 always and enables them only
while the switch is ON. Three mutants of that behaviour are each killed by a check that
runs against any implementation: the 3.5/3.7 features or the walkthrough.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from typing import Any

import pytest
from repo_paths import REPO_ROOT
from walkthrough import Walk, app_lock

from harness.protocol import handle_line
from harness.run.context import ScenarioContext
from harness.run.replay import run_scenario_steps
from harness.run.secrets import SecretBook, secret_fields
from harness.scenarios.feature import Scenario
from harness.scenarios.gherkin import load_features
from statechart.app import AppError, ReferenceApp
from statechart.model import Spec

APP_LOCK = "running.main.settings.app_lock"
FIELDS = ("アプリロックコード", "アプリロックコード(確認用)")
FIXTURE = {
    "app": {
        "privacy_policy_agreed": True,
        "tokens": [{"service_id": "MIRAI01", "user_id": "USER0001"}],
    }
}


def _with_fields(spec: Spec, **changes: Any) -> Spec:
    """The spec with the two code fields changed (a mutant of the statechart)."""
    state = spec.statechart.state(APP_LOCK)
    elements = tuple(replace(e, **changes) if e.label in FIELDS else e for e in state.elements)
    states = {**spec.statechart.states, APP_LOCK: replace(state, elements=elements)}
    return replace(spec, statechart=replace(spec.statechart, states=states))


class TypesIntoDisabledFields(ReferenceApp):
    """Mutant: shows the fields disabled but lets a person type into them anyway."""

    def enter(self, field: str, value: str) -> dict[str, Any]:
        if field in FIELDS:
            self._session.form[field] = value
            return self.observe()
        return super().enter(field, value)


def _mutants(spec: Spec) -> dict[str, ReferenceApp]:
    return {
        # the spec before issue 12: the fields hidden while OFF
        "hides_fields": ReferenceApp(_with_fields(spec, when=("lock_form_on",), enabled_when=())),
        # the fields shown and enabled while OFF
        "never_disables": ReferenceApp(_with_fields(spec, enabled_when=())),
        "types_into_disabled": TypesIntoDisabledFields(spec),
    }


def _open_app_lock(app: ReferenceApp) -> dict[str, Any]:
    app.reset(FIXTURE)
    app.launch()
    app.tap("設定")
    return app.tap("アプリロック設定")


class TestReference:
    def test_off_shows_both_fields_disabled(self, spec: Spec) -> None:
        view = _open_app_lock(ReferenceApp(spec))
        assert view["fields"] == {"アプリロック設定": "OFF", FIELDS[0]: "", FIELDS[1]: ""}
        assert view["disabled"] == list(FIELDS)
        assert not set(FIELDS) & set(view["elements"])

    @pytest.mark.parametrize("op", ["enter", "tap"])
    def test_a_disabled_field_is_not_found_and_nothing_changes(self, spec: Spec, op: str) -> None:
        app = ReferenceApp(spec)
        before = _open_app_lock(app)
        with pytest.raises(AppError) as refused:
            app.enter(FIELDS[0], "1234") if op == "enter" else app.tap(FIELDS[0])
        assert refused.value.kind == "not_found"
        assert "not enabled" in refused.value.message
        assert app.observe() == before

    def test_ok_on_the_caution_dialog_enables_them_and_off_disables_them_again(
        self, spec: Spec
    ) -> None:
        app = ReferenceApp(spec)
        _open_app_lock(app)
        app.tap("アプリロック設定")
        assert app.tap("OK")["disabled"] == []
        assert app.enter(FIELDS[0], "1234")["fields"][FIELDS[0]] == "●●●●"
        app.tap("アプリロック設定")
        assert app.tap("OK")["disabled"] == list(FIELDS)

    def test_the_protocol_layer_answers_not_found(self, spec: Spec) -> None:
        app = ReferenceApp(spec)
        _open_app_lock(app)
        request = {"id": 1, "op": "enter", "field": FIELDS[1], "value": "1"}
        answer = json.loads(handle_line(app, json.dumps(request)) or "{}")
        assert answer["error"]["kind"] == "not_found"


def _drive(app: ReferenceApp) -> Any:
    ids = itertools.count(1)

    def drive(op: str, **args: Any) -> dict[str, Any]:
        line = handle_line(app, json.dumps({"id": next(ids), "op": op, **args}))
        answer: dict[str, Any] = json.loads(line or "{}")
        return answer

    return drive


def _walk_fails(app: ReferenceApp) -> bool:
    try:
        app_lock(Walk(_drive(app)))
    except AssertionError:
        return True
    return False


def _features_fail(app: ReferenceApp, spec: Spec) -> bool:
    paths = [p for p in (REPO_ROOT / "features").glob("3.[57]-*.feature")]
    scenarios = [s for f in load_features(paths, spec) for s in f.scenarios]
    return any(not _passes(app, s, spec) for s in scenarios)


def _passes(app: ReferenceApp, scenario: Scenario, spec: Spec) -> bool:
    """Whether the scenario passes on the app, run as the plugin runs it."""
    context = ScenarioContext(app, spec, SecretBook(secret_fields(spec)))
    run_scenario_steps(context, scenario)
    return all(step.status == "passed" for step in context.steps)


class TestMutantsAreKilled:
    def test_the_reference_passes_both_checks(self, spec: Spec) -> None:
        assert not _walk_fails(ReferenceApp(spec))
        assert not _features_fail(ReferenceApp(spec), spec)

    def test_hiding_the_fields_fails_the_features_and_the_walkthrough(self, spec: Spec) -> None:
        mutant = _mutants(spec)["hides_fields"]
        assert _features_fail(mutant, spec)
        assert _walk_fails(_mutants(spec)["hides_fields"])

    @pytest.mark.parametrize("name", ["never_disables", "types_into_disabled"])
    def test_enabled_while_off_fails_the_walkthrough(self, spec: Spec, name: str) -> None:
        assert _walk_fails(_mutants(spec)[name])

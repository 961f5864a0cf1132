"""spec/capabilities.yaml, the vendor declaration and the rule that makes checks not applicable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from repo_paths import REPO_ROOT

from harness.scenarios.gherkin import load_features
from statechart.capabilities import (
    Capability,
    FixtureValue,
    load_capabilities,
    load_declaration,
    rewrite_fixture,
)
from statechart.loader import load_spec
from statechart.problems import SpecInvalid

SPEC = load_spec()
CAPABILITIES = {c.id: c for c in load_capabilities(SPEC)}
SCHEMAS = REPO_ROOT / "spec" / "schemas"
EXAMPLE = REPO_ROOT / "docs" / "examples" / "declaration.yaml"


def _schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return data


def _fixture_path_exists(path: str) -> bool:
    schema = _schema("fixture.schema.json")
    node: dict[str, Any] = schema
    for step in path.split("."):
        node = node.get("properties", {}).get(step.removesuffix("[]"), {})
        if step.endswith("[]"):
            node = node.get("items", {})
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            node = schema["$defs"][ref.removeprefix("#/$defs/")]
        if not node:
            return False
    return True


def test_the_declaration_schema_knows_exactly_these_capabilities() -> None:
    names = _schema("declaration.schema.json")["properties"]["capabilities"]["propertyNames"]
    assert names["enum"] == list(CAPABILITIES)


def test_the_issues_capabilities_are_all_there() -> None:
    wanted = {"pin_tokens", "transaction_confirmation", "biometric_login", "android", "ios"}
    wanted |= {"push_notifications", "server_error_injection", "virtual_clock"}
    assert wanted <= set(CAPABILITIES)


@pytest.mark.parametrize("capability", list(CAPABILITIES.values()), ids=lambda c: c.id)
def test_fixture_paths_are_fixture_keys(capability: Capability) -> None:
    for value in (*capability.needs, *capability.without):
        assert _fixture_path_exists(value.fixture), value.fixture


@pytest.mark.parametrize("capability", list(CAPABILITIES.values()), ids=lambda c: c.id)
def test_each_capability_governs_something(capability: Capability) -> None:
    assert capability.sections or capability.states or capability.ops or capability.needs


def test_the_example_declaration_validates_and_reads() -> None:
    declaration = load_declaration(EXAMPLE, SPEC)
    assert declaration.name == "example-otp-app"
    assert not declaration.offers("pin_tokens") and declaration.offers("android")
    assert declaration.offers("virtual_clock")  # not declared: offered
    assert [d.assumption for d in declaration.deviations] == ["ASM-035", "ASM-002"]


class TestGoverns:
    def test_sections_and_the_sections_below_them(self) -> None:
        biometric = CAPABILITIES["biometric_login"]
        assert biometric.governs(sections=["3.14.2"])
        assert not biometric.governs(sections=["3.1", "2.1"])

    def test_states_and_the_states_below_them(self) -> None:
        transaction = CAPABILITIES["transaction_confirmation"]
        assert transaction.governs(states=["running.main.transaction.fetching"])
        assert not transaction.governs(states=["running.main.otp"])

    def test_ops_with_and_without_an_argument(self) -> None:
        assert CAPABILITIES["android"].governs(ops=["launch", "key:back"])
        assert not CAPABILITIES["android"].governs(ops=["key:home"])
        assert CAPABILITIES["push_notifications"].governs(ops=["notify"])

    def test_fixture_values_in_lists_and_present_keys(self) -> None:
        pin_service = {"services": [{"service_id": "P", "name": "P", "pin": True}]}
        assert CAPABILITIES["pin_tokens"].governs(fixture=pin_service)
        assert not CAPABILITIES["pin_tokens"].governs(fixture={})
        assert CAPABILITIES["clock_skew"].governs(fixture={"device": {"skew_seconds": 0}})
        assert FixtureValue("device.os", "ios").matches({"device": {"os": "ios"}})

    def test_every_scenario_of_an_optional_feature_is_governed(self) -> None:
        features = load_features([REPO_ROOT / "features"], SPEC)
        for scenario in (s for f in features for s in f.scenarios):
            tags = [t.removeprefix("@section-") for t in scenario.tags if t.startswith("@section-")]
            if any(t.startswith("3.14") for t in tags):
                assert CAPABILITIES["biometric_login"].governs(sections=tags), scenario.name


class TestRewrite:
    def test_every_listed_element_gets_the_value_and_the_input_is_kept(self) -> None:
        fixture = {"services": [{"service_id": "A", "pin": True}, {"service_id": "B"}]}
        rewritten = CAPABILITIES["pin_tokens"].rewrite(fixture)
        assert [s["pin"] for s in rewritten["services"]] == [False, False]
        assert fixture["services"][0]["pin"] is True and "pin" not in fixture["services"][1]
        assert not CAPABILITIES["pin_tokens"].governs(fixture=rewritten)

    def test_a_plain_key_is_made_when_the_fixture_leaves_it_to_the_default(self) -> None:
        assert CAPABILITIES["android"].rewrite({}) == {"device": {"os": "ios"}}
        kept = {"device": {"os": "android", "memory_low": True}}
        assert CAPABILITIES["android"].rewrite(kept)["device"] == {"os": "ios", "memory_low": True}

    def test_the_default_demo_service_is_written_out_and_rewritten(self) -> None:
        rewritten = CAPABILITIES["transaction_confirmation"].rewrite({"now": "x"})
        (service,) = rewritten["services"]
        assert service["service_id"] == "MIRAI01" and service["biometric_login"] is True
        assert service["transaction_confirmation"] is False

    def test_the_demo_service_is_left_to_the_default_when_it_already_lacks_it(self) -> None:
        assert CAPABILITIES["pin_tokens"].rewrite({"now": "x"}) == {"now": "x"}

    def test_a_list_of_the_app_the_fixture_lacks_stays_absent(self) -> None:
        fixture = {"app": {"privacy_policy_agreed": True}}
        assert CAPABILITIES["pin_tokens"].rewrite(fixture)["app"] == fixture["app"]

    def test_several_capabilities_apply_in_turn(self) -> None:
        fixture = {"services": [{"pin": True, "biometric_login": True}]}
        absent = [CAPABILITIES["pin_tokens"], CAPABILITIES["biometric_login"]]
        (service,) = rewrite_fixture(fixture, absent)["services"]
        assert (service["pin"], service["biometric_login"]) == (False, False)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class TestBadFiles:
    def test_capabilities_naming_what_does_not_exist_are_located(self, tmp_path: Path) -> None:
        path = _write(
            tmp_path,
            "capabilities.yaml",
            "capabilities:\n"
            "  - {id: x, title: X, source: manual, why: w, sections: ['9.9'],"
            " states: [running.nowhere], ops: [teleport]}\n",
        )
        with pytest.raises(SpecInvalid) as invalid:
            load_capabilities(SPEC, path)
        messages = [p.message for p in invalid.value.problems]
        assert messages == [
            "no section '9.9'",
            "no state 'running.nowhere'",
            "no protocol op 'teleport'",
        ]
        assert {p.location.line for p in invalid.value.problems} == {2}

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ("capabilities: {teleport: false}\n", "is not an allowed value"),
            (
                "deviations: [{assumption: ASM-999, reason: r}]\n",
                "ASM-999 is not in spec/assumptions.yaml",
            ),
            (
                "deviations: [{assumption: ASM-035, reason: r},"
                " {assumption: ASM-035, reason: s}]\n",
                "ASM-035 is declared twice",
            ),
            ("deviations: [{assumption: ASM-035}]\n", "reason"),
        ],
        ids=["unknown_capability", "unknown_assumption", "twice", "no_reason"],
    )
    def test_bad_declarations_are_refused_and_located(
        self, tmp_path: Path, body: str, message: str
    ) -> None:
        head = "declaration: 1\nimplementation: {name: x}\n"
        path = _write(tmp_path, "declaration.yaml", head + body)
        with pytest.raises(SpecInvalid) as invalid:
            load_declaration(path, SPEC)
        (problem,) = invalid.value.problems
        assert message in problem.message and problem.location.line == 3

"""harness/mutants (catalogue, edit) and the `otpspec mutants` / `serve --mutant` CLI."""

from __future__ import annotations

import argparse
import json
import subprocess
from dataclasses import replace

import pytest
from mutant_helpers import ROOT, serve_command

from harness.cli.commands import main
from harness.cli.mutants import add_mutants_command, mutants_table, run_mutants, serve_mutant
from harness.mutants.catalogue import MUTANTS, MutantApp, mutant_named
from harness.mutants.edit import (
    delete_transitions,
    edit_element,
    edit_transitions,
    set_input,
    set_rule,
    without_variant,
)
from statechart.app import ReferenceApp
from statechart.model import Spec

REQUIRED = {
    "lock_code_33_digits": "3.5",
    "eleventh_token": "3.3",
    "delete_selected_goes_to_menu": "3.4",
    "no_suffix": "3.3",
    "renewal_at_181_days": "3.9.1",
    "period_30s": "2.1",
    "no_a916": "3.3 / 4.3",
    "back_exits_at_once": "2.3.2",
    "full_width_lock_code": "3.5",
}
ONE_TOKEN = {
    "app": {"privacy_policy_agreed": True, "tokens": [{"service_id": "MIRAI01", "user_id": "U1"}]}
}


class TestMutantsTable:
    def test_the_required_mutants_and_nine_more(self) -> None:
        names = {m.name: m.section for m in MUTANTS}
        assert {name: names.get(name) for name in REQUIRED} == REQUIRED
        assert len(MUTANTS) >= 18 and len(names) == len(MUTANTS)

    def test_sections_exist_and_spread(self, spec: Spec) -> None:
        sections = {s for m in MUTANTS for s in m.sections}
        assert sections <= spec.section_ids()
        assert len(sections) >= 15

    def test_mutated_specs_leave_the_loaded_one_alone(self, spec: Spec) -> None:
        before = (spec.rules, spec.errors, dict(spec.statechart.states))
        for mutant in MUTANTS:
            assert mutant.apply(spec) is spec or mutant.apply(spec) != spec
        assert (spec.rules, spec.errors, dict(spec.statechart.states)) == before

    def test_table_rows(self) -> None:
        rows = mutants_table()
        assert rows[0].keys() == {"name", "section", "description"}
        assert len(rows) == len(MUTANTS)


class TestMutantNamed:
    def test_finds(self) -> None:
        assert mutant_named("period_30s").section == "2.1"

    def test_unknown_lists_the_names(self) -> None:
        with pytest.raises(KeyError, match="period_30s"):
            mutant_named("no such bug")


class TestMutantApp:
    def test_build_names_the_mutant(self, spec: Spec) -> None:
        app = mutant_named("period_30s").build(spec)
        assert app.hello()["name"] == "otpspec-mutant-period_30s"

    def test_patched_action_stays_in_its_app(self, spec: Spec) -> None:
        fixture = ONE_TOKEN | {"device": {"memory_low": True}}
        mutant, reference = mutant_named("memory_not_checked").build(spec), ReferenceApp(spec)
        for app in (mutant, reference):
            app.reset(fixture)
        assert mutant.launch()["error"] is None
        assert reference.launch()["error"]["code"] == "A9EX"

    def test_view_filter(self, spec: Spec) -> None:
        app = MutantApp(spec, "x", view=lambda s, v: {**v, "texts": []})
        app.reset(ONE_TOKEN)
        assert app.launch()["texts"] == []


class TestSetRule:
    def test_sets(self, spec: Spec) -> None:
        assert set_rule(spec, "max_tokens", 11).rules.value("max_tokens") == 11

    def test_unknown_key(self, spec: Spec) -> None:
        with pytest.raises(KeyError):
            set_rule(spec, "no_such_rule", 1)


class TestSetInput:
    def test_sets_max(self, spec: Spec) -> None:
        assert set_input(spec, "pin", max=9).rules.inputs["pin"].max == 9


class TestEditElement:
    def test_edits(self, spec: Spec) -> None:
        edited = edit_element(spec, "running.main", "トークン選択", when=())
        labels = {e.label: e.when for e in edited.statechart.state("running.main").elements}
        assert labels["トークン選択"] == ()

    def test_unknown_label(self, spec: Spec) -> None:
        with pytest.raises(KeyError):
            edit_element(spec, "running.main", "no such label")


class TestEditTransitions:
    def test_rewrites_everywhere(self, spec: Spec) -> None:
        edited = edit_transitions(spec, None, lambda t: replace(t, sections=("2.1",)))
        assert all(
            t.sections == ("2.1",) for s in edited.statechart.iter_states() for t in s.transitions
        )


class TestDeleteTransitions:
    def test_deletes(self, spec: Spec) -> None:
        path = "running.token_route"
        edited = delete_transitions(spec, path, lambda t: t.guard == ("selected_expired",))
        count = len(spec.statechart.state(path).transitions)
        assert len(edited.statechart.state(path).transitions) == count - 1

    def test_nothing_to_delete(self, spec: Spec) -> None:
        with pytest.raises(KeyError):
            delete_transitions(spec, "running.token_route", lambda t: False)


class TestWithoutVariant:
    def test_strips_only_that_variant(self, spec: Spec) -> None:
        stripped = without_variant(spec, "token_add")
        assert not any(v.when == "token_add" for e in stripped.errors for v in e.variants)
        assert len(stripped.errors) == len(spec.errors)


class TestRunMutants:
    def test_text(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["mutants"]) == 0
        assert "lock_code_33_digits" in capsys.readouterr().out

    def test_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["mutants", "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == mutants_table()

    def test_direct_call(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert run_mutants(type("Args", (), {"json": False})()) == 0
        assert "no_a916" in capsys.readouterr().out


class TestAddMutantsCommand:
    def test_adds_the_subcommand(self) -> None:
        parser = argparse.ArgumentParser()
        add_mutants_command(parser.add_subparsers(dest="command"))
        args = parser.parse_args(["mutants", "--json"])
        assert args.command == "mutants" and args.json is True


class TestServeMutant:
    def test_unknown_name_is_a_usage_error(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["serve", "--mutant", "nope"]) == 2
        err = capsys.readouterr().err
        assert "no mutant 'nope'" in err and "period_30s" in err

    def test_direct_call_unknown(self) -> None:
        assert serve_mutant(ROOT / "spec", "nope") == 2

    def test_serves_over_stdio(self) -> None:
        done = subprocess.run(
            serve_command("version_4_0_0"),
            input='{"id": 1, "op": "hello"}\n',
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0
        assert json.loads(done.stdout)["implementation"]["version"] == "4.0.0"

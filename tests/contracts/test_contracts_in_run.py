"""The contracts in a conformance run: every step of every scenario, generated check and
differential walk is checked, in the plugin, against any implementation; a breach fails the
item it happens in, at that step, naming the contract, its sections and its assumptions."""

from __future__ import annotations

from typing import Any

import pytest
from plugin_helpers import (
    PIN_CHANGE,
    PIN_CHANGE_BREAKS_AT,
    RunOtpspec,
    failed_steps,
    serve_command,
)

from harness.adapters import InProcessAdapter
from harness.contracts import Monitor
from harness.generation.fixtures import fixture_named
from harness.generation.steps import WalkStep, attempt
from harness.grading.grounds import narrowed
from harness.mutants import mutant_named
from harness.run.context import ContractBroken, ExpectationMissed, ScenarioContext
from harness.run.secrets import SecretBook, secret_fields
from harness.run.watch import ContractBreach, ContractWatch
from harness.scenarios.feature import Step
from harness.vocabulary import match_step
from harness.vocabulary.errors import StepFailed
from statechart.app import ReferenceApp
from statechart.model import Spec

PIN_CONTRACT = "pin_change_takes_effect"


def _contract(spec: Spec, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    found = next(c for c in spec.contracts if c.name == name)
    return found.sections, found.assumptions


def _assert_breach_step(
    step: dict[str, Any], spec: Spec, name: str, assumed: tuple[str, ...] = ()
) -> None:
    """The step names the contract, its sections, and (as `assumptions`) only what makes the
    breach a deviation: the assumptions of the aspect that broke."""
    sections, assumptions = _contract(spec, name)
    assert step["contract"] == name
    assert tuple(step["clauses"]) == sections
    assert tuple(step["assumptions"]) == assumed
    assert f"契約 {name} [{', '.join((*sections, *assumptions))}]" in step["message"]


class TestScenarios:
    def test_the_reference_breaks_no_contract(self, run_otpspec: RunOtpspec) -> None:
        run = run_otpspec(PIN_CHANGE)
        run.result.assert_outcomes(passed=2)

    def test_a_breach_fails_its_step_with_the_contract_over_the_subprocess_adapter(
        self, run_otpspec: RunOtpspec, spec: Spec
    ) -> None:
        run = run_otpspec(PIN_CHANGE, impl=serve_command("pin_change_after_restart"))
        run.result.assert_outcomes(passed=1, failed=1)
        output = run.result.stdout.str()
        assert f"契約 {PIN_CONTRACT} [3.8, 4.2" in output
        assert "Traceback" not in output
        items = run.items()
        broken = items["変更したPINでパスワードが計算される"]
        assert broken["verdict"] == "fail"
        (step,) = failed_steps(broken)
        assert step["text"] == PIN_CHANGE_BREAKS_AT
        _assert_breach_step(step, spec, PIN_CONTRACT)
        assert items["PINの変更画面を開いて戻る"]["verdict"] == "pass"

    def test_the_breach_names_no_secret(self, run_otpspec: RunOtpspec) -> None:
        run = run_otpspec(PIN_CHANGE, impl=serve_command("pin_change_after_restart"))
        (step,) = failed_steps(run.items()["変更したPINでパスワードが計算される"])
        for text in (step["message"], step["expected"], step["observed"]):
            assert "4321" not in text and "5678" not in text


class TestScenarioContext:
    """ScenarioContext.send against an implementation in this process."""

    def _context(self, spec: Spec, mutant: str | None) -> ScenarioContext:
        impl = InProcessAdapter(spec)
        if mutant is not None:  # the same dispatch as the reference's, to a mutant
            impl._app = mutant_named(mutant).build(spec)
        return ScenarioContext(impl, spec, SecretBook(secret_fields(spec)), monitor=Monitor(spec))

    def _run(self, context: ScenarioContext, *lines: tuple[str, str]) -> None:
        for number, (kind, text) in enumerate(lines, start=1):
            keyword = {"given": "前提", "when": "もし", "then": "ならば"}[kind]
            found = match_step(text, kind)  # type: ignore[arg-type]
            assert found is not None, text
            context.current = Step(keyword, text, number, kind)  # type: ignore[arg-type]
            context.run_current(*found)

    STEPS = (
        ("given", "登録されているトークンがひとつ"),
        ("when", "アプリを起動する"),
        ("then", "ワンタイムパスワードが表示される"),
    )

    def test_the_reference(self, spec: Spec) -> None:
        context = self._context(spec, None)
        self._run(context, *self.STEPS)
        assert [s.status for s in context.steps] == ["passed"] * 3

    def test_a_breach_raises_the_step_failure(self, spec: Spec) -> None:
        context = self._context(spec, "five_digit_password")
        with pytest.raises(ExpectationMissed) as missed:
            self._run(context, *self.STEPS)
        record = missed.value.step
        assert (record.text, record.status, record.contract) == (
            "アプリを起動する",
            "failed",
            "password_value",
        )
        assert record.clauses == _contract(spec, "password_value")[0]
        assert record.assumptions == ()  # a password that does not authenticate: a fail
        assert len(record.expected) == 6 and record.expected.isdigit()

    def test_contract_broken_is_a_step_failure(self) -> None:
        assert issubclass(ContractBroken, StepFailed)


class TestChecks:
    def test_a_generated_check_fails_at_the_breaking_step(
        self, run_otpspec: RunOtpspec, spec: Spec
    ) -> None:
        args = [str(spec.directory), "--otpspec-no-differential", "-k", "one_token"]
        run = run_otpspec(impl=serve_command("five_digit_password"), args=args)
        failed = [i for i in run.results()["items"] if i["verdict"] == "fail"]
        assert failed and all(i["kind"] == "generated" for i in failed)
        for item in failed:
            (step,) = failed_steps(item)
            _assert_breach_step(step, spec, "password_value")
            # the item names the contract's clauses that bear on its own sections
            assert item["clauses"] == list(narrowed(step["clauses"], item["sections"]))
            assert "契約 password_value" in item["replay"]

    def test_a_differential_walk_is_shrunk_to_the_breach(
        self, run_otpspec: RunOtpspec, spec: Spec
    ) -> None:
        args = [str(spec.directory), "--otpspec-no-generated", "-k", "差分 and one_token"]
        run = run_otpspec(impl=serve_command("five_digit_password"), args=args)
        run.result.assert_outcomes(failed=1)
        (item,) = run.results()["items"]
        assert item["kind"] == "differential"
        (step,) = failed_steps(item)
        _assert_breach_step(step, spec, "password_value")
        assert step["text"] == "アプリを起動する"  # the shortest walk that shows a password
        assert "もし アプリを起動する" in item["replay"]


class TestContractWatch:
    """The observer of generated checks and walks (harness/run/watch.py)."""

    def _walk(self, spec: Spec, app: Any, watch: ContractWatch, *steps: WalkStep) -> None:
        watch(WalkStep("reset", "one_token"), app.reset(fixture_named("one_token").fixture()))
        for step in steps:
            watch(step, attempt(app, step))

    def test_the_reference_breaks_nothing(self, spec: Spec) -> None:
        watch = ContractWatch(Monitor(spec))
        self._walk(
            spec, ReferenceApp(spec), watch, WalkStep("launch"), WalkStep("clock", seconds=60)
        )
        assert [s.op for s in watch.walk] == ["launch", "clock"]

    def test_a_breach_carries_the_walk_and_the_clauses(self, spec: Spec) -> None:
        app = mutant_named("five_digit_password").build(spec)
        with pytest.raises(ContractBreach) as raised:
            self._walk(spec, app, ContractWatch(Monitor(spec)), WalkStep("launch"))
        assert raised.value.walk == (WalkStep("launch"),)
        sections, _ = _contract(spec, "password_value")
        assert raised.value.clauses == sections  # the manual's breach comes first: no ASM
        later = [(b.contract, b.assumed) for b in raised.value.breaches[1:]]
        assert later == [("password_format", ("ASM-030",))]

    def test_a_reset_needs_a_fixture(self, spec: Spec) -> None:
        with pytest.raises(ValueError, match="walk fixture"):
            ContractWatch(Monitor(spec))(WalkStep("reset"), {})

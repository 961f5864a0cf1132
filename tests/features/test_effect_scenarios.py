"""The scenarios that check an effect the manual states prove their power: each fails against
a shipped mutant that gets the effect wrong, by its own ならば steps (without the contracts)
and in a conformance run (with them), while the reference passes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from repo_paths import REPO_ROOT

from harness.contracts import Monitor
from harness.mutants import mutant_named
from harness.protocol import Implementation
from harness.run.context import ScenarioContext
from harness.run.replay import run_scenario_steps
from harness.run.secrets import SecretBook, secret_fields
from harness.scenarios.feature import Scenario
from harness.scenarios.gherkin import load_features
from statechart.app import ReferenceApp
from statechart.model import Spec

FEATURES = REPO_ROOT / "features"
TRANSACTIONS = FEATURES / "3.13.2-取引確認を利用する.feature"
EXPIRED = FEATURES / "3.9.2-有効期限が切れた場合(1トークン格納時).feature"
PIN_CHANGE = FEATURES / "3.8-PINを変更する.feature"
NEW_PIN_AT_ONCE = "PINを変更すると、ワンタイムパスワードはすぐに新しいPINで表示される"
NEW_PIN_AT_ONCE = "PINを変更すると、ワンタイムパスワードはすぐに新しいPINで表示される"
OLDEST_FIRST = (
    "「取引確認」画面には確認待ちの取引の内容が古い順に表示され、確認した取引は次に表示されない"
)
NOTIFIED = (
    "確認待ちの取引がふたつあっても、通知を選択するとその通知の取引の内容が表示され、"
    "確認するとその取引だけが確認済みになる"
)
EXPIRED_AT_LAUNCH = "有効期限が切れたトークンのワンタイムパスワードは表示されない"
EXPIRES_WHILE_SHOWN = "表示中にトークンの有効期限が切れると、ワンタイムパスワードは表示されなくなる"


@dataclass(frozen=True)
class Kill:
    """A scenario, a mutant it must fail, and the step where it fails by itself."""

    path: Path
    scenario: str
    mutant: str
    step: str


KILLS = [
    Kill(TRANSACTIONS, OLDEST_FIRST, "newest_transaction_first", "取引「T1」の内容が表示される"),
    Kill(TRANSACTIONS, OLDEST_FIRST, "confirms_no_transaction", "取引「T2」の内容が表示される"),
    Kill(TRANSACTIONS, OLDEST_FIRST, "confirms_every_transaction", "取引「T2」の内容が表示される"),
    Kill(TRANSACTIONS, NOTIFIED, "notification_opens_oldest", "取引「T2」の内容が表示される"),
    Kill(TRANSACTIONS, NOTIFIED, "confirms_every_transaction", "取引「T1」の内容が表示される"),
    Kill(EXPIRED, EXPIRED_AT_LAUNCH, "expired_shows_otp", "「有効期限切れ」画面が表示される"),
    Kill(
        EXPIRED, EXPIRES_WHILE_SHOWN, "password_after_expiry", "ワンタイムパスワードは表示されない"
    ),
    Kill(PIN_CHANGE, NEW_PIN_AT_ONCE, "pin_change_after_restart", "ワンタイムパスワードが変わる"),
]


def _scenario(path: Path, name: str) -> Scenario:
    (feature,) = load_features([path])
    return next(s for s in feature.scenarios if s.name == name)


def _run(impl: Implementation, spec: Spec, scenario: Scenario, *, contracts: bool) -> list:  # type: ignore[type-arg]
    monitor = Monitor(spec) if contracts else None
    context = ScenarioContext(impl, spec, SecretBook(secret_fields(spec)), monitor=monitor)
    run_scenario_steps(context, scenario)
    return context.steps


@pytest.mark.parametrize("kill", KILLS, ids=lambda k: f"{k.mutant}")
class TestEffectScenarios:
    def test_the_reference_passes(self, kill: Kill, spec: Spec) -> None:
        steps = _run(ReferenceApp(spec), spec, _scenario(kill.path, kill.scenario), contracts=True)
        assert [s.status for s in steps] == ["passed"] * len(steps)

    def test_its_own_steps_fail_the_mutant(self, kill: Kill, spec: Spec) -> None:
        app = mutant_named(kill.mutant).build(spec)
        steps = _run(app, spec, _scenario(kill.path, kill.scenario), contracts=False)
        failed = [s for s in steps if s.status != "passed"]
        assert [s.text for s in failed] == [kill.step]

    def test_the_conformance_run_fails_the_mutant_by_its_contract(
        self, kill: Kill, spec: Spec
    ) -> None:
        mutant = mutant_named(kill.mutant)
        steps = _run(mutant.build(spec), spec, _scenario(kill.path, kill.scenario), contracts=True)
        (failed,) = [s for s in steps if s.status != "passed"]
        (contract,) = [c for c in spec.contracts if c.name == mutant.contract]
        # The contract fails the step that shows the wrong effect, before the ならば looks.
        assert (failed.contract, failed.clauses) == (contract.name, contract.sections)
        assert failed.keyword in ("もし", "かつ")

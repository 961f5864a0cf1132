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
SETUP = FEATURES / "1.3.1-トークンが存在しない場合.feature"
RENEWAL = FEATURES / "3.9.1-有効期限まで180日以内の場合.feature"
START = FEATURES / "3.13.1-取引確認を開始する.feature"
CORRECTION = FEATURES / "3.10-パスワードを補正する.feature"
CORRECTED = "端末の時計がずれていると認証できないが、パスワード補正をすると認証できる"
DELETION = FEATURES / "3.4-トークンを削除する.feature"
EARLIER_DELETED = "選択中のトークンより前のトークンを削除しても、選択中のトークンは変わらない"
BY_CONDITION = "codes_only_by_injection"
CONDITIONS = [
    (
        SETUP,
        "サービスが受け付けない古いアプリでは初期設定が S0K1 になり、"
        "アプリのバージョンが表示される",
        "S0K1",
    ),
    (PIN_CHANGE, "サービスが利用不可にしたトークンのPINは変更できず、S1E2 になる", "S1E2"),
    (RENEWAL, "ご利用申請後の初期設定が完了していないと、有効期限の更新は S3B3 になる", "S3B3"),
    (
        RENEWAL,
        "取引確認機能の申し込みが取引確認開始を待っている間は、有効期限の更新は S3D3 になる",
        "S3D3",
    ),
    (START, "取引確認機能の申し込みが失効していると、取引確認開始は S5E2 になる", "S5E2"),
    (
        START,
        "サービスが利用不可にしたトークンでは、取引確認開始は有効ではないトークンの S5D2 になる",
        "S5D2",
    ),
    (
        TRANSACTIONS,
        "ご利用申請後の初期設定が完了していないと、取引情報の取得は S6B3 になる",
        "S6B3",
    ),
    (TRANSACTIONS, "表示した取引がサービスで確認待ちでなくなると、認証確認は S7J5 になる", "S7J5"),
]
"""Scenarios that raise a code of 4.3 by its condition (not by injection)."""
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
    Kill(CORRECTION, CORRECTED, "correction_stores_nothing", "「認証確認完了」画面が表示される"),
    Kill(DELETION, EARLIER_DELETED, "selection_not_shifted", "トークン表示名は「ミレ証券」である"),
    *(
        Kill(path, name, BY_CONDITION, f"エラー「{code}」が表示される")
        for path, name, code in CONDITIONS
    ),
]


def _scenario(path: Path, name: str) -> Scenario:
    (feature,) = load_features([path])
    return next(s for s in feature.scenarios if s.name == name)


def _run(impl: Implementation, spec: Spec, scenario: Scenario, *, contracts: bool) -> list:  # type: ignore[type-arg]
    monitor = Monitor(spec) if contracts else None
    context = ScenarioContext(impl, spec, SecretBook(secret_fields(spec)), monitor=monitor)
    run_scenario_steps(context, scenario)
    return context.steps


@pytest.mark.parametrize("kill", KILLS, ids=lambda k: f"{k.mutant} {k.step}")
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
        if not mutant.contract:  # no contract names the bug: the scenario's own step finds it
            assert (failed.text, failed.contract) == (kill.step, "")
            return
        (contract,) = [c for c in spec.contracts if c.name == mutant.contract]
        # The contract fails the step that shows the wrong effect, before the ならば looks.
        assert (failed.contract, failed.clauses) == (contract.name, contract.sections)
        assert failed.keyword in ("もし", "かつ")

"""The runner: steps sent to an implementation, results recorded, secrets kept out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.run.runner import (
    ScenarioResult,
    check_steps,
    masked_name,
    run_scenario,
    undefined_message,
)
from harness.scenarios.feature import Scenario, Step
from harness.scenarios.gherkin import load_features
from harness.scenarios.text import MASK, Masker, replay_text, scenario_secrets, secret_fields
from harness.vocabulary.phrases import match_step
from statechart.app import AppError
from statechart.model import Spec

LAUNCH = """\
機能: 起動
  @section-2.1 @ASM-030
  シナリオ: 起動する
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    ならば 「{title}」画面が表示される
    かつ ワンタイムパスワードが表示される
"""

SECRETS = ("80417293", "5821", "A7Q9Z3")
SECRET_FEATURE = """\
機能: 秘密の値
  @section-3.1.4
  シナリオアウトライン: ロックとPIN
    前提 「PINバンク」のトークンが登録されている
    かつ 「ミレインターネットバンキング」のトークンが登録されている
    かつ トークン「PINバンク」のPINは「<PIN>」である
    かつ アプリロックコード「80417293」が設定されている
    もし アプリを起動する
    かつ 「アプリロックコード」に「80417293」を入力する
    かつ 「確定」を選択する
    かつ 「PINバンク」を選択する
    かつ 「PIN」に「<PIN>」を入力する
    ならば 「アプリロックコード」は「<PIN>」と表示される

    例:
      | 桁数 | PIN |
      | 4桁 | 5821 |

  @section-1.3.1
  シナリオ: 利用開始パスワード
    前提 プライバシーポリシーに同意済みである
    かつ {applied}
    もし アプリを起動する
    かつ 「利用開始パスワード」に「A7Q9Z3」を入力する
    ならば 「利用開始パスワード」は「A7Q9Z3」と表示される
""".replace(
    "{applied}",
    "「ミレインターネットバンキング」にユーザID「USER0001」、"
    "利用開始パスワード「A7Q9Z3」で申請済みである",
)


def _run(scenario: Scenario, impl: Any, spec: Spec) -> ScenarioResult:
    return run_scenario(impl, scenario, spec=spec)


class TestRunScenario:
    def test_a_passing_scenario_resets_first_and_records_each_step(
        self, write_feature, recorder, spec: Spec
    ) -> None:
        (scenario,) = write_feature(LAUNCH.format(title="ワンタイムパスワード"))
        result = _run(scenario, recorder, spec)
        assert result.status == "passed" and result.message == "" and result.replay() == ""
        assert recorder.ops == ["reset", "launch", "observe", "observe"]
        given, launch, screen, otp = result.steps
        assert (given.status, given.requests) == ("passed", ())
        assert [r["op"] for r in launch.requests] == ["reset", "launch"]
        assert launch.requests[0]["fixture"]["app"]["tokens"][0]["service_id"] == "MIRAI01"
        assert screen.view is not None and screen.view["screen"]["title"] == "ワンタイムパスワード"
        assert otp.expectation.startswith("決まった桁数")
        assert result.duration > 0

    def test_a_failed_expectation_says_expected_and_observed(
        self, write_feature, reference_app, spec: Spec
    ) -> None:
        (scenario,) = write_feature(LAUNCH.format(title="PIN入力"))
        result = _run(scenario, reference_app, spec)
        assert result.status == "failed"
        failed = result.failed_step
        assert failed is not None and failed.line == 7
        assert (failed.expected, failed.observed) == (
            "画面「PIN入力」",
            "画面「ワンタイムパスワード」",
        )
        assert result.message == (
            f"{scenario.feature_path}:7: ならば 「PIN入力」画面が表示される: "
            "期待: 画面「PIN入力」 / 観測: 画面「ワンタイムパスワード」"
        )
        assert result.steps[-1].status == "skipped"

    def test_the_replay_is_a_feature_file_up_to_the_failing_step(
        self, write_feature, reference_app, spec: Spec, tmp_path: Path
    ) -> None:
        (scenario,) = write_feature(LAUNCH.format(title="PIN入力"))
        replay = _run(scenario, reference_app, spec).replay()
        assert replay.startswith("# language: ja\n")
        assert "  @section-2.1 @ASM-030\n  シナリオ: 起動する\n" in replay
        assert replay.splitlines()[-3:] == [
            "    ならば 「PIN入力」画面が表示される",
            "    # 期待: 画面「PIN入力」",
            "    # 観測: 画面「ワンタイムパスワード」",
        ]
        path = tmp_path / "replay.feature"
        path.write_text(replay, encoding="utf-8")
        (again,) = load_features([path], spec)[0].scenarios
        assert _run(again, reference_app, spec).status == "failed"

    def test_an_unknown_step_is_undefined_with_the_nearest_phrases(
        self, write_feature, recorder, spec: Spec
    ) -> None:
        (scenario,) = write_feature(
            LAUNCH.format(title="PIN入力").replace("画面が表示される", "画面を表示される")
        )
        result = _run(scenario, recorder, spec)
        assert result.status == "undefined"
        assert recorder.calls == [], "nothing is sent when a step is undefined"
        assert "未定義のステップ: ならば 「PIN入力」画面を表示される" in result.message
        assert "もしかして: 「プライバシーポリシーの確認」画面が表示される /" in result.message
        assert [s.status for s in result.steps] == ["skipped", "skipped", "undefined", "skipped"]
        assert result.replay().splitlines()[-2] == "    ならば 「PIN入力」画面を表示される"

    def test_a_refused_action_fails_the_step(self, write_feature, reference_app, spec) -> None:
        (scenario,) = write_feature(
            LAUNCH.format(title="ワンタイムパスワード").replace(
                "もし アプリを起動する", "もし アプリを起動する\n    かつ 「次へ」を選択する"
            )
        )
        result = _run(scenario, reference_app, spec)
        assert result.status == "failed"
        assert "実装が要求を拒否しました: not_found: 「次へ」 is not on screen" in result.message

    def test_a_hidden_label_must_also_refuse_a_tap(self, write_feature, recorder, spec) -> None:
        scenarios = write_feature(
            "機能: 表示されない\n"
            "  @section-3.2\n  シナリオ: 隠れている\n"
            "    前提 登録されているトークンがひとつ\n    もし アプリを起動する\n"
            "    ならば 「トークン選択」は表示されない\n"
            "  @section-2.1\n  シナリオ: 出ている\n"
            "    前提 登録されているトークンがひとつ\n    もし アプリを起動する\n"
            "    ならば 「設定」は表示されない\n"
        )
        hidden, shown = (_run(s, recorder, spec) for s in scenarios)
        assert hidden.status == "passed"
        assert [r["op"] for r in hidden.steps[-1].requests] == ["observe", "tap"]
        assert shown.status == "failed" and "「設定」がある" in shown.message

    def test_an_unexpected_exception_is_an_error(self, write_feature, reference_app, spec) -> None:
        class Broken:
            def __getattr__(self, name: str) -> Any:
                return getattr(reference_app, name)

            def launch(self) -> dict[str, Any]:
                raise ZeroDivisionError("boom")

        (scenario,) = write_feature(LAUNCH.format(title="ワンタイムパスワード"))
        result = _run(scenario, Broken(), spec)
        assert result.status == "error"
        assert "予期しない例外: ZeroDivisionError: boom" in result.message

    def test_a_bad_request_is_an_error_not_a_failure(self, write_feature, spec) -> None:
        class Refusing:
            def reset(self, fixture: dict[str, Any]) -> dict[str, Any]:
                raise AppError("bad_request", "fixture: no")

        (scenario,) = write_feature(LAUNCH.format(title="ワンタイムパスワード"))
        result = _run(scenario, Refusing(), spec)
        assert result.status == "error"
        assert "bad_request: fixture: no" in result.message

    def test_an_unsupported_clock_is_an_error_not_a_failure(
        self, write_feature, reference_app, spec
    ) -> None:
        class NoClock:
            def __getattr__(self, name: str) -> Any:
                return getattr(reference_app, name)

            def clock(self, **args: Any) -> dict[str, Any]:
                raise AppError("unsupported", "no virtual clock")

        (scenario,) = write_feature(
            LAUNCH.format(title="ワンタイムパスワード").replace(
                "    ならば", "    かつ 60秒経過する\n    ならば", 1
            )
        )
        result = _run(scenario, NoClock(), spec)
        assert result.status == "error"
        assert "unsupported: no virtual clock" in result.message

    def test_a_given_after_an_action_is_an_error(self, write_feature, reference_app, spec) -> None:
        (scenario,) = write_feature(
            LAUNCH.format(title="ワンタイムパスワード").replace(
                "    ならば", "    前提 アプリロックは未設定\n    ならば", 1
            )
        )
        result = _run(scenario, reference_app, spec)
        assert result.status == "error" and "前提は最初の" in result.message

    def test_comparing_passwords_needs_one_seen_before(
        self, write_feature, reference_app, spec
    ) -> None:
        (scenario,) = write_feature(
            LAUNCH.format(title="ワンタイムパスワード").replace(
                "かつ ワンタイムパスワードが表示される", "かつ ワンタイムパスワードが変わる"
            )
        )
        result = _run(scenario, reference_app, spec)
        assert result.status == "error" and "比べるパスワードがありません" in result.message

    def test_secrets_never_appear_in_results_or_replays(
        self, write_feature, recorder, spec: Spec
    ) -> None:
        results = [_run(s, recorder, spec) for s in write_feature(SECRET_FEATURE)]
        assert [r.status for r in results] == ["failed", "failed"]
        reported = json.dumps([r.as_dict() for r in results], ensure_ascii=False)
        reported += "".join(r.replay() + r.message + repr(r) for r in results)
        for secret in SECRETS:
            assert secret not in reported, secret
        assert MASK in results[0].name and MASK in results[0].replay()
        sent = repr(recorder.calls)
        assert all(secret in sent for secret in SECRETS), "the real values are sent"

    def test_the_same_implementation_runs_scenario_after_scenario(
        self, write_feature, reference_app, spec: Spec
    ) -> None:
        (passing,) = write_feature(LAUNCH.format(title="ワンタイムパスワード"))
        (failing,) = write_feature(LAUNCH.format(title="PIN入力"))
        statuses = [_run(s, reference_app, spec).status for s in (passing, failing, passing)]
        assert statuses == ["passed", "failed", "passed"]


class TestScenarioResult:
    def test_as_dict_is_json(self, write_feature, reference_app, spec: Spec) -> None:
        (scenario,) = write_feature(LAUNCH.format(title="PIN入力"))
        data = json.loads(json.dumps(_run(scenario, reference_app, spec).as_dict()))
        assert (data["status"], data["line"]) == ("failed", 4)
        assert data["tags"] == ["section-2.1", "ASM-030"]
        assert [s["status"] for s in data["steps"]] == ["passed", "passed", "failed", "skipped"]


class TestCheckSteps:
    def test_reports_each_outline_step_once(self, write_feature, spec: Spec, tmp_path) -> None:
        path = tmp_path / "a.feature"
        path.write_text(
            "# language: ja\n機能: a\n  @section-2.1\n  シナリオアウトライン: b\n"
            "    もし <n>秒経過した\n\n    例:\n      | n |\n      | 1 |\n      | 2 |\n",
            encoding="utf-8",
        )
        problems = check_steps(load_features([path], spec))
        assert [(p.line, p.text) for p in problems] == [(5, "1秒経過した")]
        assert "もしかして: 3秒経過する" in problems[0].message


class TestMaskedName:
    def test_outline_values_that_are_secrets_are_masked(self, write_feature, spec) -> None:
        scenario = write_feature(SECRET_FEATURE)[0]
        assert "5821" in scenario.name
        assert masked_name(scenario, spec=spec) == f"ロックとPIN [4桁, {MASK}]"


class TestUndefinedMessage:
    def test_names_the_right_kind(self) -> None:
        message = undefined_message(Step("前提", "アプリを起動する", 3, "given"))
        assert "(これは「もし」のステップです)" in message


class TestMasker:
    def test_masks_standalone_values_only(self) -> None:
        masker = Masker(["7", "1234", ""])
        assert (
            masker.text("「7」 A7 7桁 A914 2026/12/34 1234")
            == f"「{MASK}」 A7 {MASK}桁 A914 2026/12/34 {MASK}"
        )
        assert masker.data({"a": ["1234", 7]}) == {"a": [MASK, 7]}

    def test_no_secrets_changes_nothing(self) -> None:
        assert Masker([]).text("1234") == "1234"


class TestSecretFields:
    def test_the_specs_secret_fields(self, spec: Spec) -> None:
        fields = secret_fields(spec)
        assert {"PIN", "アプリロックコード", "利用開始パスワード", "ログインパスワード"} <= fields
        assert "サービスID" not in fields


class TestScenarioSecrets:
    def test_secret_parameters_and_values_typed_into_secret_fields(self, spec: Spec) -> None:
        texts = [
            ("given", "トークン「PINバンク」のPINは「4321」である"),
            ("when", "「PIN」に「9876」を入力する"),
            ("when", "「サービスID」に「MIRAI01」を入力する"),
        ]
        matches = [match_step(text, kind) for kind, text in texts]
        found = scenario_secrets([m for m in matches if m], secret_fields(spec))
        assert found == {"4321", "9876"}


class TestReplayText:
    def test_one_scenario_with_the_observation_last(self) -> None:
        text = replay_text(
            location="a.feature:3",
            feature_name="機能名",
            name="名前",
            tags=["section-2.1"],
            steps=[Step("もし", "アプリを起動する", 4, "when")],
            observed="B\nC",
            expected="A",
        )
        assert text.splitlines() == [
            "# language: ja",
            "# 再現: a.feature:3",
            "機能: 機能名",
            "",
            "  @section-2.1",
            "  シナリオ: 名前",
            "    もし アプリを起動する",
            "    # 期待: A",
            "    # 観測: B C",
        ]


@pytest.mark.parametrize("title", ["ワンタイムパスワード"])
def test_masked_name_of_a_plain_scenario_is_its_name(write_feature, spec, title: str) -> None:
    (scenario,) = write_feature(LAUNCH.format(title=title))
    assert masked_name(scenario, spec=spec) == "起動する"

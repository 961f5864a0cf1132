"""The otpspec pytest plugin: scenarios as pytest-bdd tests, verdicts, broken files, selection."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_helpers import (
    FAILING,
    LOCK,
    NO_LANGUAGE,
    NO_SECTION,
    PASSING,
    TAPS,
    UNDEFINED,
    RunFeatures,
    impl_command,
    items_by_name,
    results,
    serve_command,
)

from harness.run import plugin
from harness.scenarios.gherkin import MAX_FEATURE_BYTES
from statechart.loader import DEFAULT_SPEC_DIR


class TestScenarios:
    def test_a_passing_scenario_records_each_step(self, run_features: RunFeatures) -> None:
        run = run_features(PASSING)
        run.result.assert_outcomes(passed=1)
        (item,) = results(run.report)["items"]
        assert item["verdict"] == "pass"
        assert item["sections"] == ["2.1"]
        first_action = item["steps"][1]
        assert [r["op"] for r in first_action["requests"]] == ["reset", "launch"]
        # what the app showed is kept where a report shows it: beside a failing step
        assert [step["view"] for step in item["steps"]] == [None] * len(item["steps"])

    def test_a_missed_expectation_is_a_fail_with_its_clause_and_replay(
        self, run_features: RunFeatures
    ) -> None:
        run = run_features(FAILING)
        run.result.assert_outcomes(failed=1)
        output = run.result.stdout.str()
        assert "fail (3.1.2)" in output
        assert "期待: 画面「設定」" in output
        assert "再現するシナリオ:" in output
        # the reference does not follow this scenario either: the scenario's own clause
        # stands, and the message says the scenario may be what is wrong
        assert "参照実装もこのシナリオの11行目に従いません" in output
        assert "Traceback" not in output
        item = items_by_name(run.report)["ロックを解くと設定画面が出るはず"]
        assert (item["verdict"], item["clauses"]) == ("fail", ["3.1.2"])
        assert [s["status"] for s in item["steps"]][-2:] == ["failed", "skipped"]
        assert item["steps"][-2]["view"]["screen"]["title"] == "ワンタイムパスワード"

    def test_the_printed_replay_replays_the_failure(
        self, run_features: RunFeatures, tmp_path: Path
    ) -> None:
        first = items_by_name(run_features(FAILING).report)["ロックを解くと設定画面が出るはず"]
        replay = first["replay"]
        assert LOCK in replay  # test data is shown: without it the replay would not replay
        again = run_features(replay)
        again.result.assert_outcomes(failed=1)
        (second,) = results(again.report)["items"]
        failed = [s for s in second["steps"] if s["status"] == "failed"]
        assert [s["text"] for s in failed] == ["「設定」画面が表示される"]
        assert failed[0]["expected"] == next(
            s["expected"] for s in first["steps"] if s["status"] == "failed"
        )

    def test_an_undefined_step_fails_its_scenario_with_the_nearest_phrases(
        self, run_features: RunFeatures
    ) -> None:
        run = run_features(UNDEFINED, PASSING)
        run.result.assert_outcomes(passed=1, errors=1)
        output = run.result.stdout.str()
        assert "case1.feature:7: 未定義のステップ: もし アプリを起動しる" in output
        assert "もしかして: アプリを起動する" in output
        item = items_by_name(run.report)["書き間違える"]
        assert (item["verdict"], item["sections"]) == ("error", ["2.2"])


class TestBrokenFeatureFiles:
    def test_a_file_without_language_fails_one_test_and_the_rest_run(
        self, run_features: RunFeatures
    ) -> None:
        run = run_features(NO_LANGUAGE, PASSING)
        run.result.assert_outcomes(passed=1, errors=1)
        output = run.result.stdout.str()
        assert "case1.feature::test_フィーチャファイル" in output
        assert "`# language: ja` がありません" in output

    def test_a_file_over_the_size_limit_fails_its_test_unread(
        self, run_features: RunFeatures
    ) -> None:
        huge = PASSING + "#" * MAX_FEATURE_BYTES + "\n"
        run = run_features(huge, PASSING)
        run.result.assert_outcomes(passed=1, errors=1)
        assert "ファイルが大きすぎます" in run.result.stdout.str()
        (refused,) = [i for i in results(run.report)["items"] if i["verdict"] == "error"]
        assert refused["path"].endswith("case1.feature")

    def test_a_scenario_without_a_section_tag_fails_alone(self, run_features: RunFeatures) -> None:
        run = run_features(NO_SECTION)
        run.result.assert_outcomes(passed=1, errors=1)
        assert "節のタグがありません" in run.result.stdout.str()
        verdicts = {name: i["verdict"] for name, i in items_by_name(run.report).items()}
        assert verdicts["タグがある"] == "pass"


class TestSelection:
    def test_tags_are_markers(self, run_features: RunFeatures) -> None:
        run = run_features(PASSING, TAPS, args=["-m", "section-3.3"])
        run.result.assert_outcomes(passed=1, deselected=2)

    def test_a_section_selects_its_subsections(self, run_features: RunFeatures) -> None:
        run = run_features(PASSING, TAPS, FAILING, args=["--otpspec-section", "3"])
        run.result.assert_outcomes(passed=1, failed=1, deselected=2)

    def test_k_selects_by_name(self, run_features: RunFeatures) -> None:
        run = run_features(PASSING, TAPS, args=["-k", "設定を開く"])
        run.result.assert_outcomes(passed=1, deselected=2)

    def test_generated_checks_and_walks_carry_their_sections(
        self, run_features: RunFeatures
    ) -> None:
        args = [str(DEFAULT_SPEC_DIR), "-m", "section-3.11 or differential", "--collect-only"]
        run = run_features(PASSING, args=args, quick=False)
        collected = run.result.stdout.str()
        assert "statechart.yaml::G" in collected
        assert "statechart.yaml::差分 fresh" in collected
        assert "case1.feature" not in collected


class TestImplementations:
    def test_a_crash_is_an_error_and_the_next_scenario_still_runs(
        self, run_features: RunFeatures
    ) -> None:
        run = run_features(TAPS, args=["--otpspec-impl", impl_command("crashes_on_tap.py")])
        run.result.assert_outcomes(failed=1, errors=1)  # the console counts errors apart
        items = items_by_name(run.report)
        crashed = items["設定を開く"]
        assert crashed["verdict"] == "error"
        assert crashed["implementation_failure"]["kind"] == "crashed"
        assert "crashes_on_tap: tapped" in crashed["implementation_failure"]["stderr_tail"]
        after = items["次のシナリオも走る"]
        assert after["verdict"] == "fail"  # the minimal implementation never shows a screen
        assert after["steps"][1]["requests"][0]["op"] == "reset"

    def test_an_implementation_that_cannot_start(self, run_features: RunFeatures) -> None:
        run = run_features(PASSING, TAPS, args=["--otpspec-impl", "/nonexistent/otp-app"])
        run.result.assert_outcomes(errors=3)
        data = results(run.report)
        assert "/nonexistent/otp-app" in data["implementation"]["start_failure"]
        assert {item["verdict"] for item in data["items"]} == {"error"}


class TestOptions:
    @pytest.mark.parametrize(
        ("args", "said"),
        [
            (["--otpspec-walks", "0"], "--otpspec-walks: give between 1 and 100000 walks"),
            (["--otpspec-walks", "1e6"], "--otpspec-walks: '1e6' is not a number of walks"),
            (["--otpspec-walks", "100001"], "from each starting point, not 100001"),
            (["--otpspec-timeout", "inf"], "--otpspec-timeout: give seconds above 0 and at most"),
            (["--otpspec-start-timeout", "0"], "--otpspec-start-timeout: give seconds above 0"),
            (["--otpspec-start-timeout", "x"], "--otpspec-start-timeout: 'x' is not a number"),
            (["--otpspec-features", "/dev/zero"], "/dev/zero is a character device, not a feature"),
            (["--otpspec-spec", "/dev/null"], "--otpspec-spec: /dev/null is a character device"),
            (["--otpspec-declaration", "/"], "--otpspec-declaration: / is a directory, not a file"),
        ],
    )
    def test_a_bad_value_is_a_usage_error(
        self, run_features: RunFeatures, args: list[str], said: str
    ) -> None:
        run = run_features(PASSING, args=args)
        assert run.result.ret == pytest.ExitCode.USAGE_ERROR
        err = run.result.stderr.str()
        assert said in err and "Traceback" not in err

    def test_the_start_timeout_is_the_request_timeout_unless_given(
        self, run_features: RunFeatures
    ) -> None:
        run = run_features(PASSING, args=["--otpspec-timeout", "7"])
        assert results(run.report)["run"]["start_timeout"] == 7.0
        run = run_features(PASSING, args=["--otpspec-start-timeout", "90", "--otpspec-walks", "3"])
        assert results(run.report)["run"]["start_timeout"] == 90.0
        assert results(run.report)["run"]["walks"] == 3


PIN_SCENARIO = """\
# language: ja
機能: PINを変更する

  @section-3.8
  シナリオ: 設定メニューからPIN変更画面を開く
    前提 トークン「PINバンク」のPINは「1234」である
    もし アプリを起動する
"""


class TestDeclaration:
    def _declaration(self, folder: Path, capabilities: str, deviations: str = "") -> Path:
        path = folder / "declaration.yaml"
        text = f"declaration: 1\nimplementation:\n  name: x\ncapabilities:\n{capabilities}"
        path.write_text(text + deviations, encoding="utf-8")
        return path

    def test_an_absent_capability_makes_its_checks_not_applicable(
        self, run_features: RunFeatures, tmp_path: Path
    ) -> None:
        declaration = self._declaration(tmp_path, "  pin_tokens: false\n")
        run = run_features(PASSING, PIN_SCENARIO, args=["--otpspec-declaration", str(declaration)])
        # The console counts the verdict apart (pytest's outcome is "skipped").
        outcomes = run.result.parseoutcomes()
        assert (outcomes["passed"], outcomes["not_applicable"]) == (1, 1)
        items = items_by_name(run.report)
        assert items["設定メニューからPIN変更画面を開く"]["verdict"] == "not applicable"
        assert items["設定メニューからPIN変更画面を開く"]["extra"]["capability"] == "pin_tokens"

    def test_a_declared_deviation_that_never_happens_raises_an_alarm(
        self, run_features: RunFeatures, tmp_path: Path
    ) -> None:
        deviation = "deviations:\n  - assumption: ASM-035\n    reason: the manual's picture\n"
        declaration = self._declaration(tmp_path, "  ios: true\n", deviation)
        run = run_features(PASSING, args=["--otpspec-declaration", str(declaration)])
        run.result.assert_outcomes(passed=1)
        assert "ALARM deviation not seen: ASM-035" in run.result.stdout.str()
        (alarm,) = results(run.report)["alarms"]
        assert alarm["subject"] == "ASM-035"

    def test_a_bad_declaration_is_a_usage_error_naming_the_line(
        self, run_features: RunFeatures, tmp_path: Path
    ) -> None:
        declaration = self._declaration(tmp_path, "  no_such_capability: false\n")
        run = run_features(PASSING, args=["--otpspec-declaration", str(declaration)])
        assert run.result.ret == 4
        assert "declaration.yaml:5" in run.result.stderr.str()


REPEATED_CORRECTION = """\
# language: ja
機能: パスワードを補正する

  @section-3.10 @section-4.3 {tags}
  シナリオ: 続けて補正する
    前提 登録されているトークンがひとつ
    かつ 端末の時計が300秒進んでいる
    もし アプリを起動する
    かつ 「設定」を選択する
    かつ 「パスワード補正」を選択する
    かつ 「実行」を選択する
    かつ 「設定メニューに戻る」を選択する
    かつ 「パスワード補正」を選択する
    かつ 「実行」を選択する
    ならば エラー「S4H9」が表示される
"""


class TestGrading:
    """A broken expectation is a fail or a deviation by its grounds (docs/grading.md)."""

    def _run(self, run_features: RunFeatures, tags: str) -> dict[str, object]:
        mutant = f"{serve_command()} --mutant no_s4h9"  # corrections may repeat at once
        run = run_features(REPEATED_CORRECTION.format(tags=tags), args=["--otpspec-impl", mutant])
        return items_by_name(run.report)["続けて補正する"]

    def test_an_assumed_ground_makes_a_deviation_tagged_or_not(
        self, run_features: RunFeatures
    ) -> None:
        item = self._run(run_features, "")
        assert (item["verdict"], item["deviates_from"]) == ("deviation", ["ASM-063"])

    def test_a_disclaimed_assumption_leaves_the_manuals_fail(
        self, run_features: RunFeatures
    ) -> None:
        item = self._run(run_features, "@not-ASM-063")
        assert item["verdict"] == "fail"
        assert "ASM-063" not in item["clauses"]

    def test_generated_checks_and_walks_are_graded_by_their_grounds(
        self, run_features: RunFeatures
    ) -> None:
        # Renewal adds 180 days: what a renewal adds is ASM-010's decision alone.
        mutant = f"{serve_command()} --mutant renewal_adds_180_days"
        args = ["--otpspec-impl", mutant, str(DEFAULT_SPEC_DIR), "-k", "near_expiry"]
        run = run_features(PASSING, args=args, quick=False)
        graded = [i for i in results(run.report)["items"] if i["verdict"] != "pass"]
        assert {i["kind"] for i in graded} == {"generated", "differential"}
        for item in graded:
            assert (item["verdict"], item["deviates_from"]) == ("deviation", ["ASM-010"])
            failed = next(s for s in item["steps"] if s["status"] == "failed")
            assert (
                failed["assumptions"] == ["ASM-010"] and "deviation: ASM-010" in failed["message"]
            )

    def test_a_contract_breach_reddens_the_items_own_section(
        self, run_features: RunFeatures
    ) -> None:
        # deletion_removes_that_token cites 3.4, 3.9.2 and 3.9.3; a 3.4 scenario breaks 3.4.
        mutant = f"{serve_command()} --mutant deletes_the_next_token"
        run = run_features(DELETION, args=["--otpspec-impl", mutant])
        item = items_by_name(run.report)["真ん中のトークンを削除する"]
        failed = next(s for s in item["steps"] if s["status"] == "failed")
        assert failed["contract"] == "deletion_removes_that_token"
        assert (item["verdict"], item["clauses"]) == ("fail", ["3.4"])


DELETION = """\
# language: ja
機能: 削除
  @section-3.4
  シナリオ: 真ん中のトークンを削除する
    前提 「ミレインターネットバンキング」のトークンが登録されている
    かつ 「ミレ証券」のトークンが登録されている
    かつ 「ミレ生命」のトークンが登録されている
    かつ アプリロックは未設定
    もし アプリを起動する
    かつ 「ミレインターネットバンキング」を選択する
    かつ 「設定」を選択する
    かつ 「トークン削除」を選択する
    かつ 「ミレ証券」を選択する
    かつ 「削除」を選択する
    かつ 「トークン削除」を選択する
    ならば トークン一覧は「ミレインターネットバンキング」「ミレ生命」である
"""


TRANSACTION_TAB = """\
# language: ja
機能: 取引確認のタブ

  @section-2.1
  シナリオ: 取引確認を提供するサービスのトークン
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    ならば 「取引確認開始」が表示される
"""


class TestDeclarationRewrites:
    """docs/declaration.md, step 1: fixtures become the manual's case without the capability."""

    def _declare(self, folder: Path, capability: str) -> Path:
        path = folder / "declaration.yaml"
        text = f"declaration: 1\nimplementation:\n  name: x\ncapabilities:\n  {capability}: false\n"
        path.write_text(text, encoding="utf-8")
        return path

    def test_the_remaining_generated_checks_run_on_the_rewritten_fixtures(
        self, run_features: RunFeatures, tmp_path: Path
    ) -> None:
        declaration = self._declare(tmp_path, "pin_tokens")
        args = ["--otpspec-declaration", str(declaration), str(DEFAULT_SPEC_DIR)]
        run = run_features(PASSING, args=[*args, "--otpspec-no-differential"], quick=False)
        generated = [i for i in results(run.report)["items"] if i["kind"] == "generated"]
        verdicts = {(i["name"].split()[1], i["verdict"]) for i in generated}
        assert ("fresh", "pass") in verdicts and ("fresh", "not applicable") not in verdicts
        # A stored PIN token has no case without PIN tokens: that fixture stays, and needs it.
        assert {v for name, v in verdicts if name == "pin_and_lock"} == {"not applicable"}
        # A PIN service yet to issue has one (a service without PINs): its checks run.
        assert ("pin_fresh", "pass") in verdicts

    def test_a_scenario_that_needs_the_capability_through_its_fixture_is_not_applicable(
        self, run_features: RunFeatures, tmp_path: Path
    ) -> None:
        declaration = self._declare(tmp_path, "transaction_confirmation")
        run = run_features(
            TRANSACTION_TAB, PASSING, args=["--otpspec-declaration", str(declaration)]
        )
        items = items_by_name(run.report)
        tab = items["取引確認を提供するサービスのトークン"]
        assert (tab["verdict"], tab["extra"]["capability"]) == (
            "not applicable",
            "transaction_confirmation",
        )
        reset = items["起動するとワンタイムパスワードが出る"]["steps"][1]["requests"][0]
        assert reset["fixture"]["services"][0]["transaction_confirmation"] is False


class TestInterruptedWhileStarting:
    def test_a_signal_while_the_checks_are_computed_still_leaves_this_runs_reports(
        self, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Ctrl-C in the seconds a first run spends on the generated checks: pytest would
        end the session without pytest_sessionfinish, leaving no report of this run."""

        def interrupted(*args: object) -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(plugin, "generated_checks", interrupted)
        (pytester.path / "case.feature").write_text(PASSING, encoding="utf-8")
        report = pytester.path / "reports"
        result = pytester.runpytest_inprocess(
            str(pytester.path / "case.feature"), "--otpspec-report", str(report),
            "--otpspec-no-differential", "-p", "no:cacheprovider", no_reraise_ctrlc=True,
        )  # fmt: skip
        assert result.ret == pytest.ExitCode.INTERRUPTED
        data = results(report)
        assert (data["interrupted"], data["ok"], data["items"]) == (True, False, [])

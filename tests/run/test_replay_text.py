"""The text of a printed reproduction scenario (harness.scenarios.text)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.scenarios.text import replay_text


@dataclass(frozen=True)
class _Step:
    keyword: str
    text: str


class TestReplayText:
    def test_the_background_and_the_scenario_join_into_one_run_of_steps(self) -> None:
        steps = [
            _Step("前提", "アプリロックは未設定"),
            _Step("かつ", "登録されているトークンがひとつ"),
            _Step("前提", "アプリロックコード「1234」が設定されている"),
            _Step("もし", "アプリを起動する"),
            _Step("もし", "「設定」を選択する"),
            _Step("ならば", "「設定メニュー」画面が表示される"),
        ]
        text = replay_text(
            location="f.feature:3", feature_name="F", name="S", tags=["section-3.5"],
            steps=steps, observed="画面「ワンタイムパスワード」", expected="画面「設定メニュー」",
        )  # fmt: skip
        assert text.splitlines()[4:] == [
            "  @section-3.5",
            "  シナリオ: S",
            "    前提 アプリロックは未設定",
            "    かつ 登録されているトークンがひとつ",
            "    かつ アプリロックコード「1234」が設定されている",
            "    もし アプリを起動する",
            "    かつ 「設定」を選択する",
            "    ならば 「設定メニュー」画面が表示される",
            "    # 期待: 画面「設定メニュー」",
            "    # 観測: 画面「ワンタイムパスワード」",
        ]

"""What the implementation showed, in the records: kept and masked beside an item that did
not pass, dropped from one that passed (outcomes.finish_report)."""

from __future__ import annotations

import json
import shlex
import sys

from run_helpers import RunFeatures, items_by_name

from harness.run.secrets import MASK

PIN_TYPED = """\
# language: ja
機能: PINの入力

  @section-3.1.3
  シナリオ: 入力したPINはマスク表示される
    前提 「PINバンク」のトークンが登録されている
    かつ アプリロックは未設定
    かつ トークン「PINバンク」のPINは「4321」である
    もし アプリを起動する
    かつ 「PIN」に「4321」を入力する
    ならば 「PIN」はマスク表示される
"""

_MUTANT = shlex.join([sys.executable, "-m", "harness.cli", "serve", "--mutant", "pin_in_clear"])


class TestViewsInRecords:
    def test_a_failing_item_keeps_its_views_with_the_secret_it_showed_masked(
        self, run_features: RunFeatures
    ) -> None:
        run = run_features(PIN_TYPED, args=["--otpspec-impl", _MUTANT])
        run.result.assert_outcomes(failed=1)
        item = items_by_name(run.report)["入力したPINはマスク表示される"]
        views = [step["view"] for step in item["steps"] if step["view"] is not None]
        assert item["verdict"] == "fail" and len(views) >= 2
        shown = json.dumps(views, ensure_ascii=False)
        assert MASK in shown and "4321" not in shown

    def test_a_passing_item_keeps_none(self, run_features: RunFeatures) -> None:
        run = run_features(PIN_TYPED)
        run.result.assert_outcomes(passed=1)
        (item,) = items_by_name(run.report).values()
        assert [step["view"] for step in item["steps"]] == [None] * len(item["steps"])

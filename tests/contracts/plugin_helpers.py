"""What the contract tests through the plugin share: features that walk into a contract,
the command that serves a mutant, and results.json read back.

(A module of its own: `from conftest import …` finds whichever test directory's conftest
was imported first.)
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class PluginRun:
    """pytest run with the plugin: its result and the report directory."""

    result: pytest.RunResult
    report: Path

    def results(self) -> dict[str, Any]:
        """The run's results.json."""
        data: dict[str, Any] = json.loads((self.report / "results.json").read_text("utf-8"))
        return data

    def items(self) -> dict[str, dict[str, Any]]:
        """The items of results.json by name."""
        return {item["name"]: item for item in self.results()["items"]}


RunOtpspec = Callable[..., PluginRun]


def serve_command(mutant: str | None = None) -> str:
    """`otpspec serve [--mutant NAME]` from this interpreter, as an --otpspec-impl value."""
    argv = [sys.executable, "-m", "harness.cli", "serve"]
    return shlex.join(argv if mutant is None else [*argv, "--mutant", mutant])


def failed_steps(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps of a results.json item that failed."""
    return [step for step in item["steps"] if step["status"] == "failed"]


PIN_CHANGE = """\
# language: ja
機能: PINを変更する

  背景:
    前提 「PINバンク」のトークンが登録されている
    かつ トークン「PINバンク」のPINは「4321」である

  @section-3.8
  シナリオ: 変更したPINでパスワードが計算される
    もし アプリを起動する
    かつ 「PIN」に「4321」を入力する
    かつ 「確定」を選択する
    かつ 「設定」を選択する
    かつ 「PINの変更」を選択する
    かつ 「現在のPIN」に「4321」を入力する
    かつ 「新しいPIN」に「5678」を入力する
    かつ 「新しいPIN(確認用)」に「5678」を入力する
    かつ 「送信」を選択する
    ならば 「PIN変更完了」画面が表示される
    もし 「ワンタイムパスワード」を選択する
    ならば ワンタイムパスワードが表示される

  @section-3.8
  シナリオ: PINの変更画面を開いて戻る
    もし アプリを起動する
    かつ 「PIN」に「4321」を入力する
    かつ 「確定」を選択する
    かつ 「設定」を選択する
    ならば 「設定メニュー」画面が表示される
"""
"""Two scenarios of 3.8: only the first walks into pin_change_takes_effect."""

PIN_CHANGE_BREAKS_AT = "「ワンタイムパスワード」を選択する"
"""The step of PIN_CHANGE's first scenario where the old PIN shows (a もし step)."""

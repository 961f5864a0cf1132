"""What the run tests share: sample features, implementations to drive, and `otpspec` run
in process. (A module of its own: `from conftest import …` finds whichever test directory's
conftest was imported first.)"""

from __future__ import annotations

import contextlib
import io
import json
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from repo_paths import REPO_ROOT

from harness.cli import commands as cli

IMPLS = REPO_ROOT / "tests" / "adapters" / "impls"
DATA = REPO_ROOT / "tests" / "data"
LOCK = "80417293"

PASSING = """\
# language: ja
機能: 起動する

  @section-2.1
  シナリオ: 起動するとワンタイムパスワードが出る
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    ならば 「ワンタイムパスワード」画面が表示される
"""

FAILING = f"""\
# language: ja
機能: わざと間違えた期待

  @section-3.1.2
  シナリオ: ロックを解くと設定画面が出るはず
    前提 登録されているトークンがひとつ
    かつ アプリロックコード「{LOCK}」が設定されている
    もし アプリを起動する
    かつ 「アプリロックコード」に「{LOCK}」を入力する
    かつ 「確定」を選択する
    ならば 「設定」画面が表示される
    かつ エラーは表示されない
"""

UNDEFINED = """\
# language: ja
機能: 未定義のステップ

  @section-2.2
  シナリオ: 書き間違える
    前提 登録されているトークンがひとつ
    もし アプリを起動しる
"""

NO_SECTION = """\
# language: ja
機能: 節のタグのないシナリオ

  シナリオ: タグがない
    前提 登録されているトークンがひとつ
    もし アプリを起動する

  @section-2.1
  シナリオ: タグがある
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    ならば 「ワンタイムパスワード」画面が表示される
"""

NO_LANGUAGE = """\
機能: 言語の行がない

  @section-2.1
  シナリオ: 起動する
    前提 登録されているトークンがひとつ
    もし アプリを起動する
"""

TAPS = """\
# language: ja
機能: 設定を開く

  @section-3.3
  シナリオ: 設定を開く
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    かつ 「設定」を選択する
    ならば 「設定メニュー」画面が表示される

  @section-2.1
  シナリオ: 次のシナリオも走る
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    ならば 「ワンタイムパスワード」画面が表示される
"""

QUICK = ["--otpspec-no-generated", "--otpspec-no-differential", "-p", "no:cacheprovider"]
"""pytest arguments that keep a plugin run to the scenarios."""


def impl_command(script: str) -> str:
    """A test implementation of tests/adapters/impls as a command line."""
    return shlex.join([sys.executable, str(IMPLS / script)])


def serve_command() -> str:
    """`otpspec serve` from this interpreter's environment."""
    script = Path(sys.executable).with_name("otpspec")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "harness.cli"]
    return shlex.join([*argv, "serve"])


@dataclass(frozen=True)
class PluginRun:
    """pytest run with the plugin: its result, the report directory, the features written."""

    result: pytest.RunResult
    report: Path
    features: Path


RunFeatures = Callable[..., PluginRun]


@dataclass(frozen=True)
class CliRun:
    """One `otpspec …` run in process: exit code, stdout, stderr."""

    code: int
    out: str
    err: str


def run_cli(*args: str) -> CliRun:
    """Runs `otpspec <args>` in process and captures what it prints."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(list(args))
        except SystemExit as exit_:  # argparse's own errors
            code = int(exit_.code or 0)
    return CliRun(code, out.getvalue(), err.getvalue())


def results(report: Path) -> dict[str, Any]:
    """A report directory's results.json."""
    data: dict[str, Any] = json.loads((report / "results.json").read_text(encoding="utf-8"))
    return data


def items_by_name(report: Path) -> dict[str, dict[str, Any]]:
    """The items of a results.json by name."""
    return {item["name"]: item for item in results(report)["items"]}

"""Helpers of the conform tests: sample features and `otpspec` run in process.

A module of its own (not conftest.py): tests/spec imports names from its conftest, and
two modules named `conftest` cannot both be imported by name.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from repo_paths import REPO_ROOT

from harness.cli import commands as cli

FEATURES = REPO_ROOT / "features"
IMPLS = REPO_ROOT / "tests" / "adapters" / "impls"
SECRET = "80417293"

SAMPLE = f"""\
# language: ja
機能: 試験用の機能

  @section-2.1
  シナリオ: 起動するとワンタイムパスワードが出る
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    ならば 「ワンタイムパスワード」画面が表示される

  @section-3.1.2
  シナリオ: わざと間違えた期待
    前提 登録されているトークンがひとつ
    かつ アプリロックコード「{SECRET}」が設定されている
    もし アプリを起動する
    かつ 「アプリロックコード」に「{SECRET}」を入力する
    ならば 「設定」画面が表示される
"""

UNDEFINED = """\
# language: ja
機能: 未定義のステップ

  @section-2.2
  シナリオ: 踊る
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    かつ 踊る
"""

CRASH = """\
# language: ja
機能: 落ちる実装

  @section-2.1
  シナリオ: 起動してタップする
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    かつ 「設定」を選択する

  @section-2.2
  シナリオ: 次のシナリオも走る
    前提 登録されているトークンがひとつ
    もし アプリを起動する
"""


@dataclass(frozen=True)
class CliRun:
    """One `otpspec …` run in process: exit code, stdout, stderr, the report directory."""

    code: int
    out: str
    err: str
    report: Path


RunCli = Callable[..., CliRun]


def run_cli(*args: str, report: Path | None = None) -> CliRun:
    """Runs `otpspec <args>` in process (with `--report` when given) and captures it."""
    argv = [*args, "--report", str(report)] if report is not None else list(args)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exit_:  # argparse's own errors
            code = int(exit_.code or 0)
    return CliRun(code, out.getvalue(), err.getvalue(), report or Path())


def served_label() -> str:
    """The report subdirectory of the `serve_command()` run (`otpspec-serve` in a venv)."""
    argv = shlex.split(serve_command())
    words = [Path(word).name or word for word in argv]
    return re.sub(r"[^A-Za-z0-9._]+", "-", "-".join(words)).strip("-.")[:60]


def serve_command() -> str:
    """`otpspec serve` from this interpreter's environment."""
    script = Path(sys.executable).with_name("otpspec")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "harness.cli"]
    return shlex.join([*argv, "serve"])


def impl_command(script: str) -> str:
    """A misbehaving test implementation of tests/adapters/impls as a command line."""
    return shlex.join([sys.executable, str(IMPLS / script)])

"""Misbehaving implementations run through the plugin: each ends in a verdict with evidence.

Every implementation of tests/adapters/impls (and a few one-line commands) runs the same
four scenarios with the otpspec plugin (pytester, in process) and a short timeout. Each
(implementation, item) is a probe; it holds when the item ends in a verdict (pass, fail,
error) whose record carries the expected evidence, the run took seconds, no traceback
and no "unexpected exception" shows, and no process of the implementation is left.
Run with `-s` to see the counts.
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from test_misbehaving import leftovers

IMPLS = Path(__file__).resolve().parent / "impls"
FEATURE = """\
# language: ja
機能: 起動して設定を開く

  @section-3.3
  シナリオ: 設定を開く
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    かつ 「設定」を選択する
    ならば 「設定メニュー」画面が表示される

  @section-2.1
  シナリオ: 起動する
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    ならば 「ワンタイムパスワード」画面が表示される

  @section-2.1
  シナリオ: もう一度起動する
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    ならば 「ワンタイムパスワード」画面が表示される

  @section-3.3
  シナリオ: もう一度設定を開く
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    かつ 「設定」を選択する
    ならば 「設定メニュー」画面が表示される
"""
SCENARIOS = 4
COUNTS: Counter[str] = Counter()


def _script(name: str, *args: str) -> str:
    return shlex.join([sys.executable, str(IMPLS / name), *args])


def _python(code: str) -> str:
    return shlex.join([sys.executable, "-c", code])


@dataclass(frozen=True)
class Case:
    """An implementation, the verdicts its items may end in, and the evidence expected."""

    command: str
    verdicts: frozenset[str]
    evidence: tuple[str, ...] = ()
    timeout: float = 5.0
    seconds: float = 30.0


def _case(command: str, verdicts: str, *evidence: str, timeout: float = 5.0) -> Case:
    """A case; `timeout` is the run's (it also bounds the start: a hang costs it each time)."""
    return Case(command, frozenset(verdicts.split()), evidence, timeout)


CASES: dict[str, Case] = {
    "reference over serve": _case(
        shlex.join([sys.executable, "-m", "harness.cli", "serve"]), "pass"
    ),
    "closed app": _case(_script("minimal_impl.py"), "fail", "観測: アプリは終了している"),
    "always ok": _case(
        _script("always_ok.py"),
        "error",
        "garbage",
        "実装を使えません: implementation broken after 3",  # it started: not "cannot start"
    ),
    "invalid views": _case(
        _script("invalid_views.py"), "error", "required key 'elements'", "broken after 3"
    ),
    "crashes on tap": _case(_script("crashes_on_tap.py"), "fail error", "exited with status 3"),
    "hangs on launch": _case(
        _script("hangs_on_launch.py"), "error", "no answer within 2 s", timeout=2
    ),
    "writes garbage": _case(_script("writes_garbage.py"), "error", "'NOT JSON xxx"),
    "wrong id": _case(_script("wrong_id.py"), "error", "the answer has id"),
    "old protocol": _case(_script("old_protocol.py"), "error", "speaks protocol 0"),
    "floods a long line": _case(_script("floods_stdout.py", "long"), "error", "over 1048576"),
    "answers twice": _case(_script("floods_stdout.py", "twice"), "error", "more than one line"),
    "chatty stderr": _case(_script("chatty_stderr.py"), "fail"),
    "ignores SIGTERM": _case(_script("ignores_sigterm.py"), "fail"),
    "setsid helper": _case(_script("setsid_helper.py"), "fail"),
    "setsid helper, crash": _case(
        _script("setsid_helper.py", "crash", "double"),
        "fail error",
        "still holds its stdout open",
    ),
    "closes stdin": _case(_script("closes_stdin.py"), "fail error", "closed its stdin"),
    "stray stdout": _case(_script("stray_stdout.py"), "error", "stray output to stdout"),
    "stray stdout, split": _case(_script("stray_stdout.py", "split"), "error", "stray output"),
    "half a line, hangs": _case(
        _script("partial_line.py", "hang"), "error", "no answer within 2 s", timeout=2
    ),
    "half a line, exits": _case(
        _script("partial_line.py", "exit"), "error", "in the middle of the line"
    ),
    "not found": _case("/nonexistent/otp-app", "error", "実装を起動できません", "it was not found"),
    "not executable": _case(str(IMPLS / "minimal_impl.py"), "error", "is not executable"),
    "exits at once": _case(_python("import sys; sys.exit(3)"), "error", "exited with status 3"),
    "never greets": _case(
        _python("import time; time.sleep(60)"), "error", "no answer within 2 s", timeout=2
    ),
    "greets with garbage": _case(
        _python("import sys; sys.stdin.readline(); print('hello?', flush=True); sys.stdin.read()"),
        "error",
        "'hello?'",
    ),
    "killed by a signal": _case(
        _python("import os, signal, sys; sys.stdin.readline(); os.kill(os.getpid(), 9)"),
        "error",
        "killed by signal SIGKILL",
    ),
}


def _messages(item: dict[str, Any]) -> str:
    failure = item.get("implementation_failure") or {}
    parts = [item["message"], failure.get("message", "")]
    parts += [step.get("message", "") for step in item["steps"]]
    return "\n".join(parts)


@pytest.mark.parametrize("name", list(CASES))
def test_a_misbehaving_implementation_ends_in_verdicts(
    pytester: pytest.Pytester, name: str
) -> None:
    case = CASES[name]
    folder = pytester.path / "features"
    folder.mkdir()
    (folder / "cases.feature").write_text(FEATURE, encoding="utf-8")
    report = pytester.path / "reports"
    started = time.monotonic()
    result = pytester.runpytest_inprocess(
        str(folder),
        "--otpspec-impl", case.command, "--otpspec-timeout", str(case.timeout),
        "--otpspec-report", str(report), "--otpspec-no-generated", "--otpspec-no-differential",
        "--otpspec-no-diagrams", "-p", "no:cacheprovider",
    )  # fmt: skip
    seconds = time.monotonic() - started
    items = json.loads((report / "results.json").read_text("utf-8"))["items"]
    COUNTS["implementations"] += 1
    COUNTS["tried"] += len(items)
    output = result.stdout.str() + result.stderr.str()
    assert len(items) == SCENARIOS, output[-3000:]
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED), output[-3000:]
    assert seconds < case.seconds, f"{seconds:.1f} s"
    assert "Traceback" not in output and "予期しない例外" not in output, output[-3000:]
    assert {item["verdict"] for item in items} <= case.verdicts, [i["verdict"] for i in items]
    found = "\n".join(_messages(item) for item in items)
    for evidence in case.evidence:
        assert evidence in found, found[-3000:]
    assert not leftovers(), "processes left behind"
    COUNTS["held"] += len(items)
    COUNTS[f"seconds {name}"] = round(seconds, 1)


def teardown_module() -> None:
    slowest = max((v, k.removeprefix("seconds ")) for k, v in COUNTS.items() if "seconds" in k)
    print(
        f"\nmisbehaving implementations: {COUNTS['implementations']} run, "
        f"{COUNTS['tried']} probes tried, {COUNTS['held']} held; slowest: {slowest[1]} "
        f"({slowest[0]} s)"
    )

"""`otpspec conform` under real signals, and reports that always belong to one run.

Issue 13, items 14 and 15. Each test runs conform as a process on a few scenarios against
tests/adapters/impls/signal_target.py, which says in files where it is (started, hanging
on launch, at the end of its input), and sends SIGINT or SIGTERM with os.kill. Afterwards:
exit status 130, no traceback, the implementation and its child ended (a stubborn one
that ignores SIGTERM too), and a report directory whose files all describe one run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import psutil

IMPLS = Path(__file__).resolve().parent / "impls"
REPO = Path(__file__).resolve().parents[2]
SCENARIO = """\
  @section-2.1
  シナリオ: 起動する{number}
    前提 登録されているトークンがひとつ
    もし アプリを起動する
    ならば 「ワンタイムパスワード」画面が表示される
"""
WAIT = 60.0  # for a busy machine; a run here takes a few seconds


def _features(folder: Path, scenarios: int) -> Path:
    folder.mkdir()
    body = "\n".join(SCENARIO.format(number=number) for number in range(scenarios))
    (folder / "launch.feature").write_text(f"# language: ja\n機能: 起動\n\n{body}", "utf-8")
    return folder


def _start(
    tmp: Path, features: Path, report: Path, *modes: str, impl: list[str] | None = None
) -> subprocess.Popen[str]:
    command = impl or [sys.executable, str(IMPLS / "signal_target.py"), str(tmp), *modes]
    argv = [
        sys.executable, "-m", "harness.cli", "conform", "--impl", subprocess.list2cmdline(command),
        "--features", str(features), "--report", str(report), "--timeout", "30",
        "--no-generated", "--no-differential", "--no-diagrams", "--", "-p", "no:cacheprovider",
    ]  # fmt: skip
    return subprocess.Popen(
        argv, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    until = time.monotonic() + WAIT
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < until, f"{path.name} never came"
        time.sleep(0.01)


def _finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=WAIT)
    return process.returncode, out + err


def _pids(tmp: Path) -> list[int]:
    return [int(pid) for pid in (tmp / "pids").read_text().split()]


def _ended(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _one_run(report: Path) -> int:
    """The number of items every report file describes (they must agree: an item a signal
    cut short is in each of them, as an error)."""
    results = json.loads((report / "results.json").read_text("utf-8"))
    junit = ET.parse(report / "junit.xml").getroot()
    cucumber = json.loads((report / "cucumber.json").read_text("utf-8"))
    counts = {
        "results.json": len(results["items"]),
        "junit.xml": len(junit.findall(".//testcase")),
        "cucumber.json": sum(len(feature["elements"]) for feature in cucumber),
    }
    assert len(set(counts.values())) == 1, counts
    listed = json.loads((report / ".otpspec-reports.json").read_text("utf-8"))
    assert all((report / name).is_file() for name in listed)
    assert not list(report.glob(".otpspec-new-*"))
    return counts["results.json"]


def _written(report: Path, items: int) -> bool:
    """Whether every report file describes `items` items already."""
    try:
        return _one_run(report) == items
    except (AssertionError, OSError, ValueError, ET.ParseError):
        return False


def _cut_short(report: Path) -> None:
    """The run was interrupted in its first item: every report says so, and how."""
    results = json.loads((report / "results.json").read_text("utf-8"))
    assert (results["interrupted"], results["ok"]) == (True, False)
    (item,) = results["items"]
    assert (item["verdict"], item["message"]) == ("error", "interrupted")
    (testcase,) = ET.parse(report / "junit.xml").getroot().findall(".//testcase")
    failure = testcase.find("failure")
    assert failure is not None and failure.get("message", "").startswith("error")
    (feature,) = json.loads((report / "cucumber.json").read_text("utf-8"))
    assert "@verdict-error" in [tag["name"] for tag in feature["elements"][0]["tags"]]
    assert 'id="interrupted"' in (report / "report.html").read_text("utf-8")


def _clean(output: str) -> None:
    assert "Traceback" not in output, output[-3000:]
    assert "internal error" not in output


def test_sigterm_during_the_run_stops_everything(tmp_path: Path) -> None:
    """As a CI cancels a job; SIGINT takes the same path (the test below)."""
    sig = signal.SIGTERM
    features = _features(tmp_path / "features", 2)
    process = _start(tmp_path, features, tmp_path / "reports", "hang", "stubborn")
    _wait_for(tmp_path / "launch", process)
    started = time.monotonic()
    os.kill(process.pid, sig)
    code, output = _finish(process)
    assert code == 130, output[-3000:]
    assert time.monotonic() - started < 15.0
    assert f"otpspec conform: interrupted ({sig.name})" in output
    _clean(output)
    assert all(_ended(pid) for pid in _pids(tmp_path)), "the implementation was left running"
    assert _one_run(tmp_path / "reports") == 1  # the run so far: the item cut short
    _cut_short(tmp_path / "reports")


def test_a_second_interrupt_does_not_cut_the_stop_short(tmp_path: Path) -> None:
    features = _features(tmp_path / "features", 2)
    process = _start(tmp_path, features, tmp_path / "reports", "hang", "stubborn")
    _wait_for(tmp_path / "launch", process)
    os.kill(process.pid, signal.SIGINT)
    time.sleep(0.3)
    os.kill(process.pid, signal.SIGINT)
    code, output = _finish(process)
    assert code == 130, output[-3000:]
    assert "otpspec conform: interrupted (SIGINT)" in output
    _clean(output)
    assert _one_run(tmp_path / "reports") == 1
    _cut_short(tmp_path / "reports")
    assert all(_ended(pid) for pid in _pids(tmp_path)), "the implementation was left running"


def test_signals_while_reports_are_written_leave_one_whole_run(tmp_path: Path) -> None:
    report = tmp_path / "reports"
    first = _start(tmp_path, _features(tmp_path / "one", 1), report)
    assert _finish(first)[0] == 1  # the closed app's views fail the scenario
    assert _one_run(report) == 1
    (tmp_path / "eof").unlink()
    process = _start(tmp_path, _features(tmp_path / "three", 3), report)
    _wait_for(tmp_path / "eof", process)  # the session is finishing: reports come next
    until = time.monotonic() + WAIT
    while process.poll() is None and not _written(report, 3) and time.monotonic() < until:
        os.kill(process.pid, signal.SIGTERM)  # stops once they are written: conform's exit
        time.sleep(0.005)  # after that may meet SIGTERM's default action again
    code, output = _finish(process)
    assert code == 130, output[-3000:]
    _clean(output)
    assert _one_run(report) == 3, "the reports mix two runs"


def test_a_failed_start_replaces_the_previous_reports(tmp_path: Path) -> None:
    report = tmp_path / "reports"
    first = _start(tmp_path, _features(tmp_path / "one", 1), report)
    assert _finish(first)[0] == 1
    failing = [sys.executable, "-c", "import sys; sys.exit(3)"]
    process = _start(tmp_path, _features(tmp_path / "two", 2), report, impl=failing)
    code, output = _finish(process)
    assert code == 3, output[-3000:]
    _clean(output)
    assert _one_run(report) == 2
    results = json.loads((report / "results.json").read_text("utf-8"))
    assert "exited with status 3" in results["implementation"]["start_failure"]
    assert {item["verdict"] for item in results["items"]} == {"error"}

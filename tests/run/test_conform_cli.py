"""`otpspec conform`, the front door: run from any directory, writes only its reports,
isolated from the directory's pytest configuration, with documented exit codes."""

from __future__ import annotations

import json
import os
import shlex
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from run_helpers import FAILING, PASSING, TAPS, results, run_cli, serve_command

from harness.cli.conform import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_NOT_STARTED,
    EXIT_OK,
    EXIT_USAGE,
)
from harness.run import plugin
from statechart.loader import DEFAULT_SPEC_DIR

QUICK = ("--no-generated", "--no-differential", "--no-diagrams")


@pytest.fixture
def empty_dir(tmp_path: Path) -> Iterator[Path]:
    """An empty working directory (the test runs conform from it)."""
    work = tmp_path / "work"
    work.mkdir()
    before = Path.cwd()
    os.chdir(work)
    try:
        yield work
    finally:
        os.chdir(before)


def _features(folder: Path, *texts: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for number, text in enumerate(texts, start=1):
        (folder / f"case{number}.feature").write_text(text, encoding="utf-8")
    return folder


class TestRunFromAnywhere:
    def test_writes_only_its_reports_into_the_working_directory(self, empty_dir: Path) -> None:
        run = run_cli("conform", *QUICK, "--section", "3.4")
        assert run.code == EXIT_OK, run.err
        assert [p.name for p in empty_dir.iterdir()] == ["reports"]
        written = {p.name for p in (empty_dir / "reports").iterdir()}
        expected = {"results.json", "report.html", "traceability.md", "coverage.json"}
        assert expected | {"junit.xml", "cucumber.json"} <= written
        data = results(empty_dir / "reports")
        assert data["ok"] is True
        assert data["summary"]["total"] == data["summary"]["pass"] > 0
        assert all("3.4" in item["sections"] for item in data["items"])

    def test_ignores_the_directorys_pytest_configuration(self, empty_dir: Path) -> None:
        (empty_dir / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option -x\n")
        features = _features(empty_dir / "mine", PASSING)
        run = run_cli("conform", *QUICK, "--features", str(features))
        assert run.code == EXIT_OK, run.err

    def test_a_vendors_own_features_against_the_shipped_spec(self, empty_dir: Path) -> None:
        features = _features(empty_dir / "mine", PASSING, TAPS)
        run = run_cli(
            "conform", *QUICK, "--features", str(features), "--spec", str(DEFAULT_SPEC_DIR)
        )
        assert run.code == EXIT_OK, run.err
        assert results(empty_dir / "reports")["summary"]["pass"] == 3


class TestExitCodes:
    def test_a_failure_exits_1(self, empty_dir: Path) -> None:
        features = _features(empty_dir / "mine", PASSING, FAILING)
        assert run_cli("conform", *QUICK, "--features", str(features)).code == EXIT_FAILED

    def test_an_implementation_that_cannot_start_exits_3(self, empty_dir: Path) -> None:
        features = _features(empty_dir / "mine", PASSING)
        run = run_cli("conform", *QUICK, "--features", str(features), "--impl", "/nope/app")
        assert run.code == EXIT_NOT_STARTED
        assert "cannot start '/nope/app'" in run.err
        assert results(empty_dir / "reports")["implementation"]["start_failure"]

    @pytest.mark.parametrize(
        ("args", "said"),
        [
            (["--timeout", "inf"], "give seconds above 0 and at most 3600, not inf"),
            (["--timeout", "0"], "give seconds above 0 and at most 3600, not 0"),
            (["-n", "zero"], "-n takes a number of workers"),
            (["--impl", "'unbalanced"], "--impl"),
            (["--start-timeout", "0"], "--start-timeout: give seconds above 0 and at most 3600"),
            (["--start-timeout", "1e9"], "give seconds above 0 and at most 3600, not 1e9"),
            (["--walks", "0"], "give between 1 and 100000 walks from each starting point, not 0"),
            (["--walks", "100001"], "give between 1 and 100000 walks"),
            (["--walks", "2.5"], "--walks: '2.5' is not a number of walks"),
            (["--features", "nowhere"], "--features nowhere does not exist"),
            (["--spec", "nowhere"], "--spec nowhere does not exist; give the spec directory"),
        ],
    )
    def test_bad_arguments_exit_2_with_one_line(
        self, empty_dir: Path, args: list[str], said: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        run = run_cli("conform", *args)
        assert run.code == EXIT_USAGE
        assert said in run.err + capsys.readouterr().err
        assert "Traceback" not in run.err

    @pytest.mark.parametrize(
        ("option", "make", "said"),
        [
            ("--features", os.mkfifo, "is a named pipe (FIFO), not a feature file or a directory"),
            ("--declaration", Path.mkdir, "is a directory, not a file"),
            ("--declaration", os.mkfifo, "is a named pipe (FIFO), not a regular file"),
            ("--spec", Path.touch, "is a file, not a directory; give the spec directory"),
            ("--spec", Path.mkdir, "holds no statechart.yaml; give the spec directory"),
            ("--report", Path.touch, ": it is a file, not a directory; give a writable directory"),
            ("--report", os.mkfifo, ": it is a named pipe (FIFO), not a directory; give"),
        ],
    )
    def test_a_path_of_the_wrong_kind_exits_2_at_once(
        self, empty_dir: Path, option: str, make: Callable[[Path], object], said: str
    ) -> None:
        """Said as what the path is; a FIFO is never opened (it would block)."""
        make(empty_dir / "p")
        started = time.perf_counter()
        run = run_cli("conform", *QUICK, option, "p")
        assert time.perf_counter() - started < 10
        assert run.code == EXIT_USAGE
        prefix = "cannot write reports into p" if option == "--report" else f"{option} p "
        assert run.err.startswith(f"otpspec conform: {prefix}{said}"), run.err
        assert run.err.count("\n") == 1 and not (empty_dir / "reports").exists()

    def test_a_selection_that_matches_nothing_exits_2(self, empty_dir: Path) -> None:
        assert run_cli("conform", *QUICK, "-k", "no-such-scenario-name").code == EXIT_USAGE

    def test_an_unwritable_report_directory_is_refused_before_the_run(
        self, empty_dir: Path
    ) -> None:
        locked = empty_dir / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            run = run_cli("conform", *QUICK, "--report", str(locked / "reports"))
        finally:
            locked.chmod(0o700)
        if os.geteuid() == 0:  # root writes anywhere: a file in the way stands in for it
            (empty_dir / "blocked").write_text("a file, not a directory")
            run = run_cli("conform", *QUICK, "--report", str(empty_dir / "blocked" / "r"))
        assert run.code == EXIT_USAGE
        assert "cannot write reports into" in run.err


class TestMatrix:
    def test_two_implementations_get_a_directory_each_and_a_matrix(self, empty_dir: Path) -> None:
        features = _features(empty_dir / "mine", PASSING, TAPS)
        run = run_cli(
            "conform", *QUICK, "--features", str(features),
            "--impl", "reference", "--impl", serve_command(),
        )  # fmt: skip
        assert run.code == EXIT_OK, run.err
        report = empty_dir / "reports"
        labels = sorted(
            p.name for p in report.iterdir() if p.is_dir() and not p.name.startswith(".")
        )
        assert labels[1] == "reference" and labels[0].endswith("serve")
        matrix = (report / "matrix.md").read_text(encoding="utf-8")
        assert "| 2.1 " in matrix and "pass (2/2)" in matrix
        served = json.loads((report / labels[0] / "results.json").read_text(encoding="utf-8"))
        assert served["implementation"]["name"] == "otpspec-reference"


class TestStartTimeout:
    """`--start-timeout`: a slow start (a JVM, an emulator) gets its own time to answer
    hello, while every request keeps the short `--timeout`."""

    SLOW = shlex.join(["sh", "-c", f"sleep 4; exec {serve_command()}"])

    def test_a_slow_start_within_the_start_timeout_passes(self, empty_dir: Path) -> None:
        features = _features(empty_dir / "mine", PASSING)
        run = run_cli(
            "conform", *QUICK, "--features", str(features), "--impl", self.SLOW,
            "--timeout", "3", "--start-timeout", "60",
        )  # fmt: skip
        assert run.code == EXIT_OK, run.err
        data = results(empty_dir / "reports")
        assert (data["run"]["timeout"], data["run"]["start_timeout"]) == (3.0, 60.0)

    def test_without_it_the_request_timeout_bounds_the_start(self, empty_dir: Path) -> None:
        features = _features(empty_dir / "mine", PASSING)
        run = run_cli(
            "conform", *QUICK, "--features", str(features), "--impl", self.SLOW, "--timeout", "3"
        )
        assert run.code == EXIT_NOT_STARTED, run.err
        data = results(empty_dir / "reports")
        assert "no answer within 3 s" in data["implementation"]["start_failure"]
        (item,) = data["items"]
        assert item["message"].startswith("実装を起動できません: ")


class TestInterruptedBeforeTheRun:
    def test_no_report_is_said_to_describe_it(
        self, empty_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """SIGINT while pytest loads the spec: pytest ends that session without its hooks,
        so no report is written, and conform says so instead of pointing at old ones."""

        def signalled(spec_dir: Path) -> None:
            os.kill(os.getpid(), signal.SIGINT)  # taken by conform's handler: raises here
            time.sleep(30)

        earlier = empty_dir / "reports"
        earlier.mkdir()
        (earlier / "results.json").write_text('{"ok": true}', encoding="utf-8")
        os.utime(earlier / "results.json", (0, 0))
        monkeypatch.setattr(plugin, "loaded_spec", signalled)
        started = time.perf_counter()
        run = run_cli("conform", *QUICK)
        assert time.perf_counter() - started < 20
        assert run.code == EXIT_INTERRUPTED
        assert run.err.endswith(
            "otpspec conform: interrupted (SIGINT); the run had not begun: no reports were "
            "written (reports keeps any earlier run's)\n"
        )

"""`otpspec conform` on the command line: exit codes, progress, the summary, report files."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conform_helpers import (
    CRASH,
    FEATURES,
    SAMPLE,
    SECRET,
    UNDEFINED,
    CliRun,
    impl_command,
    run_cli,
    served_label,
)

from harness.cli.conform import ProgressPrinter, summary_line
from harness.reports.writers import REPORT_FILES
from harness.run.conform import CheckOutcome, ImplRun
from statechart.model import Spec

WriteFeatures = Callable[..., Path]


def _files(report: Path) -> set[str]:
    return {path.name for path in report.iterdir() if path.is_file()}


class TestRunConform:
    def test_reference_in_process_passes(self, reference_run: CliRun) -> None:
        assert reference_run.code == 0, reference_run.out + reference_run.err
        assert set(REPORT_FILES) <= _files(reference_run.report)
        assert reference_run.out.splitlines()[-1].endswith(" passed, 0 failed")
        assert "differential check: passed" in reference_run.out

    def test_one_line_per_feature_file_with_a_count(self, reference_run: CliRun) -> None:
        lines = [line for line in reference_run.out.splitlines() if ".feature: " in line]
        assert len(lines) == len(list(FEATURES.rglob("*.feature")))
        assert all(" scenarios, " in line and " passed" in line for line in lines)

    def test_over_otpspec_serve_passes(self, matrix_run: CliRun) -> None:
        assert matrix_run.code == 0, matrix_run.out + matrix_run.err
        served = matrix_run.report / served_label()
        assert set(REPORT_FILES) <= _files(served)
        results = json.loads((served / "results.json").read_text())
        assert results["implementation"]["name"] == "otpspec-reference"
        assert results["ok"] is True

    def test_a_wrong_expectation_and_an_undefined_step_exit_1(
        self, features_dir: WriteFeatures, tmp_path: Path
    ) -> None:
        features = features_dir(SAMPLE, UNDEFINED)
        run = run_cli(
            "conform",
            "--features",
            str(features),
            "--no-generated",
            "--no-differential",
            report=tmp_path / "out",
        )
        assert run.code == 1
        assert run.out.splitlines()[-1] == "1 passed, 1 failed, 1 undefined"
        assert "FAILED" in run.out and "わざと間違えた期待" in run.out
        for name in REPORT_FILES:
            assert SECRET not in (run.report / name).read_text(encoding="utf-8"), name
        html = (run.report / "report.html").read_text(encoding="utf-8")
        assert 'id="failure-1"' in html and '<table class="views">' in html
        assert '<pre class="replay"># language: ja' in html

    def test_a_crash_fails_its_scenario_and_the_run_goes_on(
        self, features_dir: WriteFeatures, tmp_path: Path
    ) -> None:
        run = run_cli(
            "conform",
            "--impl",
            impl_command("crashes_on_tap.py"),
            "--features",
            str(features_dir(CRASH)),
            "--no-generated",
            "--no-differential",
            report=tmp_path / "out",
        )
        assert run.code == 1
        assert "実装の異常 (crashed)" in run.out
        results = json.loads((run.report / "results.json").read_text(encoding="utf-8"))
        first, second = results["scenarios"]
        assert first["implementation_failure"]["kind"] == "crashed"
        assert "crashes_on_tap: tapped" in first["implementation_failure"]["stderr_tail"]
        assert second["status"] == "passed"  # a fresh process: launch answers again

    def test_a_timeout_fails_its_scenario(
        self, features_dir: WriteFeatures, tmp_path: Path
    ) -> None:
        run = run_cli(
            "conform",
            "--impl",
            impl_command("hangs_on_launch.py"),
            "--timeout",
            "0.3",
            "--features",
            str(features_dir(CRASH)),
            "--no-generated",
            "--no-differential",
            report=tmp_path / "out",
        )
        assert run.code == 1
        assert run.out.count("実装の異常 (timeout)") == 2

    def test_an_implementation_that_cannot_start_exits_3(self, tmp_path: Path) -> None:
        run = run_cli("conform", "--impl", "no-such-program-otpspec", report=tmp_path / "out")
        assert run.code == 3
        assert "cannot start" in run.err and "not found" in run.err
        assert not (tmp_path / "out" / "results.json").exists()

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--impl", "python 'unbalanced"], "cannot be split into words"),
            (["--features", "no/such/dir"], "feature path not found: no/such/dir"),
        ],
    )
    def test_bad_arguments_exit_2_with_one_line(
        self, args: list[str], message: str, tmp_path: Path
    ) -> None:
        run = run_cli("conform", *args, report=tmp_path / "out")
        assert run.code == 2
        assert run.err.startswith("otpspec conform: ") and message in run.err
        assert "Traceback" not in run.err and run.err.count("\n") == 1

    def test_invalid_feature_files_exit_2_with_their_problems(self, tmp_path: Path) -> None:
        invalid = Path(__file__).parents[1] / "features" / "invalid" / "unknown_section_tag.feature"
        run = run_cli("conform", "--features", str(invalid), report=tmp_path / "out")
        assert run.code == 2
        assert "unknown_section_tag.feature:" in run.err

    def test_a_bad_timeout_is_an_argparse_error(self, tmp_path: Path) -> None:
        run = run_cli("conform", "--timeout", "soon", report=tmp_path / "out")
        assert run.code == 2
        assert "not a number of seconds" in run.err

    def test_as_a_command_no_traceback(self) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "harness.cli", "conform", "--impl", "'"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert done.returncode == 2
        assert "Traceback" not in done.stderr and "cannot be split" in done.stderr


class TestAddConformCommand:
    def test_help_names_every_option(self) -> None:
        run = run_cli("conform", "--help")
        assert run.code == 0
        for option in (
            "--impl",
            "--report",
            "--features",
            "--timeout",
            "--no-differential",
            "--seed",
            "--no-generated",
        ):
            assert option in run.out


class TestSummaryLine:
    def test_passed_and_failed(self) -> None:
        assert summary_line({"passed": 3, "failed": 0, "skipped": 0, "undefined": 0}) == (
            "3 passed, 0 failed"
        )

    def test_skipped_and_undefined_after_a_comma(self) -> None:
        counts = {"passed": 1, "failed": 2, "skipped": 3, "undefined": 4}
        assert summary_line(counts) == "1 passed, 2 failed, 3 skipped, 4 undefined"


class TestProgressPrinter:
    def test_a_terminal_gets_a_bar_not_feature_lines(
        self, spec: Spec, features_dir: WriteFeatures
    ) -> None:
        from harness.run.conform import ConformOptions, conform

        out = io.StringIO()
        options = ConformOptions(
            features=(features_dir(SAMPLE),), differential=False, generated=False
        )
        conform(options, ProgressPrinter(out, tty=True), spec=spec)
        text = out.getvalue()
        assert "[" + "#" * 30 + "] 2/2" in text
        assert ".feature: 2 scenarios" not in text

    def test_a_check_that_did_not_run_says_why(self) -> None:
        out = io.StringIO()
        run = ImplRun(
            "reference",
            "reference",
            name="x",
            version="1",
            generated=CheckOutcome("generated checks", "not run", "not run: absent"),
        )
        ProgressPrinter(out, tty=False).end(run)
        assert "generated checks: not run: absent" in out.getvalue()

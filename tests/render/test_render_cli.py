"""`otpspec render`: bad arguments and a missing font are one-line errors with exit 2."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_paths import dev_zero, fifo, too_large

from harness.cli.commands import main
from harness.cli.render import MAX_COVERAGE_BYTES
from harness.diagrams import draw as diagrams
from harness.diagrams.fonts import FONT, FontReport


def test_bad_coverage_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "coverage.json"
    bad.write_text('{"closed#0": "maybe"}', encoding="utf-8")
    assert main(["render", "--out", str(tmp_path / "out"), "--coverage", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("otpspec render: coverage file") and "\n" not in err


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda path: None, "does not exist; give coverage.json of a report"),
        (fifo, "is a named pipe (FIFO), not a regular file; give coverage.json of a report"),
        (Path.mkdir, "is a directory, not a file; give coverage.json of a report"),
        (
            dev_zero,
            "is a character device, not a regular file (a symbolic link to /dev/zero); give "
            "coverage.json of a report",
        ),
        (
            too_large(MAX_COVERAGE_BYTES),
            ": the file has 16,777,217 bytes; at most 16,777,216 (16 MiB) are read; give "
            "coverage.json of a report",
        ),
    ],
    ids=["missing", "fifo", "directory", "dev_zero", "too_large"],
)
def test_a_coverage_path_that_is_not_a_coverage_file(
    tmp_path: Path, make: Callable[[Path], None], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused before anything is drawn, at once: a FIFO or /dev/zero would never end."""
    coverage = tmp_path / "coverage.json"
    make(coverage)
    out = tmp_path / "out"
    started = time.perf_counter()
    assert main(["render", "--out", str(out), "--coverage", str(coverage)]) == 2
    assert time.perf_counter() - started < 10
    separator = "" if said.startswith(":") else " "
    expected = f"otpspec render: coverage file {coverage}{separator}{said}\n"
    assert capsys.readouterr().err == expected
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "make", "said"),
    [
        ("--out", lambda p: p.write_text("x"), "is a file, not a directory; give a directory"),
        ("--out", fifo, "is a named pipe (FIFO), not a directory; give a directory"),
        ("--docs", fifo, "is a named pipe (FIFO), not a directory; give the repository's docs/"),
        ("--docs", lambda p: None, "does not exist; give the repository's docs/ directory"),
        ("--spec", fifo, "is a named pipe (FIFO), not a directory; give the spec directory"),
    ],
    ids=["out_file", "out_fifo", "docs_fifo", "docs_missing", "spec_fifo"],
)
def test_a_directory_option_that_is_not_a_directory(
    tmp_path: Path,
    option: str,
    make: Callable[[Path], None],
    said: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "p"
    make(path)
    others = ["--out", str(tmp_path / "out")] if option != "--out" else []
    assert main(["render", *others, option, str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"otpspec render: {option} {path} {said}") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_missing_font(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(diagrams, "font_check", lambda: FontReport(FONT, "", ()))
    assert main(["render", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "fonts-ipafont-gothic" in err and err.count("\n") == 1


def test_unknown_option_exits_2() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["render", "--bogus"])
    assert exit_info.value.code == 2

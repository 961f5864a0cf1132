"""`otpspec render`: bad arguments and a missing font are one-line errors with exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli.commands import main
from harness.diagrams import draw as diagrams
from harness.diagrams.fonts import FONT, FontReport


def test_bad_coverage_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "coverage.json"
    bad.write_text('{"closed#0": "maybe"}', encoding="utf-8")
    assert main(["render", "--out", str(tmp_path / "out"), "--coverage", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("otpspec render: coverage file") and "\n" not in err


def test_missing_coverage_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--coverage", str(tmp_path / "none.json")]) == 2
    assert "No such file" in capsys.readouterr().err


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

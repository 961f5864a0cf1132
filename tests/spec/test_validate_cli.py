"""Tests of the `otpspec validate` command (harness.cli.commands)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_paths import dev_zero, directory, fifo, too_large
from repo_paths import REPO_ROOT
from spec_helpers import (
    BROKEN_DIR,
    MINIMAL_ACTIONS,
    MINIMAL_CONTRACTS,
    MINIMAL_DIR,
    MINIMAL_GUARDS,
    SpecCopy,
)

from harness.cli import commands as cli
from harness.cli import validate
from statechart.loader import load_spec


@pytest.fixture
def minimal_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Makes the CLI check names against the minimal spec's registry."""
    names = (MINIMAL_GUARDS, MINIMAL_ACTIONS, MINIMAL_CONTRACTS)
    monkeypatch.setattr(validate, "registry", lambda: names)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.usefixtures("minimal_registry")
class TestMain:
    def test_valid_spec_prints_a_summary(
        self, minimal_dir: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["validate", str(minimal_dir)]) == validate.EXIT_OK
        out = capsys.readouterr().out
        assert "valid" in out
        assert "5/5 covered = 100.0%" in out

    def test_json(self, minimal_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main(["validate", str(minimal_dir), "--json"]) == validate.EXIT_OK
        data = json.loads(capsys.readouterr().out)
        assert data["valid"] is True
        assert data["screens"] == 3
        assert data["sections"]["percent"] == 100.0
        assert data["warnings"] == []

    def test_invalid_spec_lists_problems_and_a_count(
        self, spec_copy: SpecCopy, capsys: pytest.CaptureFixture[str]
    ) -> None:
        spec_dir = spec_copy()
        (spec_dir / "statechart.yaml").write_text("statechart: [\n", encoding="utf-8")
        assert cli.main(["validate", str(spec_dir)]) == validate.EXIT_INVALID
        err = capsys.readouterr().err.splitlines()
        assert err[0].startswith(f"{spec_dir}/statechart.yaml:2:1: $: YAML syntax error")
        assert err[-1] == "1 error(s), 0 warning(s)"

    def test_invalid_spec_as_json(
        self, spec_copy: SpecCopy, capsys: pytest.CaptureFixture[str]
    ) -> None:
        about_back = 'target: running.otp, sections: ["3.11"]'
        spec_dir = spec_copy(("statechart.yaml", about_back, about_back.replace("otp", "opt")))
        assert cli.main(["validate", str(spec_dir), "--json"]) == validate.EXIT_INVALID
        data = json.loads(capsys.readouterr().out)
        assert data["valid"] is False
        assert data["problems"][0]["message"] == "target running.opt is not a state"

    def test_internal_error_is_one_line(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        def explode(_: Path) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(validate, "load_spec", explode)
        assert cli.main(["validate"]) == cli.EXIT_INTERNAL
        assert capsys.readouterr().err == "otpspec: internal error: RuntimeError: boom\n"

    def test_no_command(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert cli.main([]) == cli.EXIT_USAGE
        assert "validate" in capsys.readouterr().err

    def test_bad_arguments_exit_2(self) -> None:
        with pytest.raises(SystemExit) as raised:
            cli.main(["validate", "--nope"])
        assert raised.value.code == 2


class TestSummary:
    def test_counts(self, minimal_dir: Path) -> None:
        data = validate.summary(load_spec(minimal_dir))
        assert (data["states"], data["transitions"], data["elements"]) == (8, 12, 6)
        assert (data["dialogs"], data["error_dialogs"], data["error_codes"]) == (2, 1, 1)


class TestCommandLine:
    """The real process: exit codes and no traceback, whatever the registry."""

    @pytest.mark.parametrize("case", ["yaml_syntax", "dangling_target", "not_utf8"])
    def test_broken_spec_exits_2(self, case: str, tmp_path: Path) -> None:
        spec_dir = tmp_path / "spec"
        shutil.copytree(MINIMAL_DIR, spec_dir)
        for file in (BROKEN_DIR / case).iterdir():
            if file.name != "expected.yaml":
                shutil.copyfile(file, spec_dir / file.name)
        result = _run("validate", str(spec_dir))
        assert result.returncode == 2
        assert "Traceback" not in result.stdout + result.stderr
        assert result.stderr.strip().splitlines()[-1].endswith("warning(s)")

    def test_missing_directory_exits_2(self, tmp_path: Path) -> None:
        result = _run("validate", str(tmp_path / "nowhere"), "--json")
        assert result.returncode == 2
        assert json.loads(result.stdout)["valid"] is False
        assert "Traceback" not in result.stderr

    def test_bad_argument_exits_2(self) -> None:
        result = _run("validate", "--nope")
        assert result.returncode == 2
        assert "usage:" in result.stderr


def _latin1(path: Path) -> None:
    path.write_bytes("3.1 設定\n".encode() + b"caf\xe9\n")


class TestPathsThatAreNotWhatTheySay:
    """A FIFO, a device, a directory or a huge file where a file is wanted: one line, exit
    2, at once (the FIFO or /dev/zero would block or never end)."""

    @pytest.mark.parametrize(
        ("make", "said"),
        [
            (fifo, "is a named pipe (FIFO), not a regular file"),
            (dev_zero, "is a character device, not a regular file (a symbolic link to /dev/zero)"),
            (directory, "is a directory, not a file"),
            (
                too_large(validate.MAX_MANUAL_BYTES),
                "has 8,388,609 bytes; at most 8,388,608 (8 MiB) are read",
            ),
            (_latin1, "is not UTF-8 text (byte 14)"),
            (lambda path: None, "does not exist"),
        ],
        ids=["fifo", "dev_zero", "directory", "too_large", "latin1", "missing"],
    )
    def test_manual(
        self,
        tmp_path: Path,
        make: Callable[[Path], None],
        said: str,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        manual = tmp_path / "manual.txt"
        make(manual)
        started = time.perf_counter()
        assert cli.main(["validate", "--manual", str(manual)]) == validate.EXIT_INVALID
        assert time.perf_counter() - started < 10
        assert capsys.readouterr().err == (
            f"otpspec validate: --manual {manual} {said}; give the manual's text (in the "
            "repository: docs/manual/otp-app-user-manual-ja.txt)\n"
        )

    @pytest.mark.parametrize(
        ("make", "said"),
        [
            (fifo, "通常のファイルではなく名前付きパイプ (FIFO)です"),
            (dev_zero, "通常のファイルではなくキャラクタデバイスです"),
        ],
        ids=["fifo", "dev_zero"],
    )
    def test_features(
        self,
        tmp_path: Path,
        make: Callable[[Path], None],
        said: str,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        path = tmp_path / "x.feature"
        make(path)
        assert cli.main(["validate", "--features", str(path)]) == validate.EXIT_INVALID
        err = capsys.readouterr().err.splitlines()
        assert err[0].startswith(f"{path}:1:1: (ファイル): {said}。.feature ファイルを指定")
        assert err[-1] == "1 error(s), 0 warning(s)"

    @pytest.mark.parametrize(
        ("make", "said"),
        [
            (fifo, "it is a named pipe (FIFO), not a directory"),
            (lambda path: path.write_text("{}"), "it is a file, not a directory"),
        ],
        ids=["fifo", "file"],
    )
    def test_spec_path(
        self,
        tmp_path: Path,
        make: Callable[[Path], None],
        said: str,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        path = tmp_path / "spec"
        make(path)
        assert cli.main(["validate", str(path)]) == validate.EXIT_INVALID
        err = capsys.readouterr().err.splitlines()
        assert err[0] == f"{path}:1:1: $: {said} (fix: pass the directory holding statechart.yaml)"

    def test_a_spec_file_names_its_directory(
        self, minimal_dir: Path, capsys: pytest.CaptureFixture[str], minimal_registry: None
    ) -> None:
        path = minimal_dir / "statechart.yaml"
        assert cli.main(["validate", str(path)]) == validate.EXIT_OK
        assert f"spec {minimal_dir}: valid" in capsys.readouterr().out

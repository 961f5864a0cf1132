"""otpspec as a vendor installs it: a plain (not editable) install that works from any
directory, carries the spec, schemas, features and templates, and leaves out the manual.

The default suite builds the wheel, unpacks it into a directory of its own and runs the
command line from an empty directory with that directory first on the path (the checkout is
not used, nor written). `tox -e slow` also installs it, with its dependencies, into a fresh
virtualenv and runs a whole conformance run on two workers there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from repo_paths import REPO_ROOT


def _git_status() -> str:
    return subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built as pip builds it for `pip install .`."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(REPO_ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("otpspec-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed (without dependencies: this environment has them) on its own."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return target


def _otpspec(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


class TestPackageList:
    def test_every_package_of_the_tree_is_listed(self) -> None:
        config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        listed = set(config["tool"]["setuptools"]["packages"])
        mapped = set(config["tool"]["setuptools"]["package-dir"])
        tree = {
            ".".join(path.parent.relative_to(REPO_ROOT).parts)
            for root in ("harness", "statechart")
            for path in (REPO_ROOT / root).rglob("__init__.py")
        }
        assert listed == tree | mapped


class TestWheel:
    def test_it_ships_the_data_and_not_the_manual(self, wheel: Path) -> None:
        names = zipfile.ZipFile(wheel).namelist()
        assert "statechart/spec/statechart.yaml" in names
        assert "statechart/spec/schemas/view.schema.json" in names
        assert "harness/reports/templates/report.html.j2" in names
        assert "harness/generation/generated-checks.json.gz" in names
        assert "harness/run/scenario-transitions.json.gz" in names
        features = [
            n for n in names if n.startswith("harness/features/") and n.endswith(".feature")
        ]
        assert len(features) == len(list((REPO_ROOT / "features").glob("*.feature")))
        assert not [n for n in names if "manual" in n.lower()]
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        text = zipfile.ZipFile(wheel).read(entry_points).decode()
        assert "otpspec = harness.cli.program:entry" in text
        assert "otpspec = harness.run.plugin" in text


class TestFromAnEmptyDirectory:
    def test_the_commands_use_the_installed_data_and_write_only_there(
        self, installed: Path, tmp_path: Path
    ) -> None:
        before = _git_status()
        work = tmp_path / "work"
        work.mkdir()
        commands: Sequence[Sequence[str]] = [
            ["--version"],
            ["validate"],
            ["steps", "--json"],
            ["conform", "--section", "3.11", "--no-differential", "--no-diagrams"],
            ["render", "--out", "diagrams"],
        ]
        for args in commands:
            done = _otpspec(installed, work, *args)
            assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        assert "otpspec 0.1.0" in _otpspec(installed, work, "--version").stdout
        where = _otpspec(installed, work, "validate", "--json").stdout
        assert str(installed) in where  # the spec it validated is the installed one
        assert sorted(p.name for p in work.iterdir()) == ["diagrams", "reports"]
        assert (work / "reports" / "results.json").is_file()
        assert (work / "diagrams" / "overview.svg").is_file()
        assert _git_status() == before

    def test_the_manual_check_says_plainly_when_there_is_no_manual(
        self, installed: Path, tmp_path: Path
    ) -> None:
        done = _otpspec(installed, tmp_path, "validate", "--manual", "missing.txt")
        assert done.returncode == 2
        assert "--manual missing.txt does not exist" in done.stderr
        assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_a_fresh_virtualenv_runs_the_whole_suite_on_two_workers(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)]
    subprocess.run(pip, check=True, capture_output=True)
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run(
        [str(venv / "bin" / "otpspec"), "conform", "--impl",
         f"{venv / 'bin' / 'otpspec'} serve", "-n", "2"],
        cwd=work, capture_output=True, text=True, check=False, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert sorted(p.name for p in work.iterdir()) == ["reports"]

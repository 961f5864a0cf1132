"""harness.cli.program: the installed `otpspec` program, and an environment that lacks one
of its declared dependencies (it says which one and how to install it, no traceback)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from repo_paths import REPO_ROOT

from harness.cli.commands import EXIT_INTERNAL
from harness.cli.program import EXIT_NOT_INSTALLED

# Runs the program as the console script does, with one dependency made unimportable.
_WITHOUT = """
import sys
sys.modules[sys.argv[1]] = None  # `import` of it now raises ModuleNotFoundError
sys.argv = ["otpspec", *sys.argv[2:]]
from harness.cli.program import entry
sys.exit(entry())
"""


def _program(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT, *args],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


class TestEntry:
    @pytest.mark.parametrize("missing", ["fastjsonschema", "yaml", "pytest_bdd"])
    def test_a_missing_dependency_is_named_with_how_to_install(self, missing: str) -> None:
        done = _program(missing, "validate")
        assert done.returncode == EXIT_NOT_INSTALLED == EXIT_INTERNAL
        assert f"cannot import '{missing}', which one of otpspec's dependencies" in done.stderr
        assert "pip install otpspec" in done.stderr and "scripts/setup.sh" in done.stderr
        assert "Traceback" not in done.stderr

    def test_with_everything_installed_it_runs_the_command(self) -> None:
        done = _program("a_module_nobody_imports", "--version")
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("otpspec ")

    def test_a_module_of_otpspec_missing_is_not_called_a_dependency(self) -> None:
        done = _program("harness.reports", "validate")
        assert done.returncode not in (0, EXIT_NOT_INSTALLED)
        assert "ModuleNotFoundError" in done.stderr
        assert "otpspec's dependencies" not in done.stderr


class TestCommandsImport:
    def test_the_commands_do_not_load_the_run_plugin_or_hypothesis(self) -> None:
        # every command (serve too, started once per worker) pays what the CLI imports
        code = "import json, sys, harness.cli.commands; print(json.dumps(sorted(sys.modules)))"
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
            timeout=60, check=True,
        )  # fmt: skip
        loaded = set(json.loads(done.stdout))
        assert "harness.cli.conform" in loaded
        assert not loaded & {"harness.run.plugin", "hypothesis"}

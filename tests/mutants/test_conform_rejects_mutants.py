"""`otpspec conform` rejects every shipped mutant and names a section where it broke.

Each mutant is served as `otpspec serve --mutant NAME` behind the subprocess adapter, as a
vendor's implementation would be, and the whole conformance run (features, generated
checks, differential walks; the contracts on every step) must end in a failure whose
section verdicts (or the clauses of a broken contract) name a section related to the
mutant's. One quick mutant (its section only) runs in the default suite; every mutant, the
whole run, under `-m slow`.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mutant_helpers import ROOT, serve_command

from harness.generation.steps import related_sections
from harness.mutants import MUTANTS, Mutant, mutant_named

EXIT_FAILED = 1


def _conform(mutant: Mutant, report: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """Runs `otpspec conform --impl "otpspec serve --mutant NAME"`; its exit and results."""
    command = [
        sys.executable,
        "-m",
        "harness.cli",
        "conform",
        "--impl",
        shlex.join(serve_command(mutant.name)),
        "--report",
        str(report),
        "--no-diagrams",
        *args,
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    results: dict[str, Any] = json.loads((report / "results.json").read_text(encoding="utf-8"))
    return done.returncode, results


def _named_sections(results: dict[str, Any]) -> set[str]:
    """The sections the run names as broken: the failing section verdicts, and the clauses
    of each failed step that broke a contract (the contract's own sections)."""
    failing = {s["id"] for s in results["sections"] if s["verdict"] == "fail"}
    for item in results["items"]:
        for step in item["steps"]:
            if step["status"] == "failed":
                failing.update(step.get("clauses", ()))
    return failing


def _assert_rejected(mutant: Mutant, report: Path, *args: str) -> dict[str, Any]:
    code, results = _conform(mutant, report, *args)
    assert code == EXIT_FAILED, f"{mutant.name} ({mutant.description}) passed conform"
    failing = _named_sections(results)
    assert any(related_sections(f, d) for f in failing for d in mutant.sections), (
        f"{mutant.name} ({mutant.description}) broke {mutant.sections}, "
        f"but the report names only {sorted(failing)}"
    )
    return results


def _contracts_broken(results: dict[str, Any]) -> set[str]:
    return {
        step["contract"]
        for item in results["items"]
        for step in item["steps"]
        if step.get("contract")
    }


class TestConformRejectsMutants:
    def test_a_new_pin_that_needs_a_restart(self, tmp_path: Path) -> None:
        # Every title and label right: only the contract sees the old PIN's password.
        mutant = mutant_named("pin_change_after_restart")
        args = ("--section", "3.8", "--no-generated", "--no-differential")
        results = _assert_rejected(mutant, tmp_path, *args)
        assert _contracts_broken(results) == {mutant.contract}

    @pytest.mark.slow
    @pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
    def test_every_mutant(
        self, mutant: Mutant, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
    ) -> None:
        # One cache for the run: the generated checks are computed once, not per mutant.
        cache = tmp_path_factory.getbasetemp() / "conform-cache"
        _assert_rejected(mutant, tmp_path, "--", "-o", f"cache_dir={cache}")

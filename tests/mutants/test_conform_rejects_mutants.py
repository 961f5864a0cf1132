"""`otpspec conform` rejects every shipped mutant and names a section where it broke."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from mutant_helpers import serve_command

from harness.mutants.catalogue import MUTANTS, Mutant, mutant_named
from harness.reports.writers import write_reports
from harness.run.conform import ConformOptions, conform
from statechart.model import Spec


def _related(failing: str, declared: str) -> bool:
    """The same section, or one inside the other (3.9 and 3.9.1)."""
    return (
        failing == declared
        or failing.startswith(declared + ".")
        or declared.startswith(failing + ".")
    )


def _conform(spec: Spec, mutant: Mutant, report: Path) -> tuple[int, set[str]]:
    """Runs conform as the CLI does, and reads the failing sections from its results.json."""
    options = ConformOptions(
        impls=(shlex.join(serve_command(mutant.name)),),
        report_dir=report,
        diagrams=False,
        differential=False,
    )
    run = conform(options, spec=spec)
    write_reports(run, report, diagrams=False)
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    failing = {s["id"] for s in results["sections"] if s["verdict"] == "fail"}
    return run.exit_code, failing


def _assert_rejected(spec: Spec, mutant: Mutant, report: Path) -> None:
    code, failing = _conform(spec, mutant, report)
    assert code == 1, f"{mutant.name} passed the conformance run"
    assert any(_related(f, d) for f in failing for d in mutant.sections), (
        f"{mutant.name} ({mutant.description}) broke {mutant.sections}, "
        f"but the report names only {sorted(failing)}"
    )


class TestConformRejectsMutants:
    def test_the_missing_suffix(self, spec: Spec, tmp_path: Path) -> None:
        _assert_rejected(spec, mutant_named("no_suffix"), tmp_path)

    @pytest.mark.slow
    @pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name)
    def test_every_mutant(self, spec: Spec, mutant: Mutant, tmp_path: Path) -> None:
        _assert_rejected(spec, mutant, tmp_path)

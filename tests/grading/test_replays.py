"""A printed replay replays as printed: run with the plugin, it fails the mutant at the step
where its generated check found it, and passes the reference.

The replay is what a vendor gets: a feature file whose 前提 are phrases of the step library
(no fixture of ours), with the test data it needs (the lock code of the 前提, the 33 digits
typed), and whose ならば steps fail where the implementation differed.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.adapters import InProcessAdapter
from harness.generation.checks import CheckResult, GeneratedSet, generate_checks, run_generated
from harness.mutants.catalogue import mutant_named
from statechart.model import Spec

QUICK = ["--otpspec-no-generated", "--otpspec-no-differential", "-p", "no:cacheprovider"]


class _Mutant(InProcessAdapter):
    def __init__(self, spec: Spec, name: str) -> None:
        super().__init__(spec)
        self._app = mutant_named(name).build(spec)


@pytest.fixture(scope="module")
def generated(spec: Spec) -> GeneratedSet:
    return generate_checks(spec)


def _serve(mutant: str | None) -> str:
    script = Path(sys.executable).with_name("otpspec")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "harness.cli"]
    return shlex.join([*argv, "serve", *(["--mutant", mutant] if mutant else [])])


def _run(pytester: pytest.Pytester, text: str, mutant: str | None) -> list[dict[str, Any]]:
    """Runs the feature file with the plugin against `otpspec serve [--mutant]`; its steps."""
    folder = pytester.path / "features"
    folder.mkdir(exist_ok=True)
    (folder / "replay.feature").write_text(text, encoding="utf-8")
    report = pytester.path / f"report-{mutant or 'reference'}"
    args = [str(folder), "--otpspec-impl", _serve(mutant), "--otpspec-report", str(report)]
    pytester.runpytest_inprocess(*args, *QUICK)
    items = json.loads((report / "results.json").read_text(encoding="utf-8"))["items"]
    (item,) = items
    steps: list[dict[str, Any]] = item["steps"]
    return steps


def _failing_check(spec: Spec, generated: GeneratedSet, mutant: str) -> CheckResult:
    result = run_generated(_Mutant(spec, mutant), generated, stop_early=True)[-1]
    assert not result.ok
    return result


@pytest.mark.parametrize("mutant", ["lock_code_33_digits", "delete_selected_goes_to_menu"])
def test_a_replay_fails_the_mutant_where_its_check_did_and_passes_the_reference(
    spec: Spec, generated: GeneratedSet, pytester: pytest.Pytester, mutant: str
) -> None:
    failed = _failing_check(spec, generated, mutant)
    text = failed.gherkin
    assert "●●●●" not in text and "フィクスチャ" not in text and "語彙にない" not in text
    assert failed.step is not None
    lines = [line.split()[0] for line in text.splitlines() if line.startswith("    ")]
    givens = lines.index("もし")
    on_mutant = _run(pytester, text, mutant)
    statuses = [s["status"] for s in on_mutant]
    # The 前提, then every step of the walk up to the one that differed, pass; the ならば
    # right after it (the same step's expectation) fails.
    first_then = [s["keyword"] for s in on_mutant].index("ならば")
    assert first_then == givens + failed.step + 1
    assert statuses[:first_then] == ["passed"] * first_then, statuses
    assert statuses[first_then] == "failed", statuses
    on_reference = _run(pytester, text, None)
    assert all(s["status"] == "passed" for s in on_reference), on_reference


def test_the_test_data_is_printed(spec: Spec, generated: GeneratedSet) -> None:
    failed = _failing_check(spec, generated, "delete_selected_goes_to_menu")
    # The 前提's lock code and PIN are test data: without them the replay cannot run.
    assert "アプリロックコード「5555」が設定されている" in failed.gherkin
    assert "「アプリロックコード」に「5555」を入力する" in failed.gherkin
    assert "pin_and_lock" not in failed.gherkin

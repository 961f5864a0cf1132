"""Fixtures of the run tests: feature files written for a test and pytest run on them with
the otpspec plugin, in process (pytester)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from run_helpers import QUICK, PluginRun, RunFeatures


@pytest.fixture
def run_features(pytester: pytest.Pytester) -> RunFeatures:
    """Writes feature texts (case1.feature, …) and runs pytest with the plugin on them.

    Call as `run_features(TEXT, …, args=[...], quick=True)`; `quick` leaves out the
    generated checks and the differential walks.
    """

    def run(*texts: str, args: Sequence[str] = (), quick: bool = True) -> PluginRun:
        folder = pytester.path / "features"
        folder.mkdir(exist_ok=True)
        for number, text in enumerate(texts, start=1):
            (folder / f"case{number}.feature").write_text(text, encoding="utf-8")
        report = pytester.path / "reports"
        argv = [str(folder), "--otpspec-report", str(report), *(QUICK if quick else ()), *args]
        result = pytester.runpytest_inprocess(*argv)
        return PluginRun(result, report, folder)

    return run

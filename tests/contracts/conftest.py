"""Fixtures of the contract tests (tests/conftest.py gives the shipped spec), and pytest
run with the otpspec plugin on feature files written for a test (pytester)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from plugin_helpers import PluginRun, RunOtpspec

from harness.contracts import Params
from statechart.model import Spec


@pytest.fixture(scope="session")
def params(spec: Spec) -> Params:
    return Params.from_spec(spec)


@pytest.fixture
def run_otpspec(pytester: pytest.Pytester) -> RunOtpspec:
    """Writes feature texts (case1.feature, …) and runs pytest with the otpspec plugin.

    Call as `run_otpspec(TEXT, …, impl=COMMAND, args=[...])`; the generated checks and the
    differential walks run only when `args` asks for them (the spec directory among them).
    """

    def run(*texts: str, impl: str | None = None, args: Sequence[str] = ()) -> PluginRun:
        folder = pytester.path / "features"
        folder.mkdir(exist_ok=True)
        for number, text in enumerate(texts, start=1):
            (folder / f"case{number}.feature").write_text(text, encoding="utf-8")
        report = pytester.path / "reports"
        argv = [str(folder), "--otpspec-report", str(report), "-p", "no:cacheprovider"]
        argv += ["--otpspec-impl", impl] if impl else []
        result = pytester.runpytest_inprocess(*argv, "--otpspec-no-diagrams", *args)
        return PluginRun(result, report)

    return run

"""harness.run.memory: the heap is frozen and the thresholds raised while the items run,
and the collector is given back as it was when the session ends."""

from __future__ import annotations

import gc
import json

import pytest
from repo_paths import REPO_ROOT
from run_helpers import QUICK

from harness.run.memory import THRESHOLDS

_PROBE = """
import atexit, gc, json
from pathlib import Path

SEEN = {"before": {"frozen": gc.get_freeze_count(), "thresholds": gc.get_threshold()}, "items": []}


def pytest_runtest_call(item):
    SEEN["items"].append({"frozen": gc.get_freeze_count(), "thresholds": gc.get_threshold()})


def _at_exit():  # after pytest.main returned: what the process was given back
    SEEN["after"] = {"frozen": gc.get_freeze_count(), "thresholds": gc.get_threshold()}
    (Path(__file__).parent / "seen.json").write_text(json.dumps(SEEN))


atexit.register(_at_exit)
"""
_FEATURE = REPO_ROOT / "features" / "3.11-ワンタイムパスワードアプリのバージョンを確認する.feature"


class TestCollectorTuning:
    def test_frozen_while_items_run_and_given_back_after(
        self, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        pytester.makepyfile(gc_probe=_PROBE)
        monkeypatch.setenv("PYTHONPATH", str(pytester.path))
        result = pytester.runpytest_subprocess(str(_FEATURE), *QUICK, "-p", "gc_probe")
        assert result.ret == pytest.ExitCode.OK
        seen = json.loads((pytester.path / "seen.json").read_text())
        assert seen["items"] and all(s["frozen"] > 10_000 for s in seen["items"])
        assert all(s["thresholds"] == list(THRESHOLDS) for s in seen["items"])
        # as the interpreter started (CPython's defaults differ between versions)
        assert seen["after"] == seen["before"] and seen["before"]["frozen"] == 0
        assert seen["before"]["thresholds"] != list(THRESHOLDS)

    def test_a_session_inside_another_leaves_the_outer_heap_frozen(
        self, pytester: pytest.Pytester
    ) -> None:
        gc.freeze()  # as an outer otpspec session has it
        try:
            frozen, thresholds = gc.get_freeze_count(), gc.get_threshold()
            result = pytester.runpytest_inprocess(str(_FEATURE), *QUICK)
            assert result.ret == pytest.ExitCode.OK
            assert gc.get_threshold() == thresholds
            assert gc.get_freeze_count() >= frozen > 0
        finally:
            gc.unfreeze()
